package dev.resilienthttp.retry;

import java.time.Duration;
import java.util.Optional;

/**
 * What a {@link Retrier} may know about the call it is deciding for. One context per call;
 * read it only during the {@code Retrier} method it was passed to.
 */
public interface RetryContext {

  /** The name of the {@link Retry} running the call ({@code "retry"} unless named). */
  String name();

  /** The number of attempts started so far, counting the current one. */
  int attempts();

  /** The time since the call started, read from the engine's time source. */
  Duration elapsed();

  /** The time left before the call's deadline, or empty when the call has none. */
  Optional<Duration> remaining();

  /**
   * The delay the engine waited before the current attempt, in nanoseconds; 0 before the
   * first retry. Decorrelated jitter grows from it.
   */
  long previousDelayNanos();
}
