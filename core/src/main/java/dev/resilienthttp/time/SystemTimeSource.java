package dev.resilienthttp.time;

import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The wall-clock {@link TimeSource}. */
final class SystemTimeSource implements TimeSource {

  static final SystemTimeSource INSTANCE = new SystemTimeSource();

  /* One timer thread for the whole JVM, created on first use. Due tasks are handed to the
   * common pool at once so that a slow task never delays the next timer (the same split as
   * CompletableFuture.delayedExecutor). Cancelled tasks are removed from the queue, so a
   * cancelled long wait does not pin its task until it would have fired. */
  private static final class Timer {
    static final ScheduledThreadPoolExecutor EXECUTOR = newTimer();

    private static ScheduledThreadPoolExecutor newTimer() {
      ScheduledThreadPoolExecutor timer =
          new ScheduledThreadPoolExecutor(
              1,
              runnable -> {
                Thread thread = new Thread(runnable, "resilient-http-timer");
                thread.setDaemon(true);
                return thread;
              });
      timer.setRemoveOnCancelPolicy(true);
      return timer;
    }
  }

  private final Executor executor = ForkJoinPool.commonPool();

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
    ScheduledFuture<?> future =
        Timer.EXECUTOR.schedule(
            () -> executor.execute(task), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    return () -> future.cancel(false);
  }

  @Override
  public String toString() {
    return "TimeSource.system()";
  }
}
