package dev.resilienthttp.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The scheduler behind {@link TimeSource#system()}: its own daemon threads, never the common
 * pool, ending when idle and starting again on demand. Waits here are generous safety nets on
 * latches and joins, never timing assertions.
 */
class DaemonSchedulerTest {

  private static final long GENEROUS_SECONDS = 30;
  private static final AtomicInteger SCHEDULERS = new AtomicInteger();

  private static String uniqueName() {
    return "test-scheduler-" + SCHEDULERS.incrementAndGet();
  }

  private static Thread runAndCapture(TimeSource time) throws InterruptedException {
    AtomicReference<Thread> ranOn = new AtomicReference<>();
    CountDownLatch ran = new CountDownLatch(1);
    time.schedule(() -> {
      ranOn.set(Thread.currentThread());
      ran.countDown();
    }, TimeUnit.MILLISECONDS.toNanos(1));
    assertThat(ran.await(GENEROUS_SECONDS, TimeUnit.SECONDS)).as("the task ran").isTrue();
    return ranOn.get();
  }

  @Test
  void theSystemTimeSourceRunsTasksOnItsOwnDaemonThreadsNotTheCommonPool() throws Exception {
    Thread thread = runAndCapture(TimeSource.system());

    assertThat(thread).isNotInstanceOf(ForkJoinWorkerThread.class);
    assertThat(thread.isDaemon()).isTrue();
    assertThat(thread.getName()).startsWith("resilient-http-async-");
    assertThat(thread.getContextClassLoader()).isSameAs(ClassLoader.getSystemClassLoader());
  }

  @Test
  void idleThreadsEndAndStartAgainOnDemand() throws Exception {
    String name = uniqueName();
    DaemonScheduler scheduler = new DaemonScheduler(name, TimeUnit.MILLISECONDS.toNanos(5), 2);
    TimeSource time = timeSourceOf(scheduler);

    Thread first = runAndCapture(time);
    assertThat(first.getName()).isEqualTo(name + "-async-1");
    assertThat(first.isDaemon()).isTrue();
    for (Thread thread : threadsNamed(name)) {
      assertThat(thread.isDaemon()).as(thread.getName()).isTrue();
      thread.join(TimeUnit.SECONDS.toMillis(GENEROUS_SECONDS));
      assertThat(thread.isAlive()).as("%s ended once idle", thread.getName()).isFalse();
    }
    first.join(TimeUnit.SECONDS.toMillis(GENEROUS_SECONDS));
    assertThat(first.isAlive()).isFalse();
    assertThat(scheduler.liveThreads()).isZero();

    Thread second = runAndCapture(time);

    assertThat(second).isNotSameAs(first);
    assertThat(second.getName()).startsWith(name + "-async-");
  }

  @Test
  void aCancelledTaskLeavesTheQueueAndNeverRuns() {
    DaemonScheduler scheduler = new DaemonScheduler(uniqueName(), TimeUnit.SECONDS.toNanos(1), 2);
    AtomicInteger runs = new AtomicInteger();

    ScheduledTask task = scheduler.schedule(runs::incrementAndGet, TimeUnit.HOURS.toNanos(1));
    assertThat(scheduler.queuedTimers()).isEqualTo(1);

    assertThat(task.cancel()).isTrue();
    assertThat(scheduler.queuedTimers()).isZero();
    assertThat(task.cancel()).as("already cancelled").isFalse();
    assertThat(runs).hasValue(0);
  }

  @Test
  void tasksBeyondTheThreadLimitQueueRatherThanBeingRejected() throws Exception {
    DaemonScheduler scheduler = new DaemonScheduler(uniqueName(), TimeUnit.SECONDS.toNanos(30), 1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch allRan = new CountDownLatch(5);
    List<String> threads = new CopyOnWriteArrayList<>();
    scheduler.schedule(() -> {
      try {
        release.await(GENEROUS_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      threads.add(Thread.currentThread().getName());
      allRan.countDown();
    }, 0);
    for (int i = 0; i < 4; i++) {
      scheduler.schedule(() -> {
        threads.add(Thread.currentThread().getName());
        allRan.countDown();
      }, 0);
    }

    release.countDown();

    assertThat(allRan.await(GENEROUS_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(threads).hasSize(5).allMatch(thread -> thread.endsWith("-async-1"));
  }

  @Test
  void aTaskThatThrowsDoesNotStopTheNextOne() throws Exception {
    TimeSource time = timeSourceOf(new DaemonScheduler(uniqueName(), TimeUnit.SECONDS.toNanos(30), 1));
    time.schedule(() -> {
      throw new IllegalStateException("a task failed (expected by the test)");
    }, 0);

    Thread next = runAndCapture(time);

    assertThat(next.getName()).as("the one worker survived the failure").endsWith("-async-1");
  }

  private static List<Thread> threadsNamed(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.getName().startsWith(prefix + "-"))
        .toList();
  }

  private static TimeSource timeSourceOf(DaemonScheduler scheduler) {
    return new TimeSource() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public void sleep(long nanos) {
        throw new UnsupportedOperationException("not used by the test");
      }

      @Override
      public ScheduledTask schedule(Runnable task, long delayNanos) {
        return scheduler.schedule(task, delayNanos);
      }
    };
  }
}
