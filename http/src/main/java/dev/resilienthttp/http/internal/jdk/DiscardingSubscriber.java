package dev.resilienthttp.http.internal.jdk;

import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Takes the body of a response that will be retried, and throws it away. A body whose
 * Content-Length says it is small is read to its end, so that its connection goes back to the
 * pool; any other (larger, of unknown length, or longer than it said) is cut off at once by
 * cancelling the subscription, which makes java.net.http close an HTTP/1.1 connection or reset
 * an HTTP/2 stream. Its memory is one buffer at a time, whatever the body's size: a 300 MiB 503
 * body or one that never ends costs the caller nothing, and never holds the call.
 *
 * <p>The body completes with {@link #DISCARDED} once the body ended or was cut off.
 */
public final class DiscardingSubscriber implements BodySubscriber<Object> {

  /** What a discarded response's body is. */
  public static final Object DISCARDED = new Object() {
    @Override
    public String toString() {
      return "discarded body";
    }
  };

  /* Why 64 KiB: error pages of common servers and proxies are a few KiB; draining them keeps a
   * kept-alive connection, which is worth more than the read. Past the bound the body is
   * unlikely to end soon, and closing the connection is cheaper than reading it. */
  static final long DRAIN_LIMIT_BYTES = 64 * 1024;

  private final CompletableFuture<Object> body = new CompletableFuture<>();
  private final long limitBytes;
  private final boolean drain;
  private Flow.Subscription subscription; // touched on the subscriber's serial signals only
  private long drained;

  /** @param contentLength the response's Content-Length, or -1 if it has none */
  public DiscardingSubscriber(long contentLength) {
    this(contentLength, DRAIN_LIMIT_BYTES);
  }

  DiscardingSubscriber(long contentLength, long limitBytes) {
    this.limitBytes = limitBytes;
    this.drain = contentLength >= 0 && contentLength <= limitBytes;
  }

  @Override
  public CompletionStage<Object> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    if (!drain) {
      subscription.cancel();
      body.complete(DISCARDED);
      return;
    }
    subscription.request(1);
  }

  @Override
  public void onNext(List<ByteBuffer> item) {
    for (ByteBuffer buffer : item) {
      drained += buffer.remaining();
    }
    if (drained > limitBytes || body.isDone()) {
      subscription.cancel();
      body.complete(DISCARDED);
      return;
    }
    subscription.request(1);
  }

  @Override
  public void onError(Throwable throwable) {
    // The body is thrown away whatever happens to it; the attempt has failed already.
    body.complete(DISCARDED);
  }

  @Override
  public void onComplete() {
    body.complete(DISCARDED);
  }

  /** How many bytes were read before the body ended or was cut off. */
  long drained() {
    return drained;
  }
}
