package dev.resilienthttp.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SingleFlightTest {

  private final SteppedClock clock = new SteppedClock();
  private final SingleFlight<String, String> flights = SingleFlight.create(clock);
  private final AtomicInteger started = new AtomicInteger();
  /** The pending work of the latest flight started by {@link #work()}. */
  private final AtomicReference<CompletableFuture<String>> pending = new AtomicReference<>();
  private ExecutorService threads;

  @AfterEach
  void stopThreads() {
    if (threads != null) {
      threads.shutdownNow();
    }
    Thread.interrupted();
  }

  /** Work that counts its starts and completes when the test says so, through {@link #pending}. */
  private java.util.function.Function<String, CompletableFuture<String>> work() {
    return key -> {
      started.incrementAndGet();
      CompletableFuture<String> result = new CompletableFuture<>();
      pending.set(result);
      return result;
    };
  }

  /** Work that completes after {@code delay} on the clock with {@code value}. */
  private java.util.function.Function<String, CompletableFuture<String>> workTaking(Duration delay, String value) {
    return key -> {
      started.incrementAndGet();
      CompletableFuture<String> result = new CompletableFuture<>();
      clock.schedule(() -> result.complete(value), delay.toNanos());
      return result;
    };
  }

  // ---- coalescing ------------------------------------------------------------------------------

  @Test
  void callersJoiningAtOnceShareOneFlightAndAllGetItsValue() throws Exception {
    int callers = 64;
    threads = Executors.newFixedThreadPool(callers);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<CompletableFuture<String>>> joins = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      joins.add(threads.submit(() -> {
        go.await();
        return flights.join("token", work());
      }));
    }
    go.countDown();
    List<CompletableFuture<String>> results = new ArrayList<>();
    for (Future<CompletableFuture<String>> join : joins) {
      results.add(join.get(10, TimeUnit.SECONDS));
    }

    // Every join returned at once with a pending future: nobody blocked while waiting.
    assertThat(results).allSatisfy(result -> assertThat(result).isNotDone());
    assertThat(started).hasValue(1);
    assertThat(flights.joined("token")).isEqualTo(callers);
    assertThat(flights.isInFlight("token")).isTrue();

    pending.get().complete("t1");

    assertThat(results).allSatisfy(result -> assertThat(result).isCompletedWithValue("t1"));
    assertThat(flights.isInFlight("token")).isFalse();
    assertThat(flights.inFlight()).isZero();
  }

  @Test
  void aJoinAfterTheFlightLandedStartsANewOne() {
    CompletableFuture<String> first = flights.join("token", work());
    pending.get().complete("t1");
    CompletableFuture<String> second = flights.join("token", work());
    pending.get().complete("t2");

    assertThat(first).isCompletedWithValue("t1");
    assertThat(second).isCompletedWithValue("t2");
    assertThat(started).hasValue(2);
  }

  @Test
  void workThatCompletesAtOnceLandsBeforeItsCallerAttachesAndStillReachesIt() {
    CompletableFuture<String> result =
        flights.join("token", key -> CompletableFuture.completedFuture("ready"));

    assertThat(result).isCompletedWithValue("ready");
    assertThat(flights.inFlight()).isZero();
  }

  @Test
  void distinctKeysFlyIndependently() {
    SingleFlight<Integer, Integer> byNumber = SingleFlight.create(clock);
    List<CompletableFuture<Integer>> works = new ArrayList<>();
    CompletableFuture<Integer> one = byNumber.join(1, key -> add(works));
    CompletableFuture<Integer> oneAgain = byNumber.join(1, key -> add(works));
    CompletableFuture<Integer> two = byNumber.join(2, key -> add(works));

    assertThat(works).hasSize(2);
    assertThat(byNumber.inFlight()).isEqualTo(2);
    works.get(1).complete(20);
    assertThat(two).isCompletedWithValue(20);
    assertThat(one).isNotDone();
    works.get(0).complete(10);
    assertThat(one).isCompletedWithValue(10);
    assertThat(oneAgain).isCompletedWithValue(10);
  }

  private static CompletableFuture<Integer> add(List<CompletableFuture<Integer>> works) {
    CompletableFuture<Integer> work = new CompletableFuture<>();
    works.add(work);
    return work;
  }

  // ---- failures ----------------------------------------------------------------------------------

  @Test
  void aFailureReachesEveryWaiterUnwrappedAndIsNotKeptForLaterCallers() {
    CompletableFuture<String> a = flights.join("token", work());
    CompletableFuture<String> b = flights.join("token", work());
    IOException refused = new IOException("token endpoint refused the connection");

    pending.get().completeExceptionally(new CompletionException(refused));

    for (CompletableFuture<String> waiter : List.of(a, b)) {
      assertThatThrownBy(waiter::join).isInstanceOf(CompletionException.class).hasCause(refused);
    }
    CompletableFuture<String> later = flights.join("token", work());
    assertThat(started).as("the failure was not cached").hasValue(2);
    pending.get().complete("t2");
    assertThat(later).isCompletedWithValue("t2");
  }

  @Test
  void workThatThrowsFailsItsCallerAndLeavesNoFlightBehind() {
    IllegalStateException broken = new IllegalStateException("no credentials configured");

    CompletableFuture<String> result = flights.join("token", key -> {
      throw broken;
    });

    assertThatThrownBy(result::join).hasCause(broken);
    assertThat(flights.inFlight()).isZero();
  }

  @Test
  void workThatReturnsNullFailsItsCallerAndLeavesNoFlightBehind() {
    CompletableFuture<String> result = flights.join("token", key -> null);

    assertThatThrownBy(result::join)
        .hasCauseInstanceOf(NullPointerException.class)
        .hasMessageContaining("returned null");
    assertThat(flights.inFlight()).isZero();
  }

  // ---- each caller leaves on its own -------------------------------------------------------------

  @Test
  void aCallerWithAnEarlierDeadlineGivesUpAtItsDeadlineWhileTheOthersWaitForTheFlight() {
    CompletableFuture<String> patient = flights.join("wait", workTaking(Duration.ofMillis(400), "done"));
    CompletableFuture<String> hurried = flights.join("wait", Duration.ofMillis(50), work());

    clock.advance(Duration.ofMillis(50));

    assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(50));
    assertThatThrownBy(hurried::join)
        .hasCauseInstanceOf(TimeoutException.class)
        .hasMessageContaining("gave up after 50 ms waiting for a flight in progress");
    assertThat(patient).isNotDone();
    assertThat(flights.isInFlight("wait")).isTrue();

    clock.advance(Duration.ofMillis(350));

    assertThat(patient).isCompletedWithValue("done");
    assertThat(started).hasValue(1);
    assertThat(clock.pendingTimers()).isZero();
  }

  @Test
  void aCallerWhoseFlightLandsFirstCancelsItsOwnTimer() {
    CompletableFuture<String> caller = flights.join("token", Duration.ofSeconds(5), work());
    assertThat(clock.pendingTimers()).isEqualTo(1);

    pending.get().complete("t1");

    assertThat(caller).isCompletedWithValue("t1");
    assertThat(clock.pendingTimers()).isZero();
  }

  @Test
  void cancellingOneCallerLeavesTheFlightAndTheOtherCallersAlone() {
    CompletableFuture<String> leaving = flights.join("token", work());
    CompletableFuture<String> staying = flights.join("token", work());
    CompletableFuture<String> work = pending.get();

    assertThat(leaving.cancel(true)).isTrue();

    assertThat(work).as("the work is never cancelled").isNotDone();
    assertThat(flights.isInFlight("token")).isTrue();
    work.complete("t1");
    assertThat(staying).isCompletedWithValue("t1");
    assertThat(leaving).isCancelled();
  }

  @Test
  void theFlightRunsToItsEndWhenEveryCallerHasLeft() {
    AtomicReference<String> cached = new AtomicReference<>();
    CompletableFuture<String> only =
        flights.join("token", Duration.ofMillis(10), key -> work().apply(key).thenApply(token -> {
          cached.set(token);
          return token;
        }));
    clock.advance(Duration.ofMillis(10));
    assertThat(only).isCompletedExceptionally();

    pending.get().complete("t1");

    assertThat(cached).as("the flight's side effect still happened").hasValue("t1");
    assertThat(flights.inFlight()).isZero();
  }

  // ---- blocking callers --------------------------------------------------------------------------

  @Test
  void awaitBlocksUntilTheFlightLands() throws Exception {
    threads = Executors.newSingleThreadExecutor();
    Future<String> blocked = threads.submit(() -> flights.await("token", work()));
    awaitFlight("token", 1);

    pending.get().complete("t1");

    assertThat(blocked.get(10, TimeUnit.SECONDS)).isEqualTo("t1");
  }

  @Test
  void awaitThrowsTheWorksFailureAsTheCauseOfAnExecutionException() throws Exception {
    threads = Executors.newSingleThreadExecutor();
    Future<String> blocked = threads.submit(() -> flights.await("token", work()));
    awaitFlight("token", 1);
    IOException failure = new IOException("502");

    pending.get().completeExceptionally(failure);

    assertThatThrownBy(() -> blocked.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(ExecutionException.class).hasCause(failure);
  }

  @Test
  void anInterruptedAwaitLeavesTheFlightWhichGoesOnForTheOthers() throws Exception {
    CompletableFuture<String> other = flights.join("token", work());
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread caller = new Thread(() -> {
      try {
        flights.await("token", work());
      } catch (Throwable t) {
        thrown.set(t);
      }
    });
    caller.start();
    awaitFlight("token", 2);

    caller.interrupt();
    caller.join(10_000);

    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    assertThat(flights.isInFlight("token")).isTrue();
    pending.get().complete("t1");
    assertThat(other).isCompletedWithValue("t1");
    assertThat(started).hasValue(1);
  }

  @Test
  void awaitGivesUpWhenItsOwnTimeoutPassesOnTheClock() throws Exception {
    threads = Executors.newSingleThreadExecutor();
    Future<String> blocked =
        threads.submit(() -> flights.await("token", Duration.ofMillis(50), work()));
    awaitFlight("token", 1);
    awaitCondition(() -> clock.pendingTimers() == 1, "the caller's timer is set");

    clock.advance(Duration.ofMillis(50));

    assertThatThrownBy(() -> blocked.get(10, TimeUnit.SECONDS))
        .cause().isInstanceOf(TimeoutException.class)
        .hasMessage("gave up after 50 ms waiting for a flight in progress");
    assertThat(flights.isInFlight("token")).isTrue();
  }

  // ---- arguments -----------------------------------------------------------------------------------

  @Test
  void aTimeoutMustBePositive() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> flights.join("token", Duration.ZERO, work()))
        .withMessage("timeout must be in (0, PT2562047H47M16.854775807S] but was PT0S");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> flights.join("token", Duration.ofMillis(-5), work()))
        .withMessage("timeout must be in (0, PT2562047H47M16.854775807S] but was PT-0.005S");
    assertThat(started).as("nothing started").hasValue(0);
  }

  @Test
  void nullArgumentsAreRejectedByName() {
    assertThatNullPointerException().isThrownBy(() -> flights.join(null, work())).withMessage("key");
    assertThatNullPointerException().isThrownBy(() -> flights.join("token", null)).withMessage("work");
    assertThatNullPointerException()
        .isThrownBy(() -> SingleFlight.create(null)).withMessage("timeSource");
  }

  private void awaitFlight(String key, int callers) throws InterruptedException {
    awaitCondition(() -> flights.joined(key) == callers, callers + " callers joined");
  }

  /** Waits for another thread to reach a state; a bound against hanging, not a timing assertion. */
  private static void awaitCondition(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    for (int i = 0; i < 10_000 && !condition.getAsBoolean(); i++) {
      Thread.onSpinWait();
      if (i % 100 == 99) {
        Thread.yield();
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean() && System.nanoTime() - deadline < 0) {
      Thread.yield();
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }
}
