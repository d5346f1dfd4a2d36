package dev.resilienthttp.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.resilienthttp.backend.BackendRegistry;
import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.flight.SingleFlight;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.retry.Retry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link TimeSource#withDefault}: objects built inside it without a time source of their own
 * follow its clock, so a layer building them from its users' factories keeps them on its clock.
 */
class TimeSourceDefaultTest {

  private final ManualTimeSource time = new ManualTimeSource();

  private static void failFiveTimes(CircuitBreaker breaker) {
    for (int i = 0; i < 5; i++) {
      assertThat(breaker.tryAcquirePermission()).isTrue();
      breaker.onFailure();
    }
  }

  @Test
  void aBreakerBuiltByOfDefaultsInsideOpensAndHalfOpensOnThatClock() {
    Function<String, CircuitBreaker> factory = CircuitBreaker::ofDefaults;
    CircuitBreaker inside = TimeSource.withDefault(time, () -> factory.apply("api"));
    CircuitBreaker outside = factory.apply("other");
    failFiveTimes(inside);
    failFiveTimes(outside);
    assertThat(inside.state()).isEqualTo(CircuitBreaker.State.OPEN);

    time.advance(Duration.ofSeconds(29));
    assertThat(inside.state()).isEqualTo(CircuitBreaker.State.OPEN);
    time.advance(Duration.ofSeconds(1));

    assertThat(inside.state()).as("30 s passed on the manual clock").isEqualTo(CircuitBreaker.State.HALF_OPEN);
    assertThat(outside.state()).as("built outside: on the system clock").isEqualTo(CircuitBreaker.State.OPEN);
  }

  @Test
  void aRegistryRunsItsFactoryWithItsOwnClockAsTheDefault() {
    BackendRegistry<String, CircuitBreaker> breakers =
        BackendRegistry.<String, CircuitBreaker>builder(CircuitBreaker::ofDefaults).timeSource(time).build();
    CircuitBreaker breaker = breakers.get("api");
    failFiveTimes(breaker);

    time.advance(Duration.ofSeconds(30));

    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
  }

  @Test
  void anExplicitTimeSourceWinsAndTheInnermostDefaultApplies() {
    ManualTimeSource inner = new ManualTimeSource();
    Retry[] built = new Retry[4];

    TimeSource.withDefault(time, () -> {
      built[0] = Retry.with(Retrier.none());
      built[1] = TimeSource.withDefault(inner, () -> Retry.builder().build());
      built[2] = Retry.builder().build();
      built[3] = Retry.builder().timeSource(TimeSource.system()).build();
      return null;
    });

    assertThat(built[0].timeSource()).isSameAs(time);
    assertThat(built[1].timeSource()).isSameAs(inner);
    assertThat(built[2].timeSource()).as("the outer default restored").isSameAs(time);
    assertThat(built[3].timeSource()).isSameAs(TimeSource.system());
  }

  @Test
  void theThreadKeepsNothingAfterwardsEvenWhenTheBuildFails() {
    assertThatThrownBy(() -> TimeSource.withDefault(time, () -> {
      throw new IllegalStateException("factory failed");
    })).hasMessage("factory failed");

    assertThat(Retry.with(Retrier.none()).timeSource()).isSameAs(TimeSource.system());
    assertThat(Retry.builder().build().timeSource()).isSameAs(TimeSource.system());
  }

  @Test
  void aSingleFlightCreatedInsideMeasuresTimeoutsOnThatClock() {
    List<Duration> scheduled = new ArrayList<>();
    TimeSource recording = new TimeSource() {
      @Override
      public long nanoTime() {
        return 0;
      }

      @Override
      public void sleep(long nanos) {}

      @Override
      public ScheduledTask schedule(Runnable task, long delayNanos) {
        scheduled.add(Duration.ofNanos(delayNanos));
        return () -> true;
      }
    };
    SingleFlight<String, String> flight = TimeSource.withDefault(recording, SingleFlight::create);

    flight.join("token", Duration.ofSeconds(2), key -> new CompletableFuture<>());

    assertThat(scheduled).containsExactly(Duration.ofSeconds(2));
  }

  @Test
  void nullsAreRejectedNamingTheArgument() {
    assertThatThrownBy(() -> TimeSource.withDefault(null, () -> "x"))
        .isInstanceOf(NullPointerException.class).hasMessage("timeSource");
    assertThatThrownBy(() -> TimeSource.withDefault(time, null))
        .isInstanceOf(NullPointerException.class).hasMessage("build");
  }
}
