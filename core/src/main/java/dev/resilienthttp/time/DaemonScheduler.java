package dev.resilienthttp.time;

import java.lang.System.Logger.Level;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The library's own scheduler behind {@link TimeSource#system()}: one timer thread ({@code
 * <name>-timer}) that only waits for due times and hands each due task to a small pool of worker
 * threads ({@code <name>-async-1}, {@code -2}, ...), so a slow task never delays the next timer
 * and no task ever runs on the common fork-join pool, whose size and load belong to the
 * application.
 *
 * <p>Every thread is a daemon, inherits no inheritable thread-local, has the system class loader
 * as its context class loader, and ends once it has been idle for the keep-alive time; the
 * threads start again on demand. So a scheduler with nothing to do holds no thread, and an
 * application's class loader is never pinned by one. The worker pool never rejects a task: past
 * its thread limit tasks queue. A cancelled task is removed from the timer's queue at once, so a
 * cancelled long wait does not keep its task until it would have fired.
 */
final class DaemonScheduler {

  private static final System.Logger LOG = System.getLogger("dev.resilienthttp.time");

  /** How long a thread with nothing to do stays alive. */
  static final long DEFAULT_KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final ScheduledThreadPoolExecutor timer;
  private final ThreadPoolExecutor workers;

  /**
   * @param name the prefix of the threads' names
   * @param keepAliveNanos how long an idle thread lives on, at least 1 ns
   * @param maxWorkers the most worker threads running tasks at once, at least 1
   */
  DaemonScheduler(String name, long keepAliveNanos, int maxWorkers) {
    timer = new ScheduledThreadPoolExecutor(1, daemons(name + "-timer", false));
    timer.setRemoveOnCancelPolicy(true);
    timer.setKeepAliveTime(keepAliveNanos, TimeUnit.NANOSECONDS);
    timer.allowCoreThreadTimeOut(true);
    workers = new ThreadPoolExecutor(
        maxWorkers, maxWorkers, keepAliveNanos, TimeUnit.NANOSECONDS, new LinkedBlockingQueue<>(),
        daemons(name + "-async-", true));
    workers.allowCoreThreadTimeOut(true);
  }

  /** The scheduler of {@link TimeSource#system()}: threads {@code resilient-http-...}. */
  static DaemonScheduler system() {
    return Shared.INSTANCE;
  }

  private static final class Shared {
    static final DaemonScheduler INSTANCE =
        new DaemonScheduler(
            "resilient-http",
            DEFAULT_KEEP_ALIVE_NANOS,
            Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors())));
  }

  /** Runs {@code task} on a worker thread once {@code delayNanos} have passed. */
  ScheduledTask schedule(Runnable task, long delayNanos) {
    Task scheduled = new Task(task);
    scheduled.timer = timer.schedule(scheduled, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    return scheduled;
  }

  /** The timer tasks waiting for their due time (cancelled ones are removed). */
  int queuedTimers() {
    return timer.getQueue().size();
  }

  /** The threads alive now, timer and workers. */
  int liveThreads() {
    return timer.getPoolSize() + workers.getPoolSize();
  }

  private static ThreadFactory daemons(String name, boolean numbered) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      String threadName = numbered ? name + count.incrementAndGet() : name;
      Thread thread = new Thread(null, runnable, threadName, 0, false);
      thread.setDaemon(true);
      thread.setContextClassLoader(ClassLoader.getSystemClassLoader());
      return thread;
    };
  }

  /**
   * A scheduled task: first the timer's, which hands it to the workers, then the workers'. It
   * runs at most once, and not at all once cancelled, even when cancelled after the hand-off.
   */
  private final class Task implements Runnable, ScheduledTask {
    private static final int PENDING = 0;
    private static final int HANDED_OFF = 1;
    private static final int STARTED = 2;
    private static final int CANCELLED = 3;

    private final Runnable task;
    private final AtomicInteger state = new AtomicInteger(PENDING);
    volatile ScheduledFuture<?> timer;

    Task(Runnable task) {
      this.task = task;
    }

    @Override
    public void run() {
      if (state.compareAndSet(PENDING, HANDED_OFF)) {
        workers.execute(this);
        return;
      }
      if (!state.compareAndSet(HANDED_OFF, STARTED)) {
        return; // cancelled after the hand-off
      }
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, () -> "a task scheduled on " + Thread.currentThread().getName()
            + " threw " + e.getClass().getName(), e);
      }
    }

    @Override
    public boolean cancel() {
      while (true) {
        int now = state.get();
        if (now == STARTED || now == CANCELLED) {
          return false;
        }
        if (state.compareAndSet(now, CANCELLED)) {
          ScheduledFuture<?> queued = timer;
          if (queued != null) {
            queued.cancel(false);
          }
          return true;
        }
      }
    }
  }
}
