package dev.resilienthttp.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ExponentialBackoffRetrierTest {

  private static final IOException FAILURE = new IOException("boom");

  /** The delays before attempts 2..maxAttempts, as the retrier computes them. */
  private static List<Duration> schedule(ExponentialBackoffRetrier retrier) {
    List<Duration> delays = new ArrayList<>();
    long previous = 0;
    for (int attempt = 1; attempt < retrier.maxAttempts(); attempt++) {
      long delay = retrier.delayNanos(new FakeContext(attempt, previous), FAILURE, attempt);
      delays.add(Duration.ofNanos(delay));
      previous = delay;
    }
    return delays;
  }

  private static Duration sum(List<Duration> delays) {
    return delays.stream().reduce(Duration.ZERO, Duration::plus);
  }

  @Nested
  class Defaults {

    @Test
    void areThreeAttempts100msInitial5sCapMultiplier2AndFullJitter() {
      ExponentialBackoffRetrier defaults = ExponentialBackoffRetrier.ofDefaults();

      assertThat(defaults.maxAttempts()).isEqualTo(3);
      assertThat(defaults.initialDelay()).isEqualTo(Duration.ofMillis(100));
      assertThat(defaults.maxDelay()).isEqualTo(Duration.ofSeconds(5));
      assertThat(defaults.multiplier()).isEqualTo(2.0);
      assertThat(defaults.jitter()).isEqualTo(Jitter.FULL);
    }

    @Test
    void aNewBuilderHoldsTheSameDefaults() {
      ExponentialBackoffRetrier built = ExponentialBackoffRetrier.builder().build();

      assertThat(built.toString()).isEqualTo(ExponentialBackoffRetrier.ofDefaults().toString());
      assertThat(built.toString())
          .isEqualTo("ExponentialBackoffRetrier{maxAttempts=3, initialDelay=PT0.1S, maxDelay=PT5S,"
              + " multiplier=2.0, jitter=FULL}");
    }

    @Test
    void retryTransientFailuresButNoProgrammingErrorAndNoError() {
      ExponentialBackoffRetrier defaults = ExponentialBackoffRetrier.ofDefaults();

      assertThat(defaults.shouldRetry(FakeContext.first(), new IOException(), 1)).isTrue();
      assertThat(defaults.shouldRetry(FakeContext.first(), new java.util.concurrent.TimeoutException(), 1))
          .isTrue();
      assertThat(defaults.shouldRetry(FakeContext.first(), new NullPointerException(), 1)).isFalse();
      assertThat(defaults.shouldRetry(FakeContext.first(), new IllegalStateException(), 1)).isFalse();
      assertThat(defaults.shouldRetry(FakeContext.first(), new OutOfMemoryError(), 1)).isFalse();
      assertThat(defaults.shouldRetry(FakeContext.first(), new AssertionError(), 1)).isFalse();
    }

    @Test
    void theDefaultCanBeWidenedByComposingIt() {
      ExponentialBackoffRetrier widened = ExponentialBackoffRetrier.builder()
          .retryIf(f -> Retrier.isTransientFailure(f) || f instanceof IllegalStateException)
          .build();

      assertThat(widened.shouldRetry(FakeContext.first(), new IllegalStateException(), 1)).isTrue();
      assertThat(widened.shouldRetry(FakeContext.first(), new NullPointerException(), 1)).isFalse();
      assertThat(widened.shouldRetry(FakeContext.first(), new IOException(), 1)).isTrue();
    }

    @Test
    void jitterIsOnSoTheDefaultWaitsStayBelowTheBackoff() {
      ExponentialBackoffRetrier defaults =
          ExponentialBackoffRetrier.ofDefaults().toBuilder().random(() -> Math.nextDown(1.0)).build();

      assertThat(schedule(defaults))
          .containsExactly(Duration.ofNanos(100_000_000 - 1), Duration.ofNanos(200_000_000 - 1));
    }
  }

  @Nested
  class Schedules {

    @Test
    void withoutJitterWaits100Then200Then400ms() {
      ExponentialBackoffRetrier retrier =
          ExponentialBackoffRetrier.builder().maxAttempts(4).jitter(Jitter.NONE).build();

      assertThat(schedule(retrier))
          .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400));
    }

    @Test
    void sevenAttempts2sInitial60sCapWait2_4_8_16_32_60sWhich122sInAll() {
      ExponentialBackoffRetrier retrier =
          ExponentialBackoffRetrier.builder()
              .maxAttempts(7)
              .initialDelay(Duration.ofSeconds(2))
              .maxDelay(Duration.ofSeconds(60))
              .jitter(Jitter.NONE)
              .build();

      List<Duration> delays = schedule(retrier);

      assertThat(delays)
          .containsExactly(
              Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
              Duration.ofSeconds(16), Duration.ofSeconds(32), Duration.ofSeconds(60));
      assertThat(sum(delays)).isEqualTo(Duration.ofSeconds(122));
    }

    @Test
    void theMaxDelayCapsEveryWait() {
      ExponentialBackoffRetrier retrier =
          ExponentialBackoffRetrier.builder()
              .maxAttempts(6)
              .initialDelay(Duration.ofMillis(100))
              .maxDelay(Duration.ofSeconds(1))
              .multiplier(10)
              .jitter(Jitter.NONE)
              .build();

      assertThat(schedule(retrier))
          .containsExactly(
              Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(1),
              Duration.ofSeconds(1), Duration.ofSeconds(1));
    }

    @Test
    void theCapHoldsForAttemptNumbersWhosePowerOverflows() {
      ExponentialBackoffRetrier retrier = ExponentialBackoffRetrier.builder().jitter(Jitter.NONE).build();

      assertThat(retrier.backoffNanos(64)).isEqualTo(Duration.ofSeconds(5).toNanos());
      assertThat(retrier.backoffNanos(10_000)).isEqualTo(Duration.ofSeconds(5).toNanos());
      assertThat(retrier.backoffNanos(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(5).toNanos());
    }

    @Test
    void aMultiplierOfOneKeepsTheDelayConstant() {
      ExponentialBackoffRetrier retrier =
          ExponentialBackoffRetrier.builder().maxAttempts(4).multiplier(1.0).jitter(Jitter.NONE).build();

      assertThat(schedule(retrier))
          .containsExactly(Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofMillis(100));
    }

    @Test
    void jitteredDelaysComeFromTheInjectedRandomThroughTheJitterMode() {
      long seed = 42;
      Random expectedDraws = new Random(seed);
      ExponentialBackoffRetrier retrier =
          ExponentialBackoffRetrier.builder()
              .maxAttempts(5)
              .jitter(Jitter.EQUAL)
              .random(new Random(seed)::nextDouble)
              .build();

      List<Duration> delays = schedule(retrier);

      long initial = Duration.ofMillis(100).toNanos();
      long cap = Duration.ofSeconds(5).toNanos();
      for (int attempt = 1; attempt <= delays.size(); attempt++) {
        long backoff = retrier.backoffNanos(attempt);
        assertThat(delays.get(attempt - 1).toNanos())
            .isEqualTo(Jitter.EQUAL.apply(backoff, initial, 0, cap, expectedDraws.nextDouble()));
      }
    }

    @Test
    void decorrelatedJitterGrowsFromThePreviousDelayTheEngineReports() {
      ExponentialBackoffRetrier retrier =
          ExponentialBackoffRetrier.builder()
              .maxAttempts(10)
              .jitter(Jitter.DECORRELATED)
              .random(() -> Math.nextDown(1.0))
              .build();

      assertThat(retrier.delayNanos(new FakeContext(1, 0), FAILURE, 1))
          .isEqualTo(Duration.ofMillis(300).toNanos() - 1);
      assertThat(retrier.delayNanos(new FakeContext(2, Duration.ofMillis(300).toNanos()), FAILURE, 2))
          .isEqualTo(Duration.ofMillis(900).toNanos() - 1);
      assertThat(retrier.delayNanos(new FakeContext(5, Duration.ofSeconds(4).toNanos()), FAILURE, 5))
          .isEqualTo(Duration.ofSeconds(5).toNanos() - 1);
    }

    @Test
    void delayAgreesWithDelayNanos() {
      ExponentialBackoffRetrier retrier =
          ExponentialBackoffRetrier.builder().maxAttempts(5).jitter(Jitter.NONE).build();

      for (int attempt = 1; attempt < 5; attempt++) {
        assertThat(retrier.delay(FakeContext.first(), FAILURE, attempt))
            .isEqualTo(Duration.ofNanos(retrier.delayNanos(FakeContext.first(), FAILURE, attempt)));
      }
    }

    @Test
    void decidesRetryUntilTheLastAttemptThenGivesUpWithMaxAttempts() {
      ExponentialBackoffRetrier retrier = ExponentialBackoffRetrier.builder().jitter(Jitter.NONE).build();

      assertThat(retrier.decide(FakeContext.first(), FAILURE, 1))
          .isEqualTo(new RetryDecision.RetryAfter(Duration.ofMillis(100).toNanos()));
      assertThat(retrier.decide(FakeContext.first(), FAILURE, 2))
          .isEqualTo(new RetryDecision.RetryAfter(Duration.ofMillis(200).toNanos()));
      assertThat(retrier.decide(FakeContext.first(), FAILURE, 3))
          .isEqualTo(new RetryDecision.GiveUp(GiveUpReason.MAX_ATTEMPTS, "max retry attempts (3) reached"));
      assertThat(retrier.decide(FakeContext.first(), new AssertionError(), 1))
          .isSameAs(RetryDecision.rethrow());
    }

    @Test
    void retryIfChoosesTheRetryableFailures() {
      ExponentialBackoffRetrier retrier =
          ExponentialBackoffRetrier.builder().retryIf(failure -> failure instanceof IOException).build();

      assertThat(retrier.shouldRetry(FakeContext.first(), new IOException(), 1)).isTrue();
      assertThat(retrier.shouldRetry(FakeContext.first(), new IllegalStateException(), 1)).isFalse();
    }

    @Test
    void toBuilderCopiesEverySetting() {
      ExponentialBackoffRetrier original =
          ExponentialBackoffRetrier.builder()
              .maxAttempts(7)
              .initialDelay(Duration.ofSeconds(2))
              .maxDelay(Duration.ofSeconds(60))
              .multiplier(3)
              .jitter(Jitter.NONE)
              .build();

      ExponentialBackoffRetrier copy = original.toBuilder().build();

      assertThat(copy.toString()).isEqualTo(original.toString());
      assertThat(schedule(copy)).isEqualTo(schedule(original));
    }
  }

  @Nested
  class Validation {

    private final ExponentialBackoffRetrier.Builder builder = ExponentialBackoffRetrier.builder();

    @Test
    void maxAttemptsOfZeroOrLessIsRejectedNamingTheValueAndTheRange() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> builder.maxAttempts(0))
          .withMessage("maxAttempts must be >= 1 but was 0");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> builder.maxAttempts(-1))
          .withMessage("maxAttempts must be >= 1 but was -1");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> builder.maxAttempts(Integer.MIN_VALUE))
          .withMessage("maxAttempts must be >= 1 but was " + Integer.MIN_VALUE);
    }

    @Test
    void oneAttemptIsAllowed() {
      assertThat(builder.maxAttempts(1).build().maxAttempts()).isEqualTo(1);
    }

    @Test
    void aZeroOrNegativeInitialDelayIsRejected() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> builder.initialDelay(Duration.ZERO))
          .withMessage("initialDelay must be in (0, PT2562047H47M16.854775807S] but was PT0S");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> builder.initialDelay(Duration.ofMillis(-1)))
          .withMessage("initialDelay must be in (0, PT2562047H47M16.854775807S] but was PT-0.001S");
    }

    @Test
    void aZeroOrNegativeMaxDelayIsRejected() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> builder.maxDelay(Duration.ZERO))
          .withMessage("maxDelay must be in (0, PT2562047H47M16.854775807S] but was PT0S");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> builder.maxDelay(Duration.ofSeconds(-5)))
          .withMessage("maxDelay must be in (0, PT2562047H47M16.854775807S] but was PT-5S");
    }

    @Test
    void aDelayTooLongForNanosecondsIsRejectedRatherThanOverflowing() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> builder.maxDelay(Duration.ofSeconds(Long.MAX_VALUE)))
          .withMessageStartingWith("maxDelay must be in (0, PT2562047H47M16.854775807S] but was PT");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> builder.initialDelay(Duration.ofDays(365L * 300)))
          .withMessageStartingWith("initialDelay must be in (0, PT2562047H47M16.854775807S] but was PT");
    }

    @Test
    void aMaxDelayBelowTheInitialDelayIsRejectedWhenBuilt() {
      builder.initialDelay(Duration.ofSeconds(1)).maxDelay(Duration.ofMillis(500));

      assertThatIllegalArgumentException()
          .isThrownBy(builder::build)
          .withMessage("maxDelay must be >= initialDelay (PT1S) but was PT0.5S");
    }

    @Test
    void theCrossFieldRuleIsCheckedOnceAtBuildSoSettersMayComeInAnyOrder() {
      ExponentialBackoffRetrier retrier =
          builder.maxDelay(Duration.ofMillis(50)).initialDelay(Duration.ofMillis(10)).build();

      assertThat(retrier.maxDelay()).isEqualTo(Duration.ofMillis(50));
      assertThat(retrier.initialDelay()).isEqualTo(Duration.ofMillis(10));
    }

    @Test
    void aMaxDelayEqualToTheInitialDelayIsAllowed() {
      ExponentialBackoffRetrier retrier =
          builder.initialDelay(Duration.ofSeconds(1)).maxDelay(Duration.ofSeconds(1)).build();

      assertThat(retrier.maxDelay()).isEqualTo(retrier.initialDelay());
    }

    @Test
    void aMultiplierBelowOneIsRejected() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> builder.multiplier(0.5))
          .withMessage("multiplier must be a finite number >= 1.0 but was 0.5");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> builder.multiplier(0))
          .withMessage("multiplier must be a finite number >= 1.0 but was 0.0");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> builder.multiplier(-2))
          .withMessage("multiplier must be a finite number >= 1.0 but was -2.0");
    }

    @Test
    void aMultiplierThatIsNaNOrInfiniteIsRejected() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> builder.multiplier(Double.NaN))
          .withMessage("multiplier must be a finite number >= 1.0 but was NaN");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> builder.multiplier(Double.POSITIVE_INFINITY))
          .withMessage("multiplier must be a finite number >= 1.0 but was Infinity");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> builder.multiplier(Double.NEGATIVE_INFINITY))
          .withMessage("multiplier must be a finite number >= 1.0 but was -Infinity");
    }

    @Test
    void aRejectedValueLeavesTheBuilderAsItWasInsteadOfSubstitutingADefault() {
      builder.maxAttempts(5).multiplier(3);

      assertThatIllegalArgumentException().isThrownBy(() -> builder.maxAttempts(0));
      assertThatIllegalArgumentException().isThrownBy(() -> builder.multiplier(Double.NaN));

      ExponentialBackoffRetrier retrier = builder.build();
      assertThat(retrier.maxAttempts()).isEqualTo(5);
      assertThat(retrier.multiplier()).isEqualTo(3.0);
    }

    @Test
    void nullsAreRejectedNamingTheSetting() {
      assertThatNullPointerException().isThrownBy(() -> builder.initialDelay(null)).withMessage("initialDelay");
      assertThatNullPointerException().isThrownBy(() -> builder.maxDelay(null)).withMessage("maxDelay");
      assertThatNullPointerException().isThrownBy(() -> builder.jitter(null)).withMessage("jitter");
      assertThatNullPointerException().isThrownBy(() -> builder.random(null)).withMessage("random");
      assertThatNullPointerException().isThrownBy(() -> builder.retryIf(null)).withMessage("retryIf");
    }
  }
}
