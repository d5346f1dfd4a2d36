package dev.resilienthttp.time;

import dev.resilienthttp.internal.DefaultTimeSource;
import java.util.Objects;
import java.util.function.Supplier;

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
   * Asks this source not to move its clock forward on its own until the returned hold is
   * closed. The retry engine holds the clock while it reports a retry and starts the attempt
   * after it, two steps that another thread driving a virtual clock whenever the call looks idle
   * must see as one: without the hold, such a driver could run the call's wait while listeners
   * still hear of the retry, then move on to a later timer (the call's deadline) before the next
   * attempt had started. Tasks already due may still run while the clock is held; explicit moves
   * (a test advancing a virtual clock by hand) are not held back.
   *
   * <p>A real clock cannot be held: the default returns {@link Hold#NONE}, which does nothing and
   * allocates nothing. A time source wrapping another should forward this method.
   *
   * @return the hold, to be closed exactly once by whoever took it, on any thread
   */
  default Hold hold() {
    return Hold.NONE;
  }

  /** A hold on a time source's clock ({@link TimeSource#hold()}); closing it releases it. */
  @FunctionalInterface
  interface Hold extends AutoCloseable {

    /** The hold of a clock that cannot be held: closing it does nothing. */
    Hold NONE = () -> {};

    /** Releases the hold; closing it again does nothing. */
    @Override
    void close();
  }

  /**
   * Runs {@code build} so that every object of the library it builds without a time source set
   * explicitly uses {@code timeSource} instead of {@link #system()}, and returns what it built.
   * A layer that builds objects from its users' factories (per-backend breakers from {@code
   * CircuitBreaker::ofDefaults}, say) wraps each factory call in this so that those objects
   * follow the layer's own clock, a virtual one in tests included.
   *
   * <p>It applies to {@link dev.resilienthttp.breaker.CircuitBreaker#builder(String)} and {@link
   * dev.resilienthttp.breaker.CircuitBreaker#ofDefaults(String)}, {@link
   * dev.resilienthttp.retry.Retry#with} and {@link dev.resilienthttp.retry.Retry#builder()}, {@link
   * dev.resilienthttp.flight.SingleFlight#create()} and {@link
   * dev.resilienthttp.backend.BackendRegistry#builder}, each read when the object is built
   * ({@code build()}, or the factory method itself). A {@link
   * dev.resilienthttp.budget.RetryBudget} reads no clock. Only objects built on this thread,
   * during {@code build}, are affected; calls nest, the innermost applying, and the thread keeps
   * nothing afterwards.
   *
   * @throws NullPointerException if an argument is null
   */
  static <T> T withDefault(TimeSource timeSource, Supplier<T> build) {
    Objects.requireNonNull(timeSource, "timeSource");
    Objects.requireNonNull(build, "build");
    return DefaultTimeSource.with(timeSource, build);
  }

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
