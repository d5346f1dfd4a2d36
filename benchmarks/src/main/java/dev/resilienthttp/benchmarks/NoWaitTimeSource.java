package dev.resilienthttp.benchmarks;

import dev.resilienthttp.time.ScheduledTask;
import dev.resilienthttp.time.TimeSource;

/**
 * A time source that reads the real monotonic clock but skips every wait: the engine still
 * computes each delay and asks to sleep, and the sleep returns at once. It lets a benchmark
 * measure the engine's own work between attempts, not the length of a delay.
 */
final class NoWaitTimeSource implements TimeSource {

  static final NoWaitTimeSource INSTANCE = new NoWaitTimeSource();

  private NoWaitTimeSource() {}

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public void sleep(long nanos) {
    // The wait is skipped on purpose.
  }

  @Override
  public ScheduledTask schedule(Runnable task, long delayNanos) {
    task.run();
    return () -> false;
  }
}
