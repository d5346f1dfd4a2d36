package dev.resilienthttp.retry;

/** Why the engine stopped retrying a call that had failed. */
public enum GiveUpReason {
  /** The retrier declined the failure; it was rethrown as it was. */
  NOT_RETRYABLE,
  /** Every attempt the retrier allows was made. */
  MAX_ATTEMPTS,
  /** The call's deadline passed, or the next attempt could not start before it. */
  DEADLINE,
  /** The server asked for a longer wait (for example with Retry-After) than allowed. */
  RETRY_AFTER_TOO_LONG,
  /** A retry budget shared by many calls had no retry left. */
  BUDGET_EXHAUSTED,
  /** A circuit breaker refused the next attempt. */
  CIRCUIT_OPEN,
  /** The call was cancelled or its thread interrupted. */
  CANCELLED
}
