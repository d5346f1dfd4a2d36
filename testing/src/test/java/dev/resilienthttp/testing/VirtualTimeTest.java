package dev.resilienthttp.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.resilienthttp.time.ScheduledTask;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VirtualTimeTest {

  private final VirtualTime time = VirtualTime.create();
  /** "name at elapsed" for each task run, in the order run. */
  private final List<String> ran = new CopyOnWriteArrayList<>();

  @AfterEach
  void leaveTheInterruptFlagClear() {
    Thread.interrupted();
  }

  private Runnable task(String name) {
    return () -> ran.add(name + " at " + time.elapsed());
  }

  private ScheduledTask schedule(String name, Duration delay) {
    return time.schedule(task(name), delay.toNanos());
  }

  @Test
  void startsNearLongMaxValueWithNothingElapsed() {
    assertThat(time.nanoTime()).isEqualTo(VirtualTime.START_NANOS).isEqualTo(Long.MAX_VALUE - 3_600_000_000_000L);
    assertThat(time.elapsed()).isZero();
    assertThat(time.pendingTasks()).isZero();
  }

  @Test
  void advanceRunsDueTasksInDueOrderWithTheClockAtEachDueTime() {
    schedule("c", Duration.ofMillis(300));
    schedule("a1", Duration.ofMillis(100));
    schedule("b", Duration.ofMillis(200));
    schedule("a2", Duration.ofMillis(100)); // same due time as a1: runs after it
    schedule("later", Duration.ofSeconds(2));

    time.advance(Duration.ofSeconds(1));

    assertThat(ran).containsExactly("a1 at PT0.1S", "a2 at PT0.1S", "b at PT0.2S", "c at PT0.3S");
    assertThat(time.elapsed()).isEqualTo(Duration.ofSeconds(1));
    assertThat(time.pendingTasks()).isEqualTo(1);

    time.advance(Duration.ofSeconds(1));

    assertThat(ran).last().isEqualTo("later at PT2S");
    assertThat(time.pendingTasks()).isZero();
  }

  @Test
  void aTaskDueExactlyAtTheTargetRuns() {
    schedule("edge", Duration.ofSeconds(1));

    time.advance(Duration.ofSeconds(1));

    assertThat(ran).containsExactly("edge at PT1S");
  }

  @Test
  void aTaskScheduledByARunningTaskRunsInTheSameAdvanceIfDueBeforeTheTarget() {
    time.schedule(() -> {
      ran.add("first at " + time.elapsed());
      schedule("second", Duration.ofMillis(500));
      schedule("third", Duration.ofSeconds(5));
    }, Duration.ofMillis(100).toNanos());

    time.advance(Duration.ofSeconds(1));

    assertThat(ran).containsExactly("first at PT0.1S", "second at PT0.6S");
    assertThat(time.pendingTasks()).isEqualTo(1);
  }

  @Test
  void advancingByZeroRunsTasksDueNow() {
    schedule("now", Duration.ZERO);
    time.schedule(task("negative delay"), -5);

    time.advance(Duration.ZERO);

    assertThat(ran).containsExactly("now at PT0S", "negative delay at PT0S");
    assertThat(time.scheduledDelays()).containsExactly(Duration.ZERO, Duration.ZERO);
  }

  @Test
  void aNegativeAdvanceIsRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> time.advance(Duration.ofMillis(-1)))
        .withMessage("duration must be >= 0 but was PT-0.001S");
  }

  @Test
  void cancelRemovesATaskSoItNeverRuns() {
    ScheduledTask cancelled = schedule("cancelled", Duration.ofMillis(100));
    schedule("kept", Duration.ofMillis(200));

    assertThat(cancelled.cancel()).isTrue();
    assertThat(time.pendingTasks()).isEqualTo(1);
    assertThat(cancelled.cancel()).as("a second cancel").isFalse();

    time.advance(Duration.ofSeconds(1));

    assertThat(ran).containsExactly("kept at PT0.2S");
  }

  @Test
  void cancellingATaskThatAlreadyRanReturnsFalse() {
    ScheduledTask done = schedule("done", Duration.ofMillis(100));
    time.advance(Duration.ofMillis(100));

    assertThat(done.cancel()).isFalse();
  }

  @Test
  void runNextMovesTheClockToTheEarliestTaskAndRunsOnlyIt() {
    schedule("b", Duration.ofSeconds(2));
    schedule("a", Duration.ofSeconds(1));

    assertThat(time.runNext()).isTrue();
    assertThat(ran).containsExactly("a at PT1S");
    assertThat(time.elapsed()).isEqualTo(Duration.ofSeconds(1));
    assertThat(time.runNext()).isTrue();
    assertThat(time.runNext()).as("nothing left").isFalse();
    assertThat(ran).containsExactly("a at PT1S", "b at PT2S");
  }

  @Test
  void sleepMovesTheClockWithoutBlockingAndIsRecorded() throws InterruptedException {
    time.sleep(Duration.ofMillis(400).toNanos());
    time.sleep(Duration.ofMillis(100).toNanos());

    assertThat(time.elapsed()).isEqualTo(Duration.ofMillis(500));
    assertThat(time.sleeps()).containsExactly(Duration.ofMillis(400), Duration.ofMillis(100));
  }

  @Test
  void sleepingZeroOrANegativeTimeLeavesTheClockAlone() throws InterruptedException {
    time.sleep(0);
    time.sleep(-1_000);

    assertThat(time.elapsed()).isZero();
    assertThat(time.sleeps()).containsExactly(Duration.ZERO, Duration.ZERO);
  }

  @Test
  void sleepDoesNotRunScheduledTasks() throws InterruptedException {
    schedule("timer", Duration.ofMillis(100));

    time.sleep(Duration.ofSeconds(1).toNanos());

    assertThat(ran).isEmpty();
    assertThat(time.pendingTasks()).isEqualTo(1);
  }

  @Test
  void anInterruptedThreadIsThrownOutOfSleepAtOnceWithTheFlagCleared() {
    Thread.currentThread().interrupt();

    assertThatThrownBy(() -> time.sleep(Duration.ofSeconds(1).toNanos()))
        .isInstanceOf(InterruptedException.class);

    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    assertThat(time.elapsed()).isZero();
    assertThat(time.sleeps()).isEmpty();
  }

  @Test
  void readingsOverflowPastLongMaxValueAndElapsedStaysRight() throws InterruptedException {
    time.advance(Duration.ofMinutes(59));
    long before = time.nanoTime();

    time.advance(Duration.ofMinutes(2));

    assertThat(time.nanoTime()).as("wrapped past Long.MAX_VALUE").isNegative();
    assertThat(time.nanoTime() - before).isEqualTo(Duration.ofMinutes(2).toNanos());
    assertThat(time.elapsed()).isEqualTo(Duration.ofMinutes(61));

    time.sleep(Duration.ofHours(1).toNanos());

    assertThat(time.elapsed()).isEqualTo(Duration.ofMinutes(121));
  }

  @Test
  void tasksDueOnEitherSideOfTheOverflowRunInDueOrder() {
    time.advance(Duration.ofMinutes(58));
    schedule("after the wrap", Duration.ofMinutes(3)); // due at 61 min: a negative reading
    schedule("before the wrap", Duration.ofMinutes(1)); // due at 59 min: a positive reading
    schedule("at the wrap", Duration.ofMinutes(2));

    time.advance(Duration.ofMinutes(5));

    assertThat(ran).containsExactly("before the wrap at PT59M", "at the wrap at PT1H", "after the wrap at PT1H1M");
    assertThat(time.elapsed()).isEqualTo(Duration.ofMinutes(63));
  }

  @Test
  void driveRunsTasksUntilTheFutureCompletesAndNoFurther() {
    CompletableFuture<String> future = new CompletableFuture<>();
    schedule("before", Duration.ofSeconds(1));
    time.schedule(() -> future.complete("done"), Duration.ofSeconds(5).toNanos());
    schedule("after", Duration.ofSeconds(10));

    assertThat(time.drive(future)).isCompletedWithValue("done");

    assertThat(ran).containsExactly("before at PT1S");
    assertThat(time.elapsed()).isEqualTo(Duration.ofSeconds(5));
    assertThat(time.pendingTasks()).isEqualTo(1);
  }

  @Test
  void driveReturnsAtOnceForACompletedFuture() {
    schedule("never needed", Duration.ofSeconds(1));

    time.drive(CompletableFuture.completedFuture("done"));

    assertThat(ran).isEmpty();
    assertThat(time.elapsed()).isZero();
  }

  // ---- blocking sleeps, for several sleeping threads at once ------------------------------------

  @Test
  void blockingSleepsOfTwoThreadsFromTheSameInstantBothEndWhenTheClockHasMovedOnce() throws Exception {
    VirtualTime shared = VirtualTime.withBlockingSleeps();
    List<String> woke = new CopyOnWriteArrayList<>();
    Thread a = sleeper(shared, Duration.ofMillis(400), "a", woke);
    Thread b = sleeper(shared, Duration.ofMillis(400), "b", woke);
    awaitPending(shared, 2);

    shared.advance(Duration.ofMillis(399));
    assertThat(woke).as("not yet due").isEmpty();
    assertThat(shared.pendingTasks()).isEqualTo(2);
    shared.advance(Duration.ofMillis(1));
    a.join(10_000);
    b.join(10_000);

    assertThat(woke).containsExactlyInAnyOrder("a at PT0.4S", "b at PT0.4S");
    assertThat(shared.elapsed()).as("the sleeps did not add up").isEqualTo(Duration.ofMillis(400));
    assertThat(shared.sleeps()).containsExactly(Duration.ofMillis(400), Duration.ofMillis(400));
    assertThat(shared.scheduledDelays()).isEmpty();
  }

  @Test
  void aBlockingSleepWakesInDueOrderAmongScheduledTasks() throws Exception {
    VirtualTime shared = VirtualTime.withBlockingSleeps();
    List<String> woke = new CopyOnWriteArrayList<>();
    shared.schedule(() -> woke.add("timer at " + shared.elapsed()), Duration.ofMillis(100).toNanos());
    Thread sleeper = sleeper(shared, Duration.ofMillis(300), "sleeper", woke);
    awaitPending(shared, 2);

    assertThat(shared.runNext()).isTrue();
    assertThat(shared.runNext()).isTrue();
    sleeper.join(10_000);

    assertThat(woke).containsExactly("timer at PT0.1S", "sleeper at PT0.3S");
  }

  @Test
  void anInterruptEndsABlockingSleepAndRemovesIt() throws Exception {
    VirtualTime shared = VirtualTime.withBlockingSleeps();
    java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
    Thread sleeper = new Thread(() -> {
      try {
        shared.sleep(Duration.ofSeconds(1).toNanos());
      } catch (InterruptedException e) {
        thrown.set(e);
      }
    });
    sleeper.start();
    awaitPending(shared, 1);

    sleeper.interrupt();
    sleeper.join(10_000);

    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    assertThat(shared.pendingTasks()).isZero();
    assertThat(shared.elapsed()).isZero();
  }

  @Test
  void aBlockingSleepOfZeroReturnsAtOnce() throws InterruptedException {
    VirtualTime shared = VirtualTime.withBlockingSleeps();

    shared.sleep(0);

    assertThat(shared.pendingTasks()).isZero();
    assertThat(shared.sleeps()).containsExactly(Duration.ZERO);
  }

  private static Thread sleeper(VirtualTime clock, Duration sleep, String name, List<String> woke) {
    Thread thread = new Thread(() -> {
      try {
        clock.sleep(sleep.toNanos());
        woke.add(name + " at " + clock.elapsed());
      } catch (InterruptedException e) {
        woke.add(name + " interrupted");
      }
    }, name);
    thread.start();
    return thread;
  }

  /** Waits (a bound against hanging, not a timing assertion) until the sleepers are asleep. */
  private static void awaitPending(VirtualTime clock, int tasks) {
    for (int i = 0; i < 10_000_000 && clock.pendingTasks() < tasks; i++) {
      Thread.yield();
    }
    assertThat(clock.pendingTasks()).isEqualTo(tasks);
  }

  @Test
  void describesItself() {
    schedule("pending", Duration.ofSeconds(1));

    assertThat(time).hasToString("VirtualTime{elapsed=PT0S, pending=1}");
  }
}
