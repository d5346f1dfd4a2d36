package dev.resilienthttp.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Retries after the same delay every time. Immutable and thread-safe.
 *
 * <pre>{@code
 * Retrier retrier = FixedDelayRetrier.of(4, Duration.ofMillis(250));
 * }</pre>
 */
public final class FixedDelayRetrier implements Retrier {

  private final int maxAttempts;
  private final long delayNanos;
  private final Predicate<? super Throwable> retryIf;

  private FixedDelayRetrier(int maxAttempts, Duration delay, Predicate<? super Throwable> retryIf) {
    this.maxAttempts = Checks.atLeastOne("maxAttempts", maxAttempts);
    this.delayNanos = Checks.notNegative("delay", delay).toNanos();
    this.retryIf = Objects.requireNonNull(retryIf, "retryIf");
  }

  /**
   * Returns a retrier making at most {@code maxAttempts} attempts, {@code delay} apart, that
   * retries every {@linkplain Retrier#isTransientFailure transient failure}: every {@link
   * Exception} but those reporting a programming error (such as a {@link NullPointerException}),
   * no {@link Error}.
   *
   * @throws IllegalArgumentException if {@code maxAttempts < 1}, or {@code delay} is negative or
   *     longer than {@code Long.MAX_VALUE} nanoseconds (about 292 years)
   */
  public static FixedDelayRetrier of(int maxAttempts, Duration delay) {
    return new FixedDelayRetrier(maxAttempts, delay, Retrier::isTransientFailure);
  }

  /**
   * Returns a copy of this retrier that retries only the failures {@code retryIf} accepts, in
   * place of {@link Retrier#isTransientFailure}.
   */
  public FixedDelayRetrier retryIf(Predicate<? super Throwable> retryIf) {
    return new FixedDelayRetrier(maxAttempts, Duration.ofNanos(delayNanos), retryIf);
  }

  @Override
  public int maxAttempts() {
    return maxAttempts;
  }

  @Override
  public boolean shouldRetry(RetryContext context, Throwable failure, int attempt) {
    return retryIf.test(failure);
  }

  @Override
  public Duration delay(RetryContext context, Throwable failure, int attempt) {
    return Duration.ofNanos(delayNanos);
  }

  @Override
  public long delayNanos(RetryContext context, Throwable failure, int attempt) {
    return delayNanos;
  }

  @Override
  public String toString() {
    return "FixedDelayRetrier{maxAttempts=" + maxAttempts + ", delay=" + Duration.ofNanos(delayNanos) + '}';
  }
}
