package dev.resilienthttp.testing;

import dev.resilienthttp.time.ScheduledTask;
import dev.resilienthttp.time.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * A {@link TimeSource} whose clock moves only when told, so tests assert exact schedules
 * without sleeping.
 *
 * <ul>
 *   <li>{@link #sleep} does not block: it moves the clock forward by the sleep, records the wait
 *       and returns. Sleeps on different threads add up (two 400 ms sleeps move the clock
 *       800 ms), so use it for one sleeper at a time. An interrupted thread gets an {@link
 *       InterruptedException} at once, as from {@link Thread#sleep}. For several threads
 *       sleeping at once, use {@link #withBlockingSleeps()}.
 *   <li>{@link #schedule} queues the task; it runs when the clock is moved past its due time by
 *       {@link #advance}, {@link #runNext} or {@link #drive}, on the thread that moved the clock,
 *       in due order (ties in the order scheduled).
 *   <li>{@link #hold()} keeps {@link #drive} from moving the clock forward until the hold is
 *       closed; the retry engine holds it between reporting a retry and starting the attempt
 *       after it, so a driven clock never runs ahead of a call in between.
 * </ul>
 *
 * <p>The clock starts near {@code Long.MAX_VALUE} so that code comparing {@code nanoTime()}
 * readings with {@code <} instead of subtraction fails its tests on overflow.
 *
 * <p>Thread-safe.
 */
public final class VirtualTime implements TimeSource {

  /** The first reading: one hour before {@code Long.MAX_VALUE}, so readings overflow soon. */
  public static final long START_NANOS = Long.MAX_VALUE - TimeUnit.HOURS.toNanos(1);

  private static final long NO_PROGRESS_LIMIT_MILLIS = 30_000;

  private final Object lock = new Object();
  private final PriorityQueue<Timer> timers = new PriorityQueue<>();
  private final List<Duration> sleeps = new ArrayList<>();
  private final List<Duration> scheduledDelays = new ArrayList<>();
  private final boolean blockingSleeps;
  private long now = START_NANOS;
  private long sequence;
  /** Holds taken and not yet closed ({@link #hold()}): {@link #drive} moves no clock meanwhile. */
  private int holds;

  private VirtualTime(boolean blockingSleeps) {
    this.blockingSleeps = blockingSleeps;
  }

  /** Returns a new virtual clock reading {@link #START_NANOS} with nothing scheduled. */
  public static VirtualTime create() {
    return new VirtualTime(false);
  }

  /**
   * Returns a new virtual clock whose {@link #sleep} blocks, for tests where several threads
   * sleep at once: a sleep of {@code d} blocks the sleeping thread until another thread moves
   * the clock to {@code d} after the sleep began ({@link #advance}, {@link #runNext} or {@link
   * #drive}), so two threads sleeping 400 ms from the same instant both wake when the clock
   * has moved 400 ms. A blocked sleep counts in {@link #pendingTasks()} (a test can wait until
   * its callers are all asleep, then move the clock) and is recorded in {@link #sleeps()}, not
   * in {@link #scheduledDelays()}. An interrupt ends it with an {@link InterruptedException}.
   * A sleep of zero or less returns at once. Everything else is as {@link #create()}.
   */
  public static VirtualTime withBlockingSleeps() {
    return new VirtualTime(true);
  }

  @Override
  public long nanoTime() {
    synchronized (lock) {
      return now;
    }
  }

  /** The virtual time elapsed since this clock was created. */
  public Duration elapsed() {
    return Duration.ofNanos(nanoTime() - START_NANOS);
  }

  @Override
  public void sleep(long nanos) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted before a virtual sleep of " + nanos + " ns");
    }
    if (blockingSleeps) {
      blockingSleep(nanos);
      return;
    }
    synchronized (lock) {
      sleeps.add(Duration.ofNanos(Math.max(0, nanos)));
      long wake = now + Math.max(0, nanos);
      if (wake - now > 0) {
        now = wake;
      }
      lock.notifyAll();
    }
  }

  /* A blocking sleep is a timer like any other, so everything that moves the clock wakes it in
   * due order; only the sleeping thread waits for it. */
  private void blockingSleep(long nanos) throws InterruptedException {
    java.util.concurrent.CountDownLatch woken = new java.util.concurrent.CountDownLatch(1);
    Timer timer;
    synchronized (lock) {
      sleeps.add(Duration.ofNanos(Math.max(0, nanos)));
      if (nanos <= 0) {
        return;
      }
      timer = new Timer(now + nanos, sequence++, woken::countDown);
      timers.add(timer);
      lock.notifyAll();
    }
    try {
      woken.await();
    } catch (InterruptedException interrupted) {
      synchronized (lock) {
        timers.remove(timer);
      }
      throw interrupted;
    }
  }

  @Override
  public ScheduledTask schedule(Runnable task, long delayNanos) {
    Objects.requireNonNull(task, "task");
    Timer timer;
    synchronized (lock) {
      long delay = Math.max(0, delayNanos);
      scheduledDelays.add(Duration.ofNanos(delay));
      timer = new Timer(now + delay, sequence++, task);
      timers.add(timer);
      lock.notifyAll();
    }
    return () -> {
      synchronized (lock) {
        return timers.remove(timer);
      }
    };
  }

  /**
   * Holds the clock: until the hold is closed, {@link #drive} does not move the clock forward
   * (it still runs tasks already due, and waits for the hold to be released before anything
   * later). The retry engine holds it while it reports a retry and starts the attempt after it.
   * {@link #advance} and {@link #runNext} are explicit and not held back.
   */
  @Override
  public Hold hold() {
    synchronized (lock) {
      holds++;
    }
    AtomicBoolean closed = new AtomicBoolean();
    return () -> {
      if (closed.compareAndSet(false, true)) {
        synchronized (lock) {
          holds--;
          lock.notifyAll();
        }
      }
    };
  }

  /** Whether a {@link #hold()} is taken and not yet closed. */
  public boolean isHeld() {
    synchronized (lock) {
      return holds > 0;
    }
  }

  /**
   * Moves the clock forward by {@code duration}, running every task that falls due on the way,
   * each with the clock at its due time.
   *
   * @throws IllegalArgumentException if {@code duration} is negative
   */
  public void advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration must be >= 0 but was " + duration);
    }
    long target;
    synchronized (lock) {
      target = now + duration.toNanos();
    }
    while (true) {
      Timer due;
      synchronized (lock) {
        Timer next = timers.peek();
        if (next == null || next.due - target > 0) {
          if (target - now > 0) {
            now = target;
          }
          return;
        }
        due = timers.poll();
        if (due.due - now > 0) {
          now = due.due;
        }
      }
      due.task.run();
    }
  }

  /**
   * Moves the clock to the earliest scheduled task and runs it.
   *
   * @return {@code false} if nothing was scheduled
   */
  public boolean runNext() {
    Timer due;
    synchronized (lock) {
      due = timers.poll();
      if (due == null) {
        return false;
      }
      if (due.due - now > 0) {
        now = due.due;
      }
    }
    due.task.run();
    return true;
  }

  /**
   * Runs scheduled tasks in due order, moving the clock, until {@code future} completes, and
   * returns it. When nothing is scheduled it waits for something to be scheduled or for the
   * future to complete (an attempt doing real I/O on another thread).
   *
   * <p>It moves the clock whenever a task is queued (and the clock is not {@linkplain #hold()
   * held}), so it suits calls whose attempts complete
   * before control comes back to the scheduler, or that do real I/O but have no timer pending
   * meanwhile: no deadline, and no cached bearer token with a lifetime (a client schedules the
   * token's refresh point, so the clock would jump there while a request is on the wire).
   * Otherwise use {@link #drive(CompletableFuture, BooleanSupplier)}.
   *
   * @throws AssertionError if nothing happens for 30 s of real time (a hung test)
   */
  public <T> CompletableFuture<T> drive(CompletableFuture<T> future) {
    return drive(future, () -> true);
  }

  /**
   * As {@link #drive(CompletableFuture)}, but the clock moves only while {@code mayAdvance}
   * says so, for example "no attempt is in flight" ({@link InFlightAttempts}). It is
   * re-checked whenever a task is scheduled, the clock is read after a sleep, a {@link #hold()}
   * is released, or the future completes.
   *
   * @throws AssertionError if nothing happens for 30 s of real time (a hung test)
   */
  public <T> CompletableFuture<T> drive(CompletableFuture<T> future, BooleanSupplier mayAdvance) {
    future.whenComplete((result, failure) -> wake());
    // A safety net against a hung test, not a timing assertion: real time since the last progress.
    long lastProgress = System.nanoTime();
    long lastSequence = -1;
    while (!future.isDone()) {
      Timer due = null;
      synchronized (lock) {
        if (sequence != lastSequence) {
          lastSequence = sequence;
          lastProgress = System.nanoTime();
        }
        if (!future.isDone()) {
          Timer next = timers.peek();
          if (next != null && (holds == 0 || next.due - now <= 0) && mayAdvance.getAsBoolean()) {
            due = timers.poll();
            if (due.due - now > 0) {
              now = due.due;
            }
          } else {
            long waitedMillis = (System.nanoTime() - lastProgress) / 1_000_000L;
            if (waitedMillis >= NO_PROGRESS_LIMIT_MILLIS) {
              throw new AssertionError(
                  "no progress for " + NO_PROGRESS_LIMIT_MILLIS + " ms of real time while driving " + future);
            }
            try {
              lock.wait(NO_PROGRESS_LIMIT_MILLIS - waitedMillis);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new AssertionError("interrupted while driving virtual time", e);
            }
          }
        }
      }
      if (due != null) {
        due.task.run();
        lastProgress = System.nanoTime();
      }
    }
    return future;
  }

  /** Wakes threads in {@link #drive} to re-check their condition. */
  public void wake() {
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  /** The number of tasks scheduled and not yet run or cancelled. */
  public int pendingTasks() {
    synchronized (lock) {
      return timers.size();
    }
  }

  /** Every duration passed to {@link #sleep}, in call order. */
  public List<Duration> sleeps() {
    synchronized (lock) {
      return List.copyOf(sleeps);
    }
  }

  /** Every delay passed to {@link #schedule}, in call order. */
  public List<Duration> scheduledDelays() {
    synchronized (lock) {
      return List.copyOf(scheduledDelays);
    }
  }

  @Override
  public String toString() {
    return "VirtualTime{elapsed=" + elapsed() + ", pending=" + pendingTasks() + '}';
  }

  private static final class Timer implements Comparable<Timer> {
    final long due;
    final long sequence;
    final Runnable task;

    Timer(long due, long sequence, Runnable task) {
      this.due = due;
      this.sequence = sequence;
      this.task = task;
    }

    @Override
    public int compareTo(Timer other) {
      long byDue = due - other.due;
      if (byDue != 0) {
        return byDue < 0 ? -1 : 1;
      }
      return Long.compare(sequence, other.sequence);
    }
  }
}
