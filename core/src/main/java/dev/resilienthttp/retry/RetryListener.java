package dev.resilienthttp.retry;

import java.time.Duration;

/**
 * Observes calls made through a {@link Retry}. Every method has a no-op default, so events can
 * be added without breaking implementations.
 *
 * <p>Listeners run on the calling thread (or the thread completing an asynchronous attempt) and
 * must be fast and must not block. An exception thrown by a listener is logged through {@link
 * System.Logger} and never breaks the call. When no listener is registered the engine builds no
 * event at all.
 */
public interface RetryListener {

  /** Attempt number {@code attempt} (1 for the first) is about to start. */
  default void onAttemptStarted(RetryContext context, int attempt) {}

  /**
   * Attempt number {@code attempt} failed with {@code failure} and the next one will start
   * after {@code delay}.
   */
  default void onRetryScheduled(
      RetryContext context, int attempt, Duration delay, Throwable failure) {}

  /** The call succeeded on attempt number {@code attempts}. */
  default void onSuccess(RetryContext context, int attempts) {}

  /**
   * The call failed for good after {@code attempts} attempts; {@code failure} is the last
   * failure.
   */
  default void onGiveUp(
      RetryContext context, GiveUpReason reason, int attempts, Throwable failure) {}
}
