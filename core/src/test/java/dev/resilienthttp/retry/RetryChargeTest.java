package dev.resilienthttp.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.budget.RetryBudget;
import dev.resilienthttp.time.ManualTimeSource;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What a retry costs its budget is the decision's to say: by failure, a retry, a timeout, or nothing. */
class RetryChargeTest {

  private final RetryBudget budget =
      RetryBudget.builder().name("b").capacity(100).retryCost(5).timeoutRetryCost(10).successReward(1).build();
  private final Retry engine = Retry.builder().timeSource(new ManualTimeSource()).build();

  /** Fails once with {@code failure}, is retried as {@code charge} says, then succeeds. */
  private String retriedOnceWith(RetryDecision.Charge charge, Exception failure) throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    return engine.call(
        (context, thrown, attempt) -> RetryDecision.retryAfterNanos(0, charge),
        budget, null,
        context -> {
          if (attempts.incrementAndGet() == 1) {
            throw failure;
          }
          assertThat(budget.available()).as("what the retry cost, before the refund").isLessThanOrEqualTo(100);
          return "ok";
        });
  }

  @Test
  void aFreeRetryNeitherPaysNorIsRefunded() throws Exception {
    AtomicInteger seen = new AtomicInteger();
    double[] during = new double[1];
    engine.call(
        (context, thrown, attempt) -> RetryDecision.retryAfterNanos(0, RetryDecision.Charge.FREE),
        budget, null,
        context -> {
          if (seen.incrementAndGet() == 1) {
            throw new IOException("refused");
          }
          during[0] = budget.available();
          return "ok";
        });
    assertThat(during[0]).isEqualTo(100.0);
    assertThat(budget.available()).isEqualTo(100.0);
  }

  @Test
  void aTimeoutChargeCostsTheTimeoutPriceWhateverTheFailure() throws Exception {
    double[] during = new double[1];
    AtomicInteger seen = new AtomicInteger();
    engine.call(
        (context, thrown, attempt) -> RetryDecision.retryAfterNanos(0, RetryDecision.Charge.TIMEOUT_RETRY),
        budget, null,
        context -> {
          if (seen.incrementAndGet() == 1) {
            throw new IOException("an HTTP timeout, which is no java.util.concurrent.TimeoutException");
          }
          during[0] = budget.available();
          return "ok";
        });
    assertThat(during[0]).isEqualTo(90.0);
  }

  @Test
  void byFailureChargesARetryAfterAPlainFailureTheRetryPrice() throws Exception {
    double[] during = new double[1];
    AtomicInteger seen = new AtomicInteger();
    engine.call(
        (context, thrown, attempt) -> RetryDecision.retryAfterNanos(0, RetryDecision.Charge.BY_FAILURE),
        budget, null,
        context -> {
          if (seen.incrementAndGet() == 1) {
            throw new IOException("reset");
          }
          during[0] = budget.available();
          return "ok";
        });
    assertThat(during[0]).isEqualTo(95.0);
    assertThat(retriedOnceWith(RetryDecision.Charge.RETRY, new IOException("x"))).isEqualTo("ok");
  }
}
