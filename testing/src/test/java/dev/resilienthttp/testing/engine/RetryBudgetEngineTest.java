package dev.resilienthttp.testing.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.resilienthttp.budget.RetryBudget;
import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.retry.Retry;
import dev.resilienthttp.retry.RetryExhaustedException;
import dev.resilienthttp.testing.engine.EnginePath.Outcome;
import dev.resilienthttp.testing.VirtualTime;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * An engine built with {@code retryBudget(...)} pays every retry from the budget, gives up when
 * it is refused, and earns it back on success: the same down both paths.
 */
class RetryBudgetEngineTest {

  private final VirtualTime time = VirtualTime.create();
  private final RecordingListener listener = new RecordingListener();

  /** 20 tokens, a retry 5 (10 after a timeout), a first-attempt success earns 1. */
  private final RetryBudget budget =
      RetryBudget.builder().name("orders").capacity(20).retryCost(5).timeoutRetryCost(10).successReward(1).build();

  private Retry retry(int maxAttempts) {
    return Retry.builder()
        .retrier(FixedDelayRetrier.of(maxAttempts, Duration.ofMillis(100)))
        .timeSource(time)
        .retryBudget(budget)
        .listener(listener)
        .build();
  }

  @BothPaths
  void everyRetryIsPaidAndARefusedOneEndsTheCallWithTheBudgetAsTheReason(EnginePath path) {
    Retry retry = retry(3);

    Outcome<String> first = path.run(retry, time, attempt -> {
      throw new IOException("down " + attempt);
    });
    assertThat(first.attempts()).isEqualTo(3);
    assertThat(((RetryExhaustedException) first.failure()).reason()).isEqualTo(GiveUpReason.MAX_ATTEMPTS);
    assertThat(budget.available()).isEqualTo(10.0);

    Outcome<String> second = path.run(retry, time, attempt -> {
      throw new IOException("still down " + attempt);
    });
    assertThat(second.attempts()).isEqualTo(3);
    assertThat(budget.available()).isEqualTo(0.0);

    Outcome<String> third = path.run(retry, time, attempt -> {
      throw new IOException("down again");
    });
    assertThat(third.attempts()).as("no token left: no retry").isEqualTo(1);
    RetryExhaustedException refused = (RetryExhaustedException) third.failure();
    assertThat(refused.reason()).isEqualTo(GiveUpReason.BUDGET_EXHAUSTED);
    assertThat(refused).hasMessage("retry budget 'orders' exhausted after 1 attempt: down again");
    assertThat(listener.events()).last().isEqualTo("gave up BUDGET_EXHAUSTED after 1 (down again)");
  }

  @BothPaths
  void aFirstAttemptSuccessEarnsTheBudgetBackAndARetriedSuccessIsRefunded(EnginePath path) {
    Retry retry = retry(3);
    path.run(retry, time, attempt -> {
      throw new IOException("down");
    });
    assertThat(budget.available()).isEqualTo(10.0);

    Outcome<String> firstTime = path.run(retry, time, attempt -> "ok");
    assertThat(firstTime.value()).isEqualTo("ok");
    assertThat(budget.available()).isEqualTo(11.0);

    Outcome<String> onRetry = path.run(retry, time, attempt -> {
      if (attempt == 1) {
        throw new IOException("blip");
      }
      return "ok";
    });
    assertThat(onRetry.attempts()).isEqualTo(2);
    assertThat(budget.available()).as("the retry's 5 paid, then refunded").isEqualTo(11.0);
  }

  @BothPaths
  void aRetryAfterATimeoutCostsTheTimeoutPrice(EnginePath path) {
    Retry retry = retry(2);

    path.run(retry, time, attempt -> {
      throw new SocketTimeoutException("read timed out");
    });

    assertThat(budget.available()).isEqualTo(10.0);
  }

  @BothPaths
  void aRetryTheDeadlineRefusesIsNotPaidFor(EnginePath path) {
    Retry retry = retry(3);

    Outcome<String> outcome = path.run(retry, time, Duration.ofMillis(150), attempt -> {
      throw new IOException("down");
    });

    // The first retry (after 100 ms) fits and is paid; the second would end at 200 ms, past
    // the 150 ms deadline, and is refused before the budget is asked.
    assertThat(outcome.attempts()).isEqualTo(2);
    assertThat(((RetryExhaustedException) outcome.failure()).reason()).isEqualTo(GiveUpReason.DEADLINE);
    assertThat(budget.available()).isEqualTo(15.0);
  }

  @BothPaths
  void aCallTheRetrierDeclinesCostsNothing(EnginePath path) {
    Retry retry = Retry.builder()
        .retrier(FixedDelayRetrier.of(3, Duration.ofMillis(100)).retryIf(failure -> failure instanceof IOException))
        .timeSource(time)
        .retryBudget(budget)
        .build();

    Outcome<String> outcome = path.run(retry, time, attempt -> {
      throw new IllegalArgumentException("bad request");
    });

    assertThat(outcome.failure()).isInstanceOf(IllegalArgumentException.class);
    assertThat(budget.available()).isEqualTo(20.0);
  }

  @Test
  void theBudgetIsKeptByCopiesAndMissingOneIsRefused() {
    Retry retry = retry(3);
    assertThat(retry.retryBudget()).containsSame(budget);
    assertThat(retry.withRetrier(FixedDelayRetrier.of(2, Duration.ZERO)).retryBudget()).containsSame(budget);
    assertThat(Retry.builder().build().retryBudget()).isEmpty();
    assertThatThrownBy(() -> Retry.builder().retryBudget(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("retryBudget");
  }
}
