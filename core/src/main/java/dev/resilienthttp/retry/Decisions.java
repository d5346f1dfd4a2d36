package dev.resilienthttp.retry;

/**
 * The decisions every failing call makes the same, built once: giving up after the usual
 * numbers of attempts, and retrying without a wait. An outage makes every call give up, so
 * the engine's own decisions should not allocate on that path.
 */
final class Decisions {

  /** Give-up decisions for {@code maxAttempts} 1 to 16, the index being the count. */
  private static final RetryDecision.GiveUp[] MAX_ATTEMPTS = new RetryDecision.GiveUp[17];

  static final RetryDecision.RetryAfter NO_WAIT = new RetryDecision.RetryAfter(0);

  static {
    for (int attempts = 1; attempts < MAX_ATTEMPTS.length; attempts++) {
      MAX_ATTEMPTS[attempts] = new RetryDecision.GiveUp(
          GiveUpReason.MAX_ATTEMPTS, RetryDecision.maxAttemptsDetail(attempts));
    }
  }

  private Decisions() {}

  /** Giving up because {@code maxAttempts} attempts were made. */
  static RetryDecision.GiveUp maxAttempts(int maxAttempts) {
    if (maxAttempts > 0 && maxAttempts < MAX_ATTEMPTS.length) {
      return MAX_ATTEMPTS[maxAttempts];
    }
    return new RetryDecision.GiveUp(
        GiveUpReason.MAX_ATTEMPTS, RetryDecision.maxAttemptsDetail(maxAttempts));
  }

  /** Retrying after {@code delayNanos}; validated as {@link RetryDecision.RetryAfter} does. */
  static RetryDecision.RetryAfter retryAfterNanos(long delayNanos) {
    return delayNanos == 0 ? NO_WAIT : new RetryDecision.RetryAfter(delayNanos);
  }
}
