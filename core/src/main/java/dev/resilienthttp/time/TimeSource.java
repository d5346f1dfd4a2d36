package dev.resilienthttp.time;

/**
 * The one source of time for everything the library does: reading a monotonic clock, blocking
 * a thread for a synchronous wait, and scheduling a task for an asynchronous one.
 *
 * <p>Every wait in the library goes through a {@code TimeSource}, so tests can substitute a
 * virtual one ({@code dev.resilienthttp.testing.VirtualTime}) and assert exact schedules
 * without sleeping. Implementations must be thread-safe.
 */
public interface TimeSource {

  /**
   * Returns the current value of a monotonic clock, in nanoseconds. Only differences between
   * two readings are meaningful; the value may be negative and may overflow, so compare
   * readings with {@code a - b < 0}, never {@code a < b}.
   */
  long nanoTime();

  /**
   * Blocks the calling thread for {@code nanos} nanoseconds of this source's time.
   *
   * @throws InterruptedException if the thread is interrupted while waiting; the interrupt
   *     flag is then clear, as with {@link Thread#sleep(long)}
   */
  void sleep(long nanos) throws InterruptedException;

  /**
   * Runs {@code task} once, {@code delayNanos} nanoseconds of this source's time from now,
   * without blocking the caller. The task must not block for long.
   *
   * @return a handle that cancels the task if it has not started yet
   */
  ScheduledTask schedule(Runnable task, long delayNanos);

  /**
   * Returns the time source backed by {@link System#nanoTime()}, {@link Thread#sleep(long,
   * int)} and the library's own scheduler. Scheduled tasks never run on the common fork-join
   * pool (whose size and load belong to the application, and which may have no thread at all):
   * one daemon timer thread, {@code resilient-http-timer}, waits for due times and hands each due
   * task to a small pool of daemon threads, {@code resilient-http-async-1}, {@code -2}, ... (at
   * most the number of processors, between 2 and 8; further due tasks queue, none is rejected).
   * Each thread ends after about two seconds with nothing to do and the threads start again on
   * demand, so an idle library holds no thread and pins no class loader. A cancelled task is
   * removed from the timer's queue at once.
   */
  static TimeSource system() {
    return SystemTimeSource.INSTANCE;
  }
}
