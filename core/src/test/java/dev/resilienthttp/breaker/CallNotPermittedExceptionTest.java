package dev.resilienthttp.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CallNotPermittedExceptionTest {

  private static String message(Duration untilNextProbe) {
    return new CallNotPermittedException("b", CircuitBreaker.State.OPEN, untilNextProbe)
        .getMessage();
  }

  @Test
  void waitsAreShownInTenthsOfASecondRoundedUp() {
    assertThat(message(Duration.ofMillis(12_300))).isEqualTo(
        "circuit breaker 'b' is OPEN; next probe in 12.3 s");
    assertThat(message(Duration.ofNanos(1))).endsWith("in 0.1 s");
    assertThat(message(Duration.ofMillis(950))).endsWith("in 1.0 s");
    assertThat(message(Duration.ofMillis(1_901))).endsWith("in 2.0 s");
    assertThat(message(Duration.ZERO)).endsWith("in 0.0 s");
    assertThat(message(Duration.ofMinutes(2))).endsWith("in 120.0 s");
  }

  @Test
  void hasNoStackTraceAndItsToStringIsItsMessage() {
    CallNotPermittedException e =
        new CallNotPermittedException("b", CircuitBreaker.State.OPEN, Duration.ofSeconds(1));
    assertThat(e.getStackTrace()).isEmpty();
    e.fillInStackTrace();
    assertThat(e.getStackTrace()).isEmpty();
    assertThat(e).hasToString(CallNotPermittedException.class.getName()
        + ": circuit breaker 'b' is OPEN; next probe in 1.0 s");
  }

  @Test
  void theBreakersOwnRefusalReadsLikeOneMadeFromADuration() {
    CallNotPermittedException fromNanos =
        new CallNotPermittedException("b", CircuitBreaker.State.OPEN, 12_300_000_000L);
    assertThat(fromNanos.untilNextProbe()).isEqualTo(Duration.ofMillis(12_300));
    assertThat(fromNanos).hasMessage(message(Duration.ofMillis(12_300)));
    assertThat(fromNanos.getStackTrace()).isEmpty();

    CallNotPermittedException halfOpen =
        new CallNotPermittedException("b", CircuitBreaker.State.HALF_OPEN, 0L);
    assertThat(halfOpen.untilNextProbe()).isEqualTo(Duration.ZERO);
    assertThat(halfOpen).hasMessage("circuit breaker 'b' is HALF_OPEN; waiting for the probes in flight");
  }

  @Test
  void rejectsMissingOrNegativeArguments() {
    assertThatThrownBy(() -> new CallNotPermittedException(null, CircuitBreaker.State.OPEN,
        Duration.ZERO)).isInstanceOf(NullPointerException.class).hasMessage("breakerName");
    assertThatThrownBy(() -> new CallNotPermittedException("b", CircuitBreaker.State.OPEN,
        Duration.ofMillis(-1))).hasMessage("untilNextProbe must be >= 0 but was PT-0.001S");
  }
}
