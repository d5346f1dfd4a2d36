package dev.resilienthttp.http;

import dev.resilienthttp.retry.RetryContext;
import dev.resilienthttp.retry.RetryListener;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the attempts the client itself starts, through the public listener API. Beside a
 * server's request count, which may also show java.net.http's own silent resend of a GET (when
 * a pooled connection closes before any byte of the response), this count is exact.
 */
final class AttemptCounter implements RetryListener {

  private final AtomicInteger attempts = new AtomicInteger();

  @Override
  public void onAttemptStarted(RetryContext context, int attempt) {
    attempts.incrementAndGet();
  }

  int attempts() {
    return attempts.get();
  }
}
