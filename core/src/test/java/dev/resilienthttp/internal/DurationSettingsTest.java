package dev.resilienthttp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.resilienthttp.backend.BackendRegistry;
import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.flight.SingleFlight;
import dev.resilienthttp.retry.ExponentialBackoffRetrier;
import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.retry.Retry;
import dev.resilienthttp.retry.RetryDecision;
import dev.resilienthttp.time.ScheduledTask;
import dev.resilienthttp.time.TimeSource;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@link Duration} setting in core must fit in a {@code long} of nanoseconds (about 292
 * years): one nanosecond more is rejected when the setting is made, naming the setting, the
 * range and the value, never overflowing later.
 */
class DurationSettingsTest {

  private static final String MAX = "PT2562047H47M16.854775807S";
  private static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE);
  private static final Duration TOO_LONG = LONGEST.plusNanos(1);

  /** Each setting that must be positive, as (name, what sets it). */
  static Stream<Arguments> positiveSettings() {
    TimeSource time = new TimersNeverFire();
    Retry retry = Retry.builder().timeSource(time).build();
    SingleFlight<String, String> flight = SingleFlight.create(time);
    return Stream.of(
        setting("initialDelay", d -> ExponentialBackoffRetrier.builder().initialDelay(d)),
        setting("maxDelay", d -> ExponentialBackoffRetrier.builder().maxDelay(d)),
        setting("openDuration", d -> CircuitBreaker.builder("b").openDuration(d)),
        setting("timeout", d -> retry.call(d, () -> "ok")),
        setting("timeout", d -> retry.callAsync(d, () -> CompletableFuture.completedFuture("ok"))),
        setting("timeout", d -> retry.callAsync(
            (context, failure, attempt) -> RetryDecision.rethrow(), null, d,
            context -> CompletableFuture.completedFuture("ok"))),
        setting("timeout", d -> flight.join("key", d, key -> CompletableFuture.completedFuture("ok"))));
  }

  private static Arguments setting(String name, Consumer<Duration> set) {
    return Arguments.of(name, set);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("positiveSettings")
  void aPositiveSettingTakesUpToLongMaxValueNanosecondsAndNothingBeyond(
      String name, Consumer<Duration> set) {
    set.accept(Duration.ofNanos(1));
    set.accept(LONGEST);

    assertThatIllegalArgumentException()
        .isThrownBy(() -> set.accept(TOO_LONG))
        .withMessage(name + " must be in (0, " + MAX + "] but was " + TOO_LONG);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> set.accept(Duration.ofSeconds(Long.MAX_VALUE)))
        .withMessageStartingWith(name + " must be in (0, " + MAX + "] but was PT");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> set.accept(Duration.ZERO))
        .withMessage(name + " must be in (0, " + MAX + "] but was PT0S");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> set.accept(Duration.ofNanos(-1)))
        .withMessage(name + " must be in (0, " + MAX + "] but was PT-0.000000001S");
  }

  @Test
  void aFixedDelayMayBeZeroAndUpToLongMaxValueNanoseconds() {
    assertThat(FixedDelayRetrier.of(2, Duration.ZERO)).isNotNull();
    assertThat(FixedDelayRetrier.of(2, LONGEST).delay(null, null, 1)).isEqualTo(LONGEST);

    assertThatIllegalArgumentException()
        .isThrownBy(() -> FixedDelayRetrier.of(2, TOO_LONG))
        .withMessage("delay must be in [0, " + MAX + "] but was " + TOO_LONG);
  }

  @Test
  void aRetryAfterDecisionMayBeZeroAndUpToLongMaxValueNanoseconds() {
    assertThat(RetryDecision.retryAfter(LONGEST)).isEqualTo(new RetryDecision.RetryAfter(Long.MAX_VALUE));

    assertThatIllegalArgumentException()
        .isThrownBy(() -> RetryDecision.retryAfter(TOO_LONG))
        .withMessage("delay must be in [0, " + MAX + "] but was " + TOO_LONG);
  }

  @Test
  void theIdleTimeoutLeavesRoomForItsGraceAndSaysHowMuch() {
    long max = Long.MAX_VALUE / 17 * 16;
    BackendRegistry.Builder<String, String> builder = BackendRegistry.builder(key -> key);
    builder.idleTimeout(Duration.ofNanos(max));

    assertThatIllegalArgumentException()
        .isThrownBy(() -> builder.idleTimeout(Duration.ofNanos(max + 1)))
        .withMessage("idleTimeout must be in (0, " + Duration.ofNanos(max) + "] but was "
            + Duration.ofNanos(max + 1));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> builder.idleTimeout(TOO_LONG))
        .withMessageStartingWith("idleTimeout must be in (0, ");
  }

  @Test
  void aMissingDurationIsRejectedNamingTheSetting() {
    assertThatNullPointerException()
        .isThrownBy(() -> DurationChecks.positiveNanos("openDuration", null))
        .withMessage("openDuration");
    assertThatNullPointerException()
        .isThrownBy(() -> DurationChecks.nonNegativeNanos("delay", null))
        .withMessage("delay");
  }

  @Test
  void theChecksReturnTheNanoseconds() {
    assertThat(DurationChecks.positiveNanos("s", Duration.ofMillis(3))).isEqualTo(3_000_000L);
    assertThat(DurationChecks.nonNegativeNanos("s", Duration.ZERO)).isZero();
    assertThat(DurationChecks.positiveNanosAtMost("s", Duration.ofNanos(10), 10)).isEqualTo(10);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> DurationChecks.positiveNanosAtMost("s", Duration.ofNanos(11), 10))
        .withMessage("s must be in (0, PT0.00000001S] but was PT0.000000011S");
  }

  /** A clock standing still whose timers never fire: setting a timeout schedules nothing real. */
  private static final class TimersNeverFire implements TimeSource {
    @Override
    public long nanoTime() {
      return 0;
    }

    @Override
    public void sleep(long nanos) {}

    @Override
    public ScheduledTask schedule(Runnable task, long delayNanos) {
      return () -> true;
    }
  }
}
