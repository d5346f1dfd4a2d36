package dev.resilienthttp.testing.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.retry.Retry;
import dev.resilienthttp.testing.VirtualTime;
import dev.resilienthttp.testing.engine.EnginePath.Outcome;
import dev.resilienthttp.time.ScheduledTask;
import dev.resilienthttp.time.TimeSource;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Nothing the engine locks surrounds an attempt or a wait (virtual-thread friendly): the thread
 * holds no monitor and no lock when an attempt runs, when it sleeps, or when it schedules a wait.
 */
class RetryHoldsNoLockTest {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final VirtualTime virtualTime = VirtualTime.create();
  /** What the current thread held, one line per moment checked. */
  private final List<String> held = new CopyOnWriteArrayList<>();

  private void recordLocksHeld(String moment) {
    ThreadInfo info = THREADS.getThreadInfo(new long[] {Thread.currentThread().getId()}, true, true)[0];
    held.add(moment + ": " + info.getLockedMonitors().length + " monitors, "
        + info.getLockedSynchronizers().length + " locks");
  }

  /** The virtual clock, checking the locks held whenever the engine asks it to wait. */
  private final TimeSource checkingTime = new TimeSource() {
    @Override
    public long nanoTime() {
      return virtualTime.nanoTime();
    }

    @Override
    public void sleep(long nanos) throws InterruptedException {
      recordLocksHeld("sleep");
      virtualTime.sleep(nanos);
    }

    @Override
    public ScheduledTask schedule(Runnable task, long delayNanos) {
      recordLocksHeld("schedule");
      return virtualTime.schedule(task, delayNanos);
    }
  };

  @BothPaths
  void noLockIsHeldDuringAnAttemptOrAWait(EnginePath path) {
    Retry retry = Retry.builder()
        .retrier(FixedDelayRetrier.of(3, Duration.ofMillis(100)))
        .timeSource(checkingTime)
        .listener(new RecordingListener())
        .build();

    Outcome<String> outcome = path.run(retry, virtualTime, attempt -> {
      recordLocksHeld("attempt " + attempt);
      if (attempt < 3) {
        throw new IOException("boom");
      }
      return "ok";
    });

    assertThat(outcome.value()).isEqualTo("ok");
    String waiting = path == EnginePath.SYNC ? "sleep" : "schedule";
    assertThat(held).containsExactly(
        "attempt 1: 0 monitors, 0 locks",
        waiting + ": 0 monitors, 0 locks",
        "attempt 2: 0 monitors, 0 locks",
        waiting + ": 0 monitors, 0 locks",
        "attempt 3: 0 monitors, 0 locks");
  }
}
