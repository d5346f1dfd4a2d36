package dev.resilienthttp.http.internal.jdk;

import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Takes the body of a response that will be retried, and throws it away: it reads up to a small
 * bound, so that a short error body lets the connection go back to the pool, then cancels the
 * subscription, which makes java.net.http close an HTTP/1.1 connection or reset an HTTP/2
 * stream. Its memory is one buffer at a time, whatever the body's size: a 300 MiB 503 body or
 * one that never ends costs the caller nothing.
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
  private Flow.Subscription subscription; // touched on the subscriber's serial signals only
  private long drained;

  public DiscardingSubscriber() {
    this(DRAIN_LIMIT_BYTES);
  }

  DiscardingSubscriber(long limitBytes) {
    this.limitBytes = limitBytes;
  }

  @Override
  public CompletionStage<Object> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    subscription.request(1);
  }

  @Override
  public void onNext(List<ByteBuffer> item) {
    for (ByteBuffer buffer : item) {
      drained += buffer.remaining();
    }
    if (drained > limitBytes) {
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
