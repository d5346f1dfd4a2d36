package dev.resilienthttp.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link RetryDecision}, the default {@link Retrier#decide} and {@link Retrier#none()}. */
class RetryDecisionTest {

  @Test
  void aNegativeDelayIsRejectedNamingTheValueAndTheRange() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new RetryDecision.RetryAfter(-1))
        .withMessage("delay must be >= 0 ns but was -1 ns");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> RetryDecision.retryAfter(Duration.ofMillis(-5)))
        .withMessage("delay must be in [0, PT2562047H47M16.854775807S] but was PT-0.005S");
  }

  @Test
  void aZeroDelayIsAllowed() {
    assertThat(RetryDecision.retryAfter(Duration.ZERO)).isEqualTo(new RetryDecision.RetryAfter(0));
    assertThat(RetryDecision.retryAfterNanos(7)).isEqualTo(new RetryDecision.RetryAfter(7));
  }

  @Test
  void givingUpAsNotRetryableIsRejectedInFavourOfRethrow() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> RetryDecision.giveUp(GiveUpReason.NOT_RETRYABLE, "no"))
        .withMessage("reason must not be NOT_RETRYABLE for a GiveUp; use RetryDecision.rethrow()");
  }

  @Test
  void aGiveUpNeedsAReasonAndADetail() {
    assertThatNullPointerException().isThrownBy(() -> new RetryDecision.GiveUp(null, "x")).withMessage("reason");
    assertThatNullPointerException()
        .isThrownBy(() -> new RetryDecision.GiveUp(GiveUpReason.DEADLINE, null))
        .withMessage("detail");
  }

  @Test
  void rethrowIsOneSharedInstance() {
    assertThat(RetryDecision.rethrow()).isSameAs(RetryDecision.rethrow()).hasToString("Rethrow");
  }

  @Test
  void theMaxAttemptsDetailReadsAsDocumented() {
    assertThat(RetryDecision.maxAttemptsDetail(3)).isEqualTo("max retry attempts (3) reached");
  }

  @Test
  void theDefaultDecisionAsksShouldRetryBeforeCountingAttempts() {
    Retrier declinesEverything = retrier(2, false);
    Retrier retriesEverything = retrier(2, true);
    IOException failure = new IOException();

    assertThat(declinesEverything.decide(FakeContext.first(), failure, 1)).isSameAs(RetryDecision.rethrow());
    assertThat(declinesEverything.decide(FakeContext.first(), failure, 2)).isSameAs(RetryDecision.rethrow());
    assertThat(retriesEverything.decide(FakeContext.first(), failure, 1))
        .isEqualTo(new RetryDecision.RetryAfter(Duration.ofMillis(10).toNanos()));
    assertThat(retriesEverything.decide(FakeContext.first(), failure, 2))
        .isEqualTo(new RetryDecision.GiveUp(GiveUpReason.MAX_ATTEMPTS, "max retry attempts (2) reached"));
  }

  @Test
  void aRetrierReturningANegativeDelayIsRefusedRatherThanWaitingNoTime() {
    Retrier negative = new Retrier() {
      @Override
      public int maxAttempts() {
        return 3;
      }

      @Override
      public boolean shouldRetry(RetryContext context, Throwable failure, int attempt) {
        return true;
      }

      @Override
      public Duration delay(RetryContext context, Throwable failure, int attempt) {
        return Duration.ofMillis(-1);
      }
    };

    assertThatIllegalArgumentException()
        .isThrownBy(() -> negative.decide(FakeContext.first(), new IOException(), 1))
        .withMessage("delay must be >= 0 ns but was -1000000 ns");
  }

  @Test
  void noneIsOneAttemptAndNeverARetry() {
    Retrier none = Retrier.none();

    assertThat(none.maxAttempts()).isEqualTo(1);
    assertThat(none.shouldRetry(FakeContext.first(), new IOException(), 1)).isFalse();
    assertThat(none.decide(FakeContext.first(), new IOException(), 1)).isSameAs(RetryDecision.rethrow());
    assertThat(none).isSameAs(Retrier.none()).hasToString("Retrier.none()");
  }

  @Test
  void aRetryWithoutARetrierUsesNone() {
    assertThat(Retry.builder().build().retrier()).isSameAs(Retrier.none());
  }

  private static Retrier retrier(int maxAttempts, boolean retry) {
    return new Retrier() {
      @Override
      public int maxAttempts() {
        return maxAttempts;
      }

      @Override
      public boolean shouldRetry(RetryContext context, Throwable failure, int attempt) {
        return retry;
      }

      @Override
      public Duration delay(RetryContext context, Throwable failure, int attempt) {
        return Duration.ofMillis(10);
      }
    };
  }
}
