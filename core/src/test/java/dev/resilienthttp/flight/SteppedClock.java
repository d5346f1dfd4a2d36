package dev.resilienthttp.flight;

import dev.resilienthttp.time.ScheduledTask;
import dev.resilienthttp.time.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A clock that moves only when a test calls {@link #advance}, running the tasks that fall due on
 * the way. Starts one hour before {@code Long.MAX_VALUE} so that readings overflow in the tests.
 * (The testing module's {@code VirtualTime} depends on core, so core's tests carry this one.)
 */
final class SteppedClock implements TimeSource {

  private long now = Long.MAX_VALUE - Duration.ofHours(1).toNanos();
  private final long start = now;
  private final List<Timer> timers = new ArrayList<>();

  @Override
  public synchronized long nanoTime() {
    return now;
  }

  @Override
  public void sleep(long nanos) {
    throw new UnsupportedOperationException("the single flight never sleeps");
  }

  @Override
  public synchronized ScheduledTask schedule(Runnable task, long delayNanos) {
    Timer timer = new Timer(now + delayNanos, task);
    timers.add(timer);
    return () -> {
      synchronized (this) {
        return timers.remove(timer);
      }
    };
  }

  /** Moves the clock forward, running due tasks in due order, each at its due time. */
  void advance(Duration duration) {
    long target;
    synchronized (this) {
      target = now + duration.toNanos();
    }
    while (true) {
      Timer due = null;
      synchronized (this) {
        for (Timer timer : timers) {
          if (timer.due - target <= 0 && (due == null || timer.due - due.due < 0)) {
            due = timer;
          }
        }
        if (due == null) {
          now = target;
          return;
        }
        timers.remove(due);
        now = due.due;
      }
      due.task.run();
    }
  }

  synchronized Duration elapsed() {
    return Duration.ofNanos(now - start);
  }

  synchronized int pendingTimers() {
    return timers.size();
  }

  private static final class Timer {
    final long due;
    final Runnable task;

    Timer(long due, Runnable task) {
      this.due = due;
      this.task = task;
    }
  }
}
