package dev.resilienthttp.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TokenBucketRetryBudgetTest {

  /** Records every refusal as "name available". */
  static final class RecordingListener implements RetryBudgetListener {
    final List<String> exhausted = new ArrayList<>();

    @Override
    public synchronized void onBudgetExhausted(String budgetName, double available) {
      exhausted.add(budgetName + " " + available);
    }
  }

  @Test
  void defaultsChargeFiveOrTenAndEarnOne() {
    RetryBudget budget = RetryBudget.ofDefaults();

    assertThat(budget.name()).isEqualTo("default");
    assertThat(budget.available()).isEqualTo(500.0);
    assertThat(budget.tryAcquireRetry(false)).isTrue();
    assertThat(budget.available()).isEqualTo(495.0);
    assertThat(budget.tryAcquireRetry(true)).isTrue();
    assertThat(budget.available()).isEqualTo(485.0);
    budget.onFirstAttemptSuccess();
    assertThat(budget.available()).isEqualTo(486.0);
    budget.onRetrySuccess(true);
    assertThat(budget.available()).isEqualTo(496.0);
  }

  @Test
  void depositsNeverGoBeyondCapacity() {
    RetryBudget budget = RetryBudget.ofDefaults();
    budget.onFirstAttemptSuccess();
    assertThat(budget.available()).isEqualTo(500.0);

    budget.tryAcquireRetry(false); // 495
    budget.onRetrySuccess(true); // refunds 10, capped at 500
    assertThat(budget.available()).isEqualTo(500.0);
  }

  @Test
  void fractionalCostsAreNeverLost() {
    // With double arithmetic 0.3 - 0.1 - 0.1 is 0.09999999999999998 and the third is refused.
    RetryBudget small = RetryBudget.builder().capacity(0.3).retryCost(0.1).timeoutRetryCost(0.2).build();
    assertThat(small.tryAcquireRetry(false)).isTrue();
    assertThat(small.tryAcquireRetry(false)).isTrue();
    assertThat(small.tryAcquireRetry(false)).isTrue();
    assertThat(small.available()).isEqualTo(0.0);
    assertThat(small.tryAcquireRetry(false)).isFalse();

    RetryBudget budget =
        RetryBudget.builder().capacity(1).retryCost(0.1).timeoutRetryCost(0.2).successReward(0.1)
            .build();
    for (int i = 0; i < 10; i++) {
      assertThat(budget.tryAcquireRetry(false)).as("retry %d", i + 1).isTrue();
    }
    assertThat(budget.available()).isEqualTo(0.0);
    assertThat(budget.tryAcquireRetry(false)).isFalse();
    for (int i = 0; i < 10; i++) {
      budget.onFirstAttemptSuccess();
    }
    assertThat(budget.available()).isEqualTo(1.0);
  }

  @Test
  void exhaustedBudgetRefusesUntilSuccessesRefillIt() {
    RecordingListener listener = new RecordingListener();
    RetryBudget budget =
        RetryBudget.builder().name("api:443").capacity(10).retryCost(5).timeoutRetryCost(10)
            .listener(listener).build();

    assertThat(budget.tryAcquireRetry(false)).isTrue();
    assertThat(budget.tryAcquireRetry(true)).isFalse(); // 5 left, a timeout retry costs 10
    assertThat(budget.tryAcquireRetry(false)).isTrue();
    assertThat(budget.tryAcquireRetry(false)).isFalse();
    assertThat(listener.exhausted).containsExactly("api:443 5.0", "api:443 0.0");

    for (int i = 0; i < 4; i++) {
      budget.onFirstAttemptSuccess();
    }
    assertThat(budget.tryAcquireRetry(false)).isFalse();
    budget.onFirstAttemptSuccess();
    assertThat(budget.tryAcquireRetry(false)).isTrue();
    assertThat(budget.available()).isEqualTo(0.0);
  }

  @Test
  void totalOutageOfAThousandCallsCostsTheServerElevenHundredAttempts() {
    RecordingListener listener = new RecordingListener();
    RetryBudget budget = RetryBudget.builder().name("down").listener(listener).build();

    int attempts = 0;
    for (int call = 0; call < 1000; call++) {
      attempts++; // first attempt: fails
      for (int retry = 0; retry < 2 && budget.tryAcquireRetry(false); retry++) {
        attempts++; // the retry fails too
      }
    }

    // 500 tokens pay for 100 retries (the first 50 calls retry twice), then none.
    assertThat(attempts).isEqualTo(1100);
    assertThat(attempts / 1000.0).isLessThanOrEqualTo(1.1);
    assertThat(budget.available()).isEqualTo(0.0);
    assertThat(listener.exhausted).hasSize(950);

    // Recovery: first-attempt successes refill the bucket, one token each.
    for (int call = 0; call < 100; call++) {
      budget.onFirstAttemptSuccess();
    }
    assertThat(budget.available()).isEqualTo(100.0);
    for (int call = 0; call < 1000; call++) {
      budget.onFirstAttemptSuccess();
    }
    assertThat(budget.available()).isEqualTo(500.0);
  }

  @Test
  void outageOfTimeoutsCostsElevenHundredFiftyAttemptsAtMost() {
    RetryBudget budget = RetryBudget.ofDefaults();
    int attempts = 0;
    for (int call = 0; call < 1000; call++) {
      attempts++;
      for (int retry = 0; retry < 2 && budget.tryAcquireRetry(true); retry++) {
        attempts++;
      }
    }
    assertThat(attempts).isEqualTo(1050);
  }

  @Test
  void tenPercentTransientFailuresNeverExhaustTheBudget() {
    RecordingListener listener = new RecordingListener();
    RetryBudget budget = RetryBudget.builder().listener(listener).build();
    Random random = new Random(42);

    int failedCalls = 0;
    for (int call = 0; call < 100_000; call++) {
      boolean succeeded = random.nextInt(10) != 0;
      if (succeeded) {
        budget.onFirstAttemptSuccess();
        continue;
      }
      for (int retry = 0; retry < 2 && !succeeded; retry++) {
        if (!budget.tryAcquireRetry(false)) {
          break;
        }
        succeeded = random.nextInt(10) != 0;
        if (succeeded) {
          budget.onRetrySuccess(false);
        }
      }
      if (!succeeded) {
        failedCalls++;
      }
    }

    assertThat(listener.exhausted).isEmpty();
    assertThat(budget.available()).isEqualTo(500.0);
    assertThat(failedCalls).isLessThan(200); // about 0.1 % of 100,000: three failures in a row
  }

  @Test
  void concurrentRetriesNeverOverGrant() throws Exception {
    for (int round = 0; round < 20; round++) {
      RetryBudget budget = RetryBudget.ofDefaults();
      AtomicInteger spent = new AtomicInteger();
      CyclicBarrier start = new CyclicBarrier(2);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          futures.add(pool.submit(() -> {
            start.await();
            for (int i = 0; i < 10_000; i++) {
              boolean afterTimeout = i % 3 == 0;
              if (budget.tryAcquireRetry(afterTimeout)) {
                spent.addAndGet(afterTimeout ? 10 : 5);
              }
              assertThat(budget.available()).isGreaterThanOrEqualTo(0.0);
            }
            return null;
          }));
        }
        for (Future<?> future : futures) {
          future.get(30, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      // Every grant was paid for, nothing was paid twice, and the bucket was emptied.
      assertThat(spent.get()).isEqualTo(500);
      assertThat(budget.available()).isEqualTo(0.0);
    }
  }

  @Test
  void concurrentRetriesAndDepositsKeepExactBooks() throws Exception {
    RetryBudget budget =
        RetryBudget.builder().capacity(30_000).retryCost(0.7).successReward(0.3).build();
    for (int i = 0; i < 42_857; i++) {
      assertThat(budget.tryAcquireRetry(false)).isTrue();
    }
    assertThat(budget.available()).isEqualTo(0.1); // 30,000 - 42,857 * 0.7, exactly
    CyclicBarrier start = new CyclicBarrier(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    AtomicInteger granted = new AtomicInteger();
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        futures.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < 10_000; i++) {
            if (budget.tryAcquireRetry(false)) {
              granted.incrementAndGet();
            }
            budget.onFirstAttemptSuccess();
          }
          return null;
        }));
      }
      for (Future<?> future : futures) {
        future.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    // The cap is never reached (at most 6,000 deposited), so no token may be lost or made up:
    // in micro-tokens, 100,000 + 20,000 * 300,000 - granted * 700,000.
    long expectedMicros = 100_000L + 20_000L * 300_000L - granted.get() * 700_000L;
    assertThat(expectedMicros).isBetween(0L, 1_300_000L);
    assertThat(Math.round(budget.available() * 1_000_000)).isEqualTo(expectedMicros);
  }

  @Test
  void aThrowingListenerDoesNotBreakTheCall() {
    RetryBudget budget =
        RetryBudget.builder().capacity(5).timeoutRetryCost(5).listener(new RetryBudgetListener() {
          @Override
          public void onBudgetExhausted(String budgetName, double available) {
            throw new IllegalStateException("listener bug");
          }
        }).build();
    assertThat(budget.tryAcquireRetry(false)).isTrue();
    assertThat(budget.tryAcquireRetry(false)).isFalse();
    assertThat(budget.tryAcquireRetry(false)).isFalse();
  }

  @Test
  void invalidSettingsAreRejectedWithTheirValue() {
    assertThatThrownBy(() -> RetryBudget.builder().capacity(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("capacity must be in [0.000001, 1.0E12] but was 0.0");
    assertThatThrownBy(() -> RetryBudget.builder().capacity(Double.NaN))
        .hasMessage("capacity must be in [0.000001, 1.0E12] but was NaN");
    assertThatThrownBy(() -> RetryBudget.builder().capacity(2e12))
        .hasMessage("capacity must be in [0.000001, 1.0E12] but was 2.0E12");
    assertThatThrownBy(() -> RetryBudget.builder().retryCost(-1))
        .hasMessage("retryCost must be in [0.000001, 1.0E12] but was -1.0");
    assertThatThrownBy(() -> RetryBudget.builder().timeoutRetryCost(0))
        .hasMessage("timeoutRetryCost must be in [0.000001, 1.0E12] but was 0.0");
    assertThatThrownBy(() -> RetryBudget.builder().successReward(-0.5))
        .hasMessage("successReward must be in [0, 1.0E12] but was -0.5");
    assertThatThrownBy(() -> RetryBudget.builder().name(" "))
        .hasMessage("name must not be blank but was ' '");
    assertThatThrownBy(() -> RetryBudget.builder().name(null))
        .isInstanceOf(NullPointerException.class).hasMessage("name");
    assertThatThrownBy(() -> RetryBudget.builder().listener(null))
        .isInstanceOf(NullPointerException.class).hasMessage("listener");
    assertThatThrownBy(() -> RetryBudget.builder().capacity(4).build())
        .hasMessage("retryCost must be <= capacity (4.0) but was 5.0");
    assertThatThrownBy(() -> RetryBudget.builder().capacity(8).build())
        .hasMessage("timeoutRetryCost must be <= capacity (8.0) but was 10.0");
  }

  @Test
  void zeroRewardMeansOnlyRefundsRefill() {
    RetryBudget budget = RetryBudget.builder().capacity(10).successReward(0).build();
    budget.tryAcquireRetry(false);
    budget.onFirstAttemptSuccess();
    assertThat(budget.available()).isEqualTo(5.0);
    budget.onRetrySuccess(false);
    assertThat(budget.available()).isEqualTo(10.0);
  }

  @Test
  void aBuilderBuildsIndependentBudgets() {
    RetryBudget.Builder builder = RetryBudget.builder().capacity(10);
    RetryBudget first = builder.name("a").build();
    RetryBudget second = builder.name("b").build();
    first.tryAcquireRetry(false);
    assertThat(first.available()).isEqualTo(5.0);
    assertThat(second.available()).isEqualTo(10.0);
    assertThat(first.name()).isEqualTo("a");
    assertThat(first.toString()).isEqualTo("RetryBudget[a, 5.0/10.0 tokens]");
  }
}
