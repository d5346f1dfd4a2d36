package dev.resilienthttp.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FixedDelayRetrierTest {

  private static final IOException FAILURE = new IOException("boom");

  @Test
  void waitsTheSameDelayBeforeEveryRetry() {
    FixedDelayRetrier retrier = FixedDelayRetrier.of(4, Duration.ofMillis(250));

    assertThat(retrier.maxAttempts()).isEqualTo(4);
    for (int attempt = 1; attempt < 4; attempt++) {
      assertThat(retrier.delay(FakeContext.first(), FAILURE, attempt)).isEqualTo(Duration.ofMillis(250));
      assertThat(retrier.delayNanos(FakeContext.first(), FAILURE, attempt))
          .isEqualTo(Duration.ofMillis(250).toNanos());
      assertThat(retrier.decide(FakeContext.first(), FAILURE, attempt))
          .isEqualTo(new RetryDecision.RetryAfter(Duration.ofMillis(250).toNanos()));
    }
    assertThat(retrier.decide(FakeContext.first(), FAILURE, 4))
        .isEqualTo(new RetryDecision.GiveUp(GiveUpReason.MAX_ATTEMPTS, "max retry attempts (4) reached"));
  }

  @Test
  void retriesTransientFailuresButNoProgrammingErrorAndNoErrorUnlessToldOtherwise() {
    FixedDelayRetrier retrier = FixedDelayRetrier.of(2, Duration.ofMillis(1));

    assertThat(retrier.shouldRetry(FakeContext.first(), new IOException(), 1)).isTrue();
    assertThat(retrier.shouldRetry(FakeContext.first(), new IllegalStateException(), 1)).isFalse();
    assertThat(retrier.shouldRetry(FakeContext.first(), new NullPointerException(), 1)).isFalse();
    assertThat(retrier.shouldRetry(FakeContext.first(), new AssertionError(), 1)).isFalse();

    FixedDelayRetrier ioOnly = retrier.retryIf(failure -> failure instanceof IOException);
    assertThat(ioOnly.shouldRetry(FakeContext.first(), new IOException(), 1)).isTrue();
    assertThat(ioOnly.shouldRetry(FakeContext.first(), new IllegalStateException(), 1)).isFalse();
    assertThat(ioOnly.maxAttempts()).isEqualTo(2);
    assertThat(ioOnly.delay(FakeContext.first(), FAILURE, 1)).isEqualTo(Duration.ofMillis(1));
  }

  @Test
  void aZeroDelayMeansRetryAtOnce() {
    FixedDelayRetrier retrier = FixedDelayRetrier.of(3, Duration.ZERO);

    assertThat(retrier.decide(FakeContext.first(), FAILURE, 1)).isEqualTo(new RetryDecision.RetryAfter(0));
  }

  @Test
  void zeroOrNegativeAttemptsAreRejectedNamingTheValueAndTheRange() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> FixedDelayRetrier.of(0, Duration.ofMillis(250)))
        .withMessage("maxAttempts must be >= 1 but was 0");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> FixedDelayRetrier.of(-1, Duration.ofMillis(250)))
        .withMessage("maxAttempts must be >= 1 but was -1");
  }

  @Test
  void aNegativeDelayIsRejectedNamingTheValueAndTheRange() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> FixedDelayRetrier.of(3, Duration.ofSeconds(-1)))
        .withMessage("delay must be in [0, PT2562047H47M16.854775807S] but was PT-1S");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> FixedDelayRetrier.of(3, Duration.ofSeconds(Long.MAX_VALUE)))
        .withMessageStartingWith("delay must be in [0, PT2562047H47M16.854775807S] but was PT");
  }

  @Test
  void nullsAreRejectedNamingTheSetting() {
    assertThatNullPointerException().isThrownBy(() -> FixedDelayRetrier.of(3, null)).withMessage("delay");
    assertThatNullPointerException()
        .isThrownBy(() -> FixedDelayRetrier.of(3, Duration.ZERO).retryIf(null))
        .withMessage("retryIf");
  }

  @Test
  void describesItself() {
    assertThat(FixedDelayRetrier.of(4, Duration.ofMillis(250)))
        .hasToString("FixedDelayRetrier{maxAttempts=4, delay=PT0.25S}");
  }
}
