package dev.resilienthttp.time;

/** A task scheduled by a {@link TimeSource}. */
@FunctionalInterface
public interface ScheduledTask {

  /**
   * Prevents the task from running if it has not started yet.
   *
   * @return {@code true} if this call stopped the task from running
   */
  boolean cancel();
}
