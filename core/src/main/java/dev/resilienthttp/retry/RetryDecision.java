package dev.resilienthttp.retry;

import dev.resilienthttp.internal.DurationChecks;
import java.time.Duration;
import java.util.Objects;

/**
 * The answer to "what now?" after a failed attempt: retry after a delay, give up for a reason,
 * or rethrow the failure as it is. Returned by {@link Retrier#decide}.
 */
public sealed interface RetryDecision {

  /**
   * What a retry costs the call's retry budget, when it has one. A layer that knows more than
   * the failure's type says (an HTTP timeout, a replay the server invited) chooses; a retrier
   * need not.
   */
  enum Charge {
    /** The engine's rule: a retry after a timeout costs the budget's timeout price, others its retry price. */
    BY_FAILURE,
    /** The budget's retry price. */
    RETRY,
    /** The budget's price of a retry after a timeout. */
    TIMEOUT_RETRY,
    /**
     * Nothing: a retry that adds no load an outage could multiply (a replay with a fresh
     * credential after the server refused the old one, before processing the request).
     */
    FREE
  }

  /** Retry after waiting {@code delayNanos} nanoseconds, charged to the budget as {@code charge} says. */
  record RetryAfter(long delayNanos, Charge charge) implements RetryDecision {
    /**
     * @throws IllegalArgumentException if {@code delayNanos} is negative
     */
    public RetryAfter {
      if (delayNanos < 0) {
        throw new IllegalArgumentException("delay must be >= 0 ns but was " + delayNanos + " ns");
      }
      Objects.requireNonNull(charge, "charge");
    }

    /** Retry after {@code delayNanos}, charged {@link Charge#BY_FAILURE}. */
    public RetryAfter(long delayNanos) {
      this(delayNanos, Charge.BY_FAILURE);
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

  /**
   * Retry after {@code delayNanos} nanoseconds, charged to the budget as {@code charge} says.
   *
   * @throws IllegalArgumentException if {@code delayNanos} is negative
   */
  static RetryDecision retryAfterNanos(long delayNanos, Charge charge) {
    return charge == Charge.BY_FAILURE ? Decisions.retryAfterNanos(delayNanos) : new RetryAfter(delayNanos, charge);
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
