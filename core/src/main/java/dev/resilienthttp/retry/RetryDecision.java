package dev.resilienthttp.retry;

import dev.resilienthttp.internal.DurationChecks;
import java.time.Duration;
import java.util.Objects;

/**
 * The answer to "what now?" after a failed attempt: retry after a delay, give up for a reason,
 * or rethrow the failure as it is. Returned by {@link Retrier#decide}.
 */
public sealed interface RetryDecision {

  /** Retry after waiting {@code delayNanos} nanoseconds. */
  record RetryAfter(long delayNanos) implements RetryDecision {
    /**
     * @throws IllegalArgumentException if {@code delayNanos} is negative
     */
    public RetryAfter {
      if (delayNanos < 0) {
        throw new IllegalArgumentException("delay must be >= 0 ns but was " + delayNanos + " ns");
      }
    }
  }

  /** Stop retrying; the caller gets a {@link RetryExhaustedException} saying why. */
  record GiveUp(GiveUpReason reason, String detail) implements RetryDecision {
    /**
     * @throws IllegalArgumentException if {@code reason} is {@link GiveUpReason#NOT_RETRYABLE}
     *     (use {@link #rethrow()})
     */
    public GiveUp {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
      if (reason == GiveUpReason.NOT_RETRYABLE) {
        throw new IllegalArgumentException(
            "reason must not be NOT_RETRYABLE for a GiveUp; use RetryDecision.rethrow()");
      }
    }
  }

  /** The failure is not retryable: rethrow it to the caller unwrapped. */
  final class Rethrow implements RetryDecision {
    static final Rethrow INSTANCE = new Rethrow();

    private Rethrow() {}

    @Override
    public String toString() {
      return "Rethrow";
    }
  }

  /**
   * Retry after {@code delay}.
   *
   * @throws IllegalArgumentException if {@code delay} is negative or longer than {@code
   *     Long.MAX_VALUE} nanoseconds (about 292 years)
   */
  static RetryDecision retryAfter(Duration delay) {
    return Decisions.retryAfterNanos(DurationChecks.nonNegativeNanos("delay", delay));
  }

  /** Retry after {@code delayNanos} nanoseconds. */
  static RetryDecision retryAfterNanos(long delayNanos) {
    return Decisions.retryAfterNanos(delayNanos);
  }

  /** Give up for {@code reason}; {@code detail} starts the exception message. */
  static RetryDecision giveUp(GiveUpReason reason, String detail) {
    return new GiveUp(reason, detail);
  }

  /** Rethrow the failure unwrapped. */
  static RetryDecision rethrow() {
    return Rethrow.INSTANCE;
  }

  /** The detail of {@link GiveUpReason#MAX_ATTEMPTS}: {@code max retry attempts (3) reached}. */
  static String maxAttemptsDetail(int maxAttempts) {
    return "max retry attempts (" + maxAttempts + ") reached";
  }
}
