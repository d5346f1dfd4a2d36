package dev.resilienthttp.testing.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.retry.Retry;
import dev.resilienthttp.retry.RetryContext;
import dev.resilienthttp.retry.RetryListener;
import dev.resilienthttp.testing.InFlightAttempts;
import dev.resilienthttp.testing.VirtualTime;
import dev.resilienthttp.time.ScheduledTask;
import dev.resilienthttp.time.TimeSource;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * An asynchronous retry's wait reaches the time source before any listener hears of the retry,
 * the next attempt still starts only after the retry was reported, and the clock is held from
 * before the wait is queued until the report is over (or, when the wait ended during the report,
 * until the reporting thread has started the attempt). This makes {@code VirtualTime.drive(future,
 * inFlight::none)} safe: when {@link InFlightAttempts} drops to none on {@code
 * onRetryScheduled}, the wait is already queued and the clock moves to it, never past it to a
 * later timer (the call's deadline) before the next attempt has started.
 */
class RetryWaitHandOffTest {

  private final VirtualTime time = VirtualTime.create();

  @Test
  void theWaitIsQueuedBeforeListenersHearOfTheRetry() {
    List<Integer> pendingWhenReported = new ArrayList<>();
    InFlightAttempts inFlight = new InFlightAttempts(time);
    Retry retry = Retry.builder()
        .retrier(FixedDelayRetrier.of(3, Duration.ofSeconds(1)))
        .timeSource(time)
        .listener(new RetryListener() {
          @Override
          public void onRetryScheduled(RetryContext context, int attempt, Duration delay, Throwable failure) {
            pendingWhenReported.add(time.pendingTasks());
          }
        })
        .listener(inFlight)
        .build();
    AtomicInteger attempts = new AtomicInteger();

    CompletableFuture<String> call = retry.callAsync(Duration.ofSeconds(10), () ->
        attempts.incrementAndGet() < 3
            ? CompletableFuture.failedFuture(new IOException("reset"))
            : CompletableFuture.completedFuture("ok"));
    time.drive(call, inFlight::none);

    assertThat(call.join()).isEqualTo("ok");
    // The deadline timer and this retry's wait: before the hand-off only the deadline timer was
    // queued at that moment, and a clock moved then went straight to the deadline.
    assertThat(pendingWhenReported).containsExactly(2, 2);
    assertThat(time.elapsed()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void aTimeSourceRunningTheWaitAtOnceStillSeesTheRetryReportedBeforeTheNextAttempt() {
    RecordingListener listener = new RecordingListener();
    Retry retry = Retry.builder()
        .retrier(FixedDelayRetrier.of(3, Duration.ZERO))
        .timeSource(new RunsTasksAtOnce())
        .listener(listener)
        .build();
    AtomicInteger attempts = new AtomicInteger();

    CompletableFuture<String> call = retry.callAsync(() ->
        attempts.incrementAndGet() < 3
            ? CompletableFuture.failedFuture(new IOException("reset " + attempts.get()))
            : CompletableFuture.completedFuture("ok"));

    assertThat(call.join()).isEqualTo("ok");
    assertThat(listener.events()).containsExactly(
        "attempt 1 started",
        "attempt 1 failed (reset 1), retry in PT0S",
        "attempt 2 started",
        "attempt 2 failed (reset 2), retry in PT0S",
        "attempt 3 started",
        "succeeded after 3");
  }

  @Test
  void aWaitOverWhileListenersAreStillHearingOfTheRetryLeavesTheAttemptToTheReporterAndQueuesNothing()
      throws Exception {
    RecordingListener events = new RecordingListener();
    List<Integer> pendingAfterTheWaitFired = new ArrayList<>();
    AtomicInteger attempts = new AtomicInteger();
    Retry retry = Retry.builder()
        .retrier(FixedDelayRetrier.of(2, Duration.ofMillis(100)))
        .timeSource(time)
        .listener(events)
        .listener(new RetryListener() {
          @Override
          public void onRetryScheduled(RetryContext context, int attempt, Duration delay, Throwable failure) {
            // Another thread moves the clock past the wait while this listener still runs.
            Thread driver = new Thread(time::runNext);
            driver.start();
            try {
              driver.join();
            } catch (InterruptedException e) {
              throw new AssertionError(e);
            }
            pendingAfterTheWaitFired.add(time.pendingTasks());
            assertThat(attempts.get()).as("no attempt before the retry is reported").isEqualTo(1);
            assertThat(time.isHeld()).as("the clock is held until the attempt starts").isTrue();
          }
        })
        .build();

    CompletableFuture<String> call = retry.callAsync(() ->
        attempts.incrementAndGet() == 1
            ? CompletableFuture.failedFuture(new IOException("reset"))
            : CompletableFuture.completedFuture("ok"));

    assertThat(call).as("the reporting thread started attempt 2 itself").isCompletedWithValue("ok");
    assertThat(pendingAfterTheWaitFired).as("the wait did not queue itself again").containsExactly(0);
    assertThat(time.scheduledDelays()).containsExactly(Duration.ofMillis(100));
    assertThat(time.isHeld()).isFalse();
    assertThat(events.events()).containsExactly(
        "attempt 1 started",
        "attempt 1 failed (reset), retry in PT0.1S",
        "attempt 2 started",
        "succeeded after 2");
    assertThat(time.elapsed()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void theClockIsHeldFromBeforeTheWaitIsQueuedUntilTheReportIsOver() {
    List<String> log = new ArrayList<>();
    Retry retry = Retry.builder()
        .retrier(FixedDelayRetrier.of(2, Duration.ofMillis(100)))
        .timeSource(new Logged(time, log))
        .listener(new Logging(log))
        .build();
    AtomicInteger attempts = new AtomicInteger();

    CompletableFuture<String> call = retry.callAsync(() ->
        attempts.incrementAndGet() == 1
            ? CompletableFuture.failedFuture(new IOException("reset"))
            : CompletableFuture.completedFuture("ok"));
    time.drive(call);

    assertThat(call.join()).isEqualTo("ok");
    assertThat(log).containsExactly(
        "attempt 1 started", "hold", "schedule PT0.1S", "retry scheduled", "release",
        "attempt 2 started");
  }

  @Test
  void aWaitOverDuringTheReportKeepsTheClockHeldUntilTheReporterHasStartedTheAttempt() {
    List<String> log = new ArrayList<>();
    Retry retry = Retry.builder()
        .retrier(FixedDelayRetrier.of(2, Duration.ZERO))
        .timeSource(new Logged(new RunsTasksAtOnce(), log))
        .listener(new Logging(log))
        .build();
    AtomicInteger attempts = new AtomicInteger();

    CompletableFuture<String> call = retry.callAsync(() ->
        attempts.incrementAndGet() == 1
            ? CompletableFuture.failedFuture(new IOException("reset"))
            : CompletableFuture.completedFuture("ok"));

    assertThat(call.join()).isEqualTo("ok");
    assertThat(log).containsExactly(
        "attempt 1 started", "hold", "schedule PT0S", "retry scheduled", "attempt 2 started",
        "release");
  }

  /** Logs the events a hold is about. */
  private static final class Logging implements RetryListener {
    private final List<String> log;

    Logging(List<String> log) {
      this.log = log;
    }

    @Override
    public void onAttemptStarted(RetryContext context, int attempt) {
      log.add("attempt " + attempt + " started");
    }

    @Override
    public void onRetryScheduled(RetryContext context, int attempt, Duration delay, Throwable failure) {
      log.add("retry scheduled");
    }
  }

  /** Logs holds, their releases and schedules, and passes them on. */
  private static final class Logged implements TimeSource {
    private final TimeSource time;
    private final List<String> log;

    Logged(TimeSource time, List<String> log) {
      this.time = time;
      this.log = log;
    }

    @Override
    public long nanoTime() {
      return time.nanoTime();
    }

    @Override
    public void sleep(long nanos) throws InterruptedException {
      time.sleep(nanos);
    }

    @Override
    public ScheduledTask schedule(Runnable task, long delayNanos) {
      log.add("schedule " + Duration.ofNanos(delayNanos));
      return time.schedule(task, delayNanos);
    }

    @Override
    public Hold hold() {
      log.add("hold");
      Hold hold = time.hold();
      return () -> {
        log.add("release");
        hold.close();
      };
    }
  }

  /** Runs every scheduled task on the scheduling thread, before {@code schedule} returns. */
  private static final class RunsTasksAtOnce implements TimeSource {
    @Override
    public long nanoTime() {
      return 0;
    }

    @Override
    public void sleep(long nanos) {}

    @Override
    public ScheduledTask schedule(Runnable task, long delayNanos) {
      task.run();
      return () -> false;
    }
  }
}
