package dev.resilienthttp.http.internal.jdk;

import dev.resilienthttp.time.ScheduledTask;
import dev.resilienthttp.time.TimeSource;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Takes the body of a response that will be retried, and throws it away. A body whose
 * Content-Length says it is small is read to its end, so that its connection goes back to the
 * pool for the retry; any other (larger, of unknown length, or longer than it said) is cut off at
 * once by cancelling the subscription, which makes java.net.http close an HTTP/1.1 connection or
 * reset an HTTP/2 stream. A small body that stalls is cut off after {@value #DRAIN_LIMIT_MILLIS}
 * ms of real time, or when its call ends ({@link #stop()}). Its memory is one buffer at a time,
 * whatever the body's size: a 300 MiB 503 body or one that never ends costs the caller nothing.
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
   * unlikely to end soon, and closing the connection is cheaper than reading it.
   * Why a bound in real time, not on the client's time source: it guards a socket against a
   * server that stops sending, as java.net.http's own connect timeout does; a virtual clock in a
   * test must not decide whether a connection is reused. A small local body drains in well under
   * a millisecond. */
  static final long DRAIN_LIMIT_BYTES = 64 * 1024;
  static final long DRAIN_LIMIT_MILLIS = 1_000;

  private final CompletableFuture<Object> body = new CompletableFuture<>();
  private final long limitBytes;
  private final boolean drain;
  private volatile Flow.Subscription subscription;
  private volatile ScheduledTask drainTimer;
  private long drained; // touched on the subscriber's serial signals only

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
    if (!drain || body.isDone()) {
      stop();
      return;
    }
    drainTimer = TimeSource.system().schedule(this::stop, DRAIN_LIMIT_MILLIS * 1_000_000L);
    if (body.isDone()) {
      drainTimer.cancel();
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
      stop();
      return;
    }
    subscription.request(1);
  }

  @Override
  public void onError(Throwable throwable) {
    // The body is thrown away whatever happens to it; the attempt has failed already.
    ended();
  }

  @Override
  public void onComplete() {
    ended();
  }

  /** Cuts the body off if it is still being read. Thread-safe; idempotent. */
  public void stop() {
    Flow.Subscription current = subscription;
    if (current != null && !body.isDone()) {
      current.cancel();
    }
    ended();
  }

  private void ended() {
    body.complete(DISCARDED);
    ScheduledTask timer = drainTimer;
    if (timer != null) {
      timer.cancel();
    }
  }
}
