package dev.resilienthttp.time;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

/** The wall-clock {@link TimeSource}; its tasks run on the library's {@link DaemonScheduler}. */
final class SystemTimeSource implements TimeSource {

  static final SystemTimeSource INSTANCE = new SystemTimeSource();

  private SystemTimeSource() {}

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public void sleep(long nanos) throws InterruptedException {
    if (nanos <= 0) {
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      return;
    }
    TimeUnit.NANOSECONDS.sleep(nanos);
  }

  @Override
  public ScheduledTask schedule(Runnable task, long delayNanos) {
    Objects.requireNonNull(task, "task");
    return DaemonScheduler.system().schedule(task, delayNanos);
  }

  @Override
  public String toString() {
    return "TimeSource.system()";
  }
}
