package dev.resilienthttp.retry;

import java.time.Duration;

/** The retrier of one attempt. */
final class NoRetry implements Retrier {

  static final NoRetry INSTANCE = new NoRetry();

  private NoRetry() {}

  @Override
  public int maxAttempts() {
    return 1;
  }

  @Override
  public boolean shouldRetry(RetryContext context, Throwable failure, int attempt) {
    return false;
  }

  @Override
  public Duration delay(RetryContext context, Throwable failure, int attempt) {
    return Duration.ZERO;
  }

  @Override
  public long delayNanos(RetryContext context, Throwable failure, int attempt) {
    return 0;
  }

  @Override
  public String toString() {
    return "Retrier.none()";
  }
}
