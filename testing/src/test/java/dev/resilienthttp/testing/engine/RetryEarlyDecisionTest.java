package dev.resilienthttp.testing.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.resilienthttp.budget.RetryBudget;
import dev.resilienthttp.retry.AttemptContext;
import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.retry.Retry;
import dev.resilienthttp.retry.RetryDecider;
import dev.resilienthttp.retry.RetryDecision;
import dev.resilienthttp.retry.RetryExhaustedException;
import dev.resilienthttp.retry.RetryScope;
import dev.resilienthttp.testing.VirtualTime;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@code Retry.callAsync(decider, budget, timeout, attempt)}: the caller's decider and budget in
 * place of the engine's, and an early decision an attempt may take before its stage completes.
 */
class RetryEarlyDecisionTest {

  private final VirtualTime time = VirtualTime.create();
  private final RecordingListener listener = new RecordingListener();
  private final Retry retry = Retry.builder().timeSource(time).listener(listener).build();
  /** 20 tokens, a retry costs 5, a first-attempt success earns 1. */
  private final RetryBudget budget =
      RetryBudget.builder().name("orders").capacity(20).retryCost(5).timeoutRetryCost(10).build();
  private final AtomicInteger decisions = new AtomicInteger();
  private final AtomicInteger attempts = new AtomicInteger();
  private final List<AttemptContext> contexts = new ArrayList<>();

  /** Retries after {@code delay} up to 3 attempts, counting how often it is asked. */
  private RetryDecider upTo3Attempts(Duration delay) {
    return (context, failure, attempt) -> {
      decisions.incrementAndGet();
      return attempt < 3
          ? RetryDecision.retryAfter(delay)
          : RetryDecision.giveUp(GiveUpReason.MAX_ATTEMPTS, RetryDecision.maxAttemptsDetail(3));
    };
  }

  /** An attempt deciding early on its failure, then failing with it. */
  private Function<AttemptContext, CompletionStage<String>> decidingEarly(List<RetryDecision> early) {
    return context -> {
      int attempt = attempts.incrementAndGet();
      IOException failure = new IOException("down " + attempt);
      early.add(context.decideNow(failure));
      return CompletableFuture.failedFuture(new CompletionException(failure));
    };
  }

  private static RetryExhaustedException exhausted(CompletableFuture<?> call) {
    Throwable failure = call.handle((value, thrown) -> thrown).join();
    assertThat(failure).isExactlyInstanceOf(RetryExhaustedException.class);
    return (RetryExhaustedException) failure;
  }

  @Test
  void anEarlyDecisionIsActedOnOnceAndItsRetryPaidOnce() {
    List<RetryDecision> early = new ArrayList<>();

    CompletableFuture<String> call = time.drive(
        retry.callAsync(upTo3Attempts(Duration.ofMillis(100)), budget, null, decidingEarly(early)));

    assertThat(exhausted(call).reason()).isEqualTo(GiveUpReason.MAX_ATTEMPTS);
    assertThat(attempts).hasValue(3);
    assertThat(decisions).as("one decision per attempt, the early one").hasValue(3);
    assertThat(early).hasSize(3);
    assertThat(early.get(0)).isEqualTo(new RetryDecision.RetryAfter(100_000_000L));
    assertThat(early.get(2)).isInstanceOf(RetryDecision.GiveUp.class);
    assertThat(budget.available()).as("two retries of 5 each").isEqualTo(10.0);
    assertThat(time.scheduledDelays()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(100));
    assertThat(listener.events()).containsExactly(
        "attempt 1 started",
        "attempt 1 failed (down 1), retry in PT0.1S",
        "attempt 2 started",
        "attempt 2 failed (down 2), retry in PT0.1S",
        "attempt 3 started",
        "gave up MAX_ATTEMPTS after 3 (down 3)");
  }

  @Test
  void retriesTheDeadlineRefusesNeverDrainTheBudget() {
    // Regression: the budget was paid before the deadline was checked, so a call whose waits
    // never fit drained it without a single retry.
    for (int call = 0; call < 10; call++) {
      List<RetryDecision> early = new ArrayList<>();
      CompletableFuture<String> future = time.drive(retry.callAsync(
          upTo3Attempts(Duration.ofSeconds(1)), budget, Duration.ofMillis(500), decidingEarly(early)));

      RetryExhaustedException exhausted = exhausted(future);
      assertThat(exhausted.reason()).isEqualTo(GiveUpReason.DEADLINE);
      assertThat(exhausted.attempts()).isEqualTo(1);
      assertThat(early).singleElement().isInstanceOfSatisfying(RetryDecision.GiveUp.class,
          giveUp -> assertThat(giveUp.reason()).isEqualTo(GiveUpReason.DEADLINE));
    }
    assertThat(budget.available()).isEqualTo(20.0);
    assertThat(decisions).hasValue(10);
  }

  @Test
  void theSecondRetryThatWouldPassTheDeadlineIsRefusedUnpaidByTheEarlyDecisionToo() {
    List<RetryDecision> early = new ArrayList<>();

    CompletableFuture<String> call = time.drive(retry.callAsync(
        upTo3Attempts(Duration.ofMillis(100)), budget, Duration.ofMillis(150), decidingEarly(early)));

    RetryExhaustedException exhausted = exhausted(call);
    assertThat(exhausted.reason()).isEqualTo(GiveUpReason.DEADLINE);
    assertThat(exhausted).hasMessage(
        "deadline of 150 ms would pass before attempt 3 (wait 100 ms, 50 ms left): down 2");
    assertThat(attempts).hasValue(2);
    assertThat(budget.available()).as("only the first retry paid").isEqualTo(15.0);
  }

  @Test
  void anEarlyRetryFollowedBySuccessIsRefunded() {
    CompletableFuture<String> call = time.drive(retry.callAsync(
        upTo3Attempts(Duration.ofMillis(100)), budget, null, context -> {
          int attempt = attempts.incrementAndGet();
          if (attempt == 1) {
            return CompletableFuture.failedFuture(new IOException("down"));
          }
          // Decides early on a failure that does not happen after all.
          assertThat(context.decideNow(new IOException("maybe"))).isInstanceOf(RetryDecision.RetryAfter.class);
          assertThat(budget.available()).as("both retries paid").isEqualTo(10.0);
          return CompletableFuture.completedFuture("ok");
        }));

    assertThat(call.join()).isEqualTo("ok");
    assertThat(budget.available()).as("the early retry refunded, the real one refunded").isEqualTo(20.0);
    assertThat(listener.events()).last().isEqualTo("succeeded after 2");
  }

  @Test
  void anEarlyDecisionForAnotherFailureIsRefundedAndTheEngineDecidesAfresh() {
    CompletableFuture<String> call = time.drive(retry.callAsync(
        upTo3Attempts(Duration.ofMillis(100)), budget, null, context -> {
          int attempt = attempts.incrementAndGet();
          if (attempt == 1) {
            context.decideNow(new IOException("headers said so"));
            return CompletableFuture.failedFuture(new IOException("body failed"));
          }
          return CompletableFuture.completedFuture("ok");
        }));

    assertThat(call.join()).isEqualTo("ok");
    assertThat(decisions).as("early, then afresh for the real failure").hasValue(2);
    assertThat(listener.events()).contains("attempt 1 failed (body failed), retry in PT0.1S");
    assertThat(budget.available()).as("early refunded, real retry paid then refunded").isEqualTo(20.0);
  }

  @Test
  void oneEarlyDecisionPerAttempt() {
    IOException failure = new IOException("down");
    CompletableFuture<String> call = retry.callAsync(
        upTo3Attempts(Duration.ofMillis(100)), budget, null, context -> {
          contexts.add(context);
          attempts.incrementAndGet();
          return new CompletableFuture<>();
        });
    AttemptContext context = contexts.get(0);

    RetryDecision first = context.decideNow(failure);

    assertThat(context.decideNow(failure)).isSameAs(first);
    assertThatThrownBy(() -> context.decideNow(new IOException("other")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("decideNow was already called during attempt 1");
    assertThat(decisions).hasValue(1);
    assertThat(budget.available()).isEqualTo(15.0);
    call.cancel(true);
  }

  @Test
  void twoThreadsDecidingEarlyOnOneFailureGetOneDecisionPaidOnce() throws Exception {
    CountDownLatch deciding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    RetryDecider slow = (context, failure, attempt) -> {
      decisions.incrementAndGet();
      deciding.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return RetryDecision.retryAfter(Duration.ofMillis(100));
    };
    CompletableFuture<String> call = retry.callAsync(slow, budget, null, context -> {
      contexts.add(context);
      return new CompletableFuture<>();
    });
    AttemptContext context = contexts.get(0);
    IOException failure = new IOException("down");
    CompletableFuture<RetryDecision> first = CompletableFuture.supplyAsync(() -> context.decideNow(failure));
    assertThat(deciding.await(30, TimeUnit.SECONDS)).isTrue();
    AtomicReference<RetryDecision> second = new AtomicReference<>();
    Thread other = new Thread(() -> second.set(context.decideNow(failure)));
    other.start();
    awaitParked(other);

    release.countDown();
    other.join(30_000);

    assertThat(second.get()).isSameAs(first.get(30, TimeUnit.SECONDS));
    assertThat(decisions).hasValue(1);
    assertThat(budget.available()).isEqualTo(15.0);
    call.cancel(true);
  }

  @Test
  void aDeciderFailingEarlyLeavesNoDecisionAndTheEngineDecidesAfresh() {
    IllegalStateException broken = new IllegalStateException("decider broke");
    RetryDecider failsFirst = (context, failure, attempt) -> {
      if (decisions.incrementAndGet() == 1) {
        throw broken;
      }
      return RetryDecision.giveUp(GiveUpReason.MAX_ATTEMPTS, RetryDecision.maxAttemptsDetail(1));
    };
    IOException failure = new IOException("down");

    AtomicReference<Throwable> thrownEarly = new AtomicReference<>();

    CompletableFuture<String> call = retry.callAsync(failsFirst, budget, null, context -> {
      try {
        context.decideNow(failure);
      } catch (RuntimeException e) {
        thrownEarly.set(e);
      }
      return CompletableFuture.failedFuture(failure);
    });

    assertThat(thrownEarly.get()).isSameAs(broken);
    assertThat(exhausted(call).reason()).isEqualTo(GiveUpReason.MAX_ATTEMPTS);
    assertThat(decisions).as("the early one threw; the engine asked again").hasValue(2);
  }

  /** Waits (a bound against hanging, not a timing assertion) until {@code thread} parks. */
  private static void awaitParked(Thread thread) {
    for (int i = 0; i < 10_000_000 && thread.getState() != Thread.State.WAITING; i++) {
      Thread.yield();
    }
    assertThat(thread.getState()).isEqualTo(Thread.State.WAITING);
  }

  @Test
  void aCancellationIsNeverRetriedAndNoOneIsAsked() {
    CompletableFuture<String> call = retry.callAsync(
        upTo3Attempts(Duration.ofMillis(100)), budget, null, context -> {
          contexts.add(context);
          return new CompletableFuture<>();
        });

    RetryDecision decision = contexts.get(0).decideNow(new CancellationException());

    assertThat(decision).isSameAs(RetryDecision.rethrow());
    assertThat(decisions).hasValue(0);
    call.cancel(true);
  }

  @Test
  void cancellingTheCallCancelsTheAttemptInFlightAndLaterEarlyDecisionsGiveUp() {
    List<CompletableFuture<String>> inFlight = new ArrayList<>();
    CompletableFuture<String> call = retry.callAsync(
        upTo3Attempts(Duration.ofMillis(100)), budget, Duration.ofSeconds(10), context -> {
          contexts.add(context);
          attempts.incrementAndGet();
          CompletableFuture<String> attempt = new CompletableFuture<>();
          inFlight.add(attempt);
          return attempt;
        });
    inFlight.get(0).completeExceptionally(new IOException("down"));
    time.runNext(); // the wait ends; attempt 2 starts and hangs

    call.cancel(true);

    assertThat(inFlight.get(1)).isCancelled();
    assertThat(time.pendingTasks()).as("deadline timer cancelled").isZero();
    RetryDecision late = contexts.get(1).decideNow(new IOException("too late"));
    assertThat(late).isInstanceOfSatisfying(RetryDecision.GiveUp.class,
        giveUp -> assertThat(giveUp.reason()).isEqualTo(GiveUpReason.CANCELLED));
    assertThat(decisions).as("only attempt 1's failure").hasValue(1);
    assertThat(budget.available()).isEqualTo(15.0);
    assertThat(attempts).hasValue(2);
    assertThat(listener.events()).last().isEqualTo("gave up CANCELLED after 2 (down)");
  }

  @Test
  void theDeadlinePassingDuringAnAttemptEndsTheCallAndCancelsTheAttempt() {
    List<CompletableFuture<String>> inFlight = new ArrayList<>();
    CompletableFuture<String> call = retry.callAsync(
        upTo3Attempts(Duration.ofMillis(100)), budget, Duration.ofSeconds(1), context -> {
          contexts.add(context);
          CompletableFuture<String> attempt = new CompletableFuture<>();
          inFlight.add(attempt);
          return attempt;
        });

    time.drive(call);

    RetryExhaustedException exhausted = exhausted(call);
    assertThat(exhausted.reason()).isEqualTo(GiveUpReason.DEADLINE);
    assertThat(exhausted).hasMessageStartingWith("deadline of 1 s passed during attempt 1");
    assertThat(inFlight.get(0)).isCancelled();
    assertThat(time.elapsed()).isEqualTo(Duration.ofSeconds(1));
    RetryDecision late = contexts.get(0).decideNow(new IOException("too late"));
    assertThat(late).isInstanceOfSatisfying(RetryDecision.GiveUp.class,
        giveUp -> assertThat(giveUp.reason()).isEqualTo(GiveUpReason.DEADLINE));
    assertThat(decisions).hasValue(0);
    assertThat(budget.available()).isEqualTo(20.0);
  }

  @Test
  void theEnginesOwnRetrierBudgetAndScopeAreIgnoredAndNullsMeanNone() {
    RetryBudget enginesBudget = RetryBudget.builder().capacity(20).retryCost(5).build();
    Retry withItsOwn = Retry.builder()
        .timeSource(time)
        .retrier(FixedDelayRetrier.of(10, Duration.ofSeconds(7)))
        .retryBudget(enginesBudget)
        .build();

    CompletableFuture<String> call;
    try (RetryScope scope = RetryScope.open(FixedDelayRetrier.of(10, Duration.ofSeconds(9)))) {
      call = withItsOwn.callAsync(upTo3Attempts(Duration.ofMillis(100)), null, null, context -> {
        attempts.incrementAndGet();
        return CompletableFuture.<String>failedFuture(new IOException("down"));
      });
    }
    time.drive(call);

    assertThat(exhausted(call).reason()).isEqualTo(GiveUpReason.MAX_ATTEMPTS);
    assertThat(attempts).hasValue(3);
    assertThat(time.scheduledDelays()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(100));
    assertThat(enginesBudget.available()).isEqualTo(20.0);
  }

  @Test
  void aTimeoutMustBePositiveAndFitInNanoseconds() {
    RetryDecider decider = upTo3Attempts(Duration.ZERO);
    Function<AttemptContext, CompletionStage<String>> attempt =
        context -> CompletableFuture.completedFuture("ok");

    assertThatThrownBy(() -> retry.callAsync(decider, budget, Duration.ZERO, attempt))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be in (0, PT2562047H47M16.854775807S] but was PT0S");
    assertThatThrownBy(() -> retry.callAsync(decider, budget, Duration.ofDays(365L * 300), attempt))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("timeout must be in (0, PT2562047H47M16.854775807S] but was PT2628000H");
    assertThat(retry.callAsync(decider, null, null, attempt).join()).isEqualTo("ok");
    assertThat(budget.available()).isEqualTo(20.0);
  }
}
