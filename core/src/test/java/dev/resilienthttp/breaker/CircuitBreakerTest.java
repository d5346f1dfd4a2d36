package dev.resilienthttp.breaker;

import dev.resilienthttp.time.ManualTimeSource;
import dev.resilienthttp.time.ScheduledTask;
import dev.resilienthttp.time.TimeSource;
import static dev.resilienthttp.breaker.CircuitBreaker.State.CLOSED;
import static dev.resilienthttp.breaker.CircuitBreaker.State.HALF_OPEN;
import static dev.resilienthttp.breaker.CircuitBreaker.State.OPEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

  /** Records events as "A:CLOSED->OPEN" and "A:rejected OPEN". */
  static final class RecordingListener implements CircuitBreakerListener {
    final List<String> events = new ArrayList<>();

    @Override
    public synchronized void onStateTransition(
        String breakerName, CircuitBreaker.State from, CircuitBreaker.State to) {
      events.add(breakerName + ":" + from + "->" + to);
    }

    @Override
    public synchronized void onCallRejected(String breakerName, CircuitBreaker.State state) {
      events.add(breakerName + ":rejected " + state);
    }

    synchronized List<String> transitions() {
      return events.stream().filter(e -> e.contains("->")).toList();
    }
  }

  private final ManualTimeSource time = new ManualTimeSource();
  private final RecordingListener listener = new RecordingListener();

  private CircuitBreaker.Builder builder() {
    return CircuitBreaker.builder("api.example.com:443").timeSource(time).listener(listener);
  }

  private static void fail(CircuitBreaker breaker, int times) {
    for (int i = 0; i < times; i++) {
      assertThat(breaker.tryAcquirePermission()).isTrue();
      breaker.onFailure();
    }
  }

  private static void succeed(CircuitBreaker breaker, int times) {
    for (int i = 0; i < times; i++) {
      assertThat(breaker.tryAcquirePermission()).isTrue();
      breaker.onSuccess();
    }
  }

  @Test
  void startsClosedAndPermitsEverything() {
    CircuitBreaker breaker = CircuitBreaker.ofDefaults("backend");
    assertThat(breaker.name()).isEqualTo("backend");
    assertThat(breaker.state()).isEqualTo(CLOSED);
    succeed(breaker, 1000);
    assertThat(breaker.state()).isEqualTo(CLOSED);
    assertThat(breaker.toString()).isEqualTo("CircuitBreaker[backend, CLOSED]");
  }

  @Test
  void opensAfterConsecutiveFailures() {
    CircuitBreaker breaker = builder().build();
    fail(breaker, 4);
    assertThat(breaker.state()).isEqualTo(CLOSED);
    fail(breaker, 1);
    assertThat(breaker.state()).isEqualTo(OPEN);
    assertThat(listener.events).containsExactly("api.example.com:443:CLOSED->OPEN");
  }

  @Test
  void aSuccessBreaksTheRunAndTheRateWaitsForTheMinimumNumberOfCalls() {
    CircuitBreaker breaker = builder().build(); // 5 in a row, or 50 % of 20 with 10 calls
    fail(breaker, 4);
    succeed(breaker, 1);
    fail(breaker, 4);
    // 8 failures of 9 calls: far above 50 %, but under the minimum of 10 calls.
    assertThat(breaker.state()).isEqualTo(CLOSED);
    succeed(breaker, 1);
    // 8 of 10 now, but only counted when a failure is recorded.
    assertThat(breaker.state()).isEqualTo(CLOSED);
    fail(breaker, 1);
    assertThat(breaker.state()).isEqualTo(OPEN);
  }

  @Test
  void opensAtTheFailureRateOnceTheMinimumNumberOfCallsIsReached() {
    CircuitBreaker breaker =
        builder().consecutiveFailureThreshold(1000).slidingWindowSize(20)
            .minimumNumberOfCalls(10).failureRateThreshold(50).build();
    for (int i = 0; i < 4; i++) {
      succeed(breaker, 1);
      fail(breaker, 1);
    }
    succeed(breaker, 1); // 4 failures of 9 calls
    assertThat(breaker.state()).isEqualTo(CLOSED);
    fail(breaker, 1); // 5 of 10: 50 %
    assertThat(breaker.state()).isEqualTo(OPEN);
  }

  @Test
  void theWindowForgetsOutcomesOlderThanItsSize() {
    CircuitBreaker breaker =
        builder().consecutiveFailureThreshold(1000).slidingWindowSize(20)
            .minimumNumberOfCalls(10).failureRateThreshold(50).build();
    fail(breaker, 9);
    succeed(breaker, 20); // the window now holds 20 successes
    assertThat(((LocalCircuitBreaker) breaker).closedWindowCounts()).containsExactly(0, 20);
    fail(breaker, 9); // 9 of 20
    assertThat(breaker.state()).isEqualTo(CLOSED);
    assertThat(((LocalCircuitBreaker) breaker).closedWindowCounts()).containsExactly(9, 20);
    fail(breaker, 1); // 10 of 20
    assertThat(breaker.state()).isEqualTo(OPEN);
  }

  @Test
  void failureRatesThatAreNotBinaryFractionsCompareExactly() {
    // 0.3 * 10 is 3.0000000000000004 in double arithmetic: 3 failures of 10 must still trip.
    CircuitBreaker breaker =
        builder().consecutiveFailureThreshold(1000).slidingWindowSize(10)
            .minimumNumberOfCalls(10).failureRateThreshold(30).build();
    succeed(breaker, 7);
    fail(breaker, 2);
    assertThat(breaker.state()).isEqualTo(CLOSED);
    fail(breaker, 1);
    assertThat(breaker.state()).isEqualTo(OPEN);
  }

  @Test
  void aRejectionWhileOpenReadsTheClockOnce() {
    // Guards the open-circuit cost (BENCHMARKS.md B2): the refusal reuses the clock reading
    // that found the breaker still open instead of reading the clock a second time.
    AtomicInteger reads = new AtomicInteger();
    TimeSource counting = new TimeSource() {
      @Override
      public long nanoTime() {
        reads.incrementAndGet();
        return time.nanoTime();
      }

      @Override
      public void sleep(long nanos) {
        time.sleep(nanos);
      }

      @Override
      public ScheduledTask schedule(Runnable task, long delayNanos) {
        return time.schedule(task, delayNanos);
      }
    };
    CircuitBreaker breaker = builder().timeSource(counting).build();
    fail(breaker, 5);
    time.advance(Duration.ofSeconds(10));

    reads.set(0);
    CallNotPermittedException rejection =
        catchThrowableOfType(CallNotPermittedException.class, breaker::acquirePermission);
    assertThat(reads).hasValue(1);
    assertThat(rejection.untilNextProbe()).isEqualTo(Duration.ofSeconds(20));
    assertThat(rejection).hasMessage(
        "circuit breaker 'api.example.com:443' is OPEN; next probe in 20.0 s");

    reads.set(0);
    assertThat(breaker.tryAcquirePermission()).isFalse();
    assertThat(reads).hasValue(1);
  }

  @Test
  void openBreakerRejectsWithNameStateAndTimeUntilTheNextProbe() {
    CircuitBreaker breaker = builder().build();
    fail(breaker, 5);

    assertThat(breaker.tryAcquirePermission()).isFalse();
    time.advance(Duration.ofMillis(17_700));
    CallNotPermittedException rejection =
        catchThrowableOfType(CallNotPermittedException.class, breaker::acquirePermission);

    assertThat(rejection).hasMessage(
        "circuit breaker 'api.example.com:443' is OPEN; next probe in 12.3 s");
    assertThat(rejection.breakerName()).isEqualTo("api.example.com:443");
    assertThat(rejection.state()).isEqualTo(OPEN);
    assertThat(rejection.untilNextProbe()).isEqualTo(Duration.ofMillis(12_300));
    assertThat(rejection.getStackTrace()).isEmpty();
    assertThat(rejection.getCause()).isNull();
    assertThat(listener.events).containsExactly(
        "api.example.com:443:CLOSED->OPEN",
        "api.example.com:443:rejected OPEN",
        "api.example.com:443:rejected OPEN");
  }

  @Test
  void outcomesReportedWhileOpenAreIgnored() {
    CircuitBreaker breaker = builder().build();
    fail(breaker, 5);
    breaker.onSuccess();
    breaker.onFailure();
    breaker.releasePermission();
    assertThat(breaker.state()).isEqualTo(OPEN);
    time.advance(Duration.ofSeconds(30));
    assertThat(breaker.state()).isEqualTo(HALF_OPEN);
  }

  @Test
  void becomesHalfOpenOnceTheOpenDurationHasPassed() {
    CircuitBreaker breaker = builder().build();
    fail(breaker, 5);

    time.advance(Duration.ofSeconds(30).minusNanos(1));
    assertThat(breaker.state()).isEqualTo(OPEN);
    assertThat(breaker.tryAcquirePermission()).isFalse();
    time.advance(1);
    assertThat(breaker.state()).isEqualTo(HALF_OPEN);
    assertThat(listener.transitions()).containsExactly(
        "api.example.com:443:CLOSED->OPEN", "api.example.com:443:OPEN->HALF_OPEN");
  }

  @Test
  void halfOpenAdmitsOneProbeAndRejectsTheRest() {
    CircuitBreaker breaker = builder().build();
    fail(breaker, 5);
    time.advance(Duration.ofSeconds(30));

    assertThat(breaker.tryAcquirePermission()).isTrue(); // the first call moves it to HALF_OPEN
    assertThat(breaker.state()).isEqualTo(HALF_OPEN);
    assertThat(breaker.tryAcquirePermission()).isFalse();
    CallNotPermittedException rejection =
        catchThrowableOfType(CallNotPermittedException.class, breaker::acquirePermission);
    assertThat(rejection).hasMessage(
        "circuit breaker 'api.example.com:443' is HALF_OPEN; waiting for the probes in flight");
    assertThat(rejection.state()).isEqualTo(HALF_OPEN);
    assertThat(rejection.untilNextProbe()).isEqualTo(Duration.ZERO);
    assertThat(rejection.getStackTrace()).isEmpty();
    assertThat(listener.events).endsWith(
        "api.example.com:443:OPEN->HALF_OPEN",
        "api.example.com:443:rejected HALF_OPEN",
        "api.example.com:443:rejected HALF_OPEN");
  }

  @Test
  void aSuccessfulProbeClosesItWithAFreshWindow() {
    CircuitBreaker breaker = builder().build();
    fail(breaker, 5);
    time.advance(Duration.ofSeconds(30));
    assertThat(breaker.tryAcquirePermission()).isTrue();
    breaker.onSuccess();

    assertThat(breaker.state()).isEqualTo(CLOSED);
    assertThat(((LocalCircuitBreaker) breaker).closedWindowCounts()).containsExactly(0, 0);
    fail(breaker, 4); // a fresh run: the 5 failures before do not count
    assertThat(breaker.state()).isEqualTo(CLOSED);
    assertThat(listener.transitions()).containsExactly(
        "api.example.com:443:CLOSED->OPEN",
        "api.example.com:443:OPEN->HALF_OPEN",
        "api.example.com:443:HALF_OPEN->CLOSED");
  }

  @Test
  void aFailedProbeReopensItForAnotherOpenDuration() {
    CircuitBreaker breaker = builder().build();
    fail(breaker, 5);
    time.advance(Duration.ofSeconds(30));
    assertThat(breaker.tryAcquirePermission()).isTrue();
    breaker.onFailure();

    assertThat(breaker.state()).isEqualTo(OPEN);
    CallNotPermittedException rejection =
        catchThrowableOfType(CallNotPermittedException.class, breaker::acquirePermission);
    assertThat(rejection.untilNextProbe()).isEqualTo(Duration.ofSeconds(30));
    assertThat(rejection).hasMessageEndingWith("is OPEN; next probe in 30.0 s");

    time.advance(Duration.ofSeconds(30));
    assertThat(breaker.tryAcquirePermission()).isTrue();
    breaker.onSuccess();
    assertThat(breaker.state()).isEqualTo(CLOSED);
    assertThat(listener.transitions()).containsExactly(
        "api.example.com:443:CLOSED->OPEN",
        "api.example.com:443:OPEN->HALF_OPEN",
        "api.example.com:443:HALF_OPEN->OPEN",
        "api.example.com:443:OPEN->HALF_OPEN",
        "api.example.com:443:HALF_OPEN->CLOSED");
  }

  @Test
  void severalProbesMustAllSucceed() {
    CircuitBreaker breaker =
        builder().halfOpenProbes(3).openDuration(Duration.ofSeconds(5)).build();
    fail(breaker, 5);
    time.advance(Duration.ofSeconds(5));

    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.tryAcquirePermission()).isFalse();
    breaker.onSuccess();
    breaker.onSuccess();
    assertThat(breaker.state()).isEqualTo(HALF_OPEN);
    assertThat(breaker.tryAcquirePermission()).isFalse(); // never more than 3 per period
    breaker.onSuccess();
    assertThat(breaker.state()).isEqualTo(CLOSED);
  }

  @Test
  void oneFailedProbeOfSeveralReopens() {
    CircuitBreaker breaker = builder().halfOpenProbes(3).build();
    fail(breaker, 5);
    time.advance(Duration.ofSeconds(30));
    for (int i = 0; i < 3; i++) {
      assertThat(breaker.tryAcquirePermission()).isTrue();
    }
    breaker.onSuccess();
    breaker.onSuccess();
    breaker.onFailure();
    assertThat(breaker.state()).isEqualTo(OPEN);
    breaker.onSuccess(); // the last probe's late success lands in OPEN: ignored
    assertThat(breaker.state()).isEqualTo(OPEN);
  }

  @Test
  void aReleasedProbeFreesItsSlot() {
    CircuitBreaker breaker = builder().build();
    fail(breaker, 5);
    time.advance(Duration.ofSeconds(30));
    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.tryAcquirePermission()).isFalse();

    breaker.releasePermission(); // e.g. the probe was cancelled
    assertThat(breaker.state()).isEqualTo(HALF_OPEN);
    breaker.releasePermission(); // nothing outstanding: no extra slot
    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.tryAcquirePermission()).isFalse();
    breaker.onSuccess();
    assertThat(breaker.state()).isEqualTo(CLOSED);
  }

  @Test
  void successesNeverOutnumberTheProbesLetThrough() {
    CircuitBreaker breaker = builder().build();
    fail(breaker, 5);
    time.advance(Duration.ofSeconds(30));
    assertThat(breaker.state()).isEqualTo(HALF_OPEN);

    // A call permitted while CLOSED reports late: no probe is out, so it cannot close it.
    breaker.onSuccess();
    assertThat(breaker.state()).isEqualTo(HALF_OPEN);
    assertThat(breaker.tryAcquirePermission()).isTrue();
  }

  @Test
  void releaseOutsideHalfOpenChangesNothing() {
    CircuitBreaker breaker = builder().build();
    fail(breaker, 4);
    breaker.releasePermission();
    fail(breaker, 1);
    assertThat(breaker.state()).isEqualTo(OPEN);
  }

  @Test
  void timeIsComparedAcrossTheOverflowOfTheClock() {
    CircuitBreaker breaker = builder().build();
    // The clock starts an hour before Long.MAX_VALUE: open 10 s before it overflows.
    time.advance(Duration.ofHours(1).minusSeconds(10));
    fail(breaker, 5);
    time.advance(Duration.ofSeconds(20)); // the clock has wrapped to Long.MIN_VALUE + ...
    assertThat(time.nanoTime()).isNegative();
    assertThat(breaker.state()).isEqualTo(OPEN);
    CallNotPermittedException rejection =
        catchThrowableOfType(CallNotPermittedException.class, breaker::acquirePermission);
    assertThat(rejection.untilNextProbe()).isEqualTo(Duration.ofSeconds(10));
    time.advance(Duration.ofSeconds(10));
    assertThat(breaker.state()).isEqualTo(HALF_OPEN);
  }

  @Test
  void aThrowingListenerBreaksNothing() {
    CircuitBreaker breaker =
        CircuitBreaker.builder("b").timeSource(time).listener(new CircuitBreakerListener() {
          @Override
          public void onStateTransition(
              String breakerName, CircuitBreaker.State from, CircuitBreaker.State to) {
            throw new IllegalStateException("listener bug");
          }

          @Override
          public void onCallRejected(String breakerName, CircuitBreaker.State state) {
            throw new NoClassDefFoundError("listener bug");
          }
        }).build();

    fail(breaker, 5);
    assertThat(breaker.state()).isEqualTo(OPEN);
    assertThat(breaker.tryAcquirePermission()).isFalse();
    assertThatThrownBy(breaker::acquirePermission).isInstanceOf(CallNotPermittedException.class);
    time.advance(Duration.ofSeconds(30));
    assertThat(breaker.tryAcquirePermission()).isTrue();
    assertThat(breaker.tryAcquirePermission()).isFalse();
    breaker.onSuccess();
    assertThat(breaker.state()).isEqualTo(CLOSED);
  }

  @Test
  void aBuilderBuildsIndependentBreakers() {
    CircuitBreaker.Builder shared = builder().consecutiveFailureThreshold(1);
    CircuitBreaker first = shared.build();
    CircuitBreaker second = shared.consecutiveFailureThreshold(2).build();
    fail(first, 1);
    fail(second, 1);
    assertThat(first.state()).isEqualTo(OPEN);
    assertThat(second.state()).isEqualTo(CLOSED);
  }

  @Test
  void invalidSettingsAreRejectedWithTheirValue() {
    assertThatThrownBy(() -> CircuitBreaker.builder(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must not be blank but was ' '");
    assertThatThrownBy(() -> CircuitBreaker.builder(null))
        .isInstanceOf(NullPointerException.class).hasMessage("name");
    CircuitBreaker.Builder builder = CircuitBreaker.builder("b");
    assertThatThrownBy(() -> builder.consecutiveFailureThreshold(0))
        .hasMessage("consecutiveFailureThreshold must be >= 1 but was 0");
    assertThatThrownBy(() -> builder.failureRateThreshold(0))
        .hasMessage("failureRateThreshold must be in (0, 100] but was 0.0");
    assertThatThrownBy(() -> builder.failureRateThreshold(100.5))
        .hasMessage("failureRateThreshold must be in (0, 100] but was 100.5");
    assertThatThrownBy(() -> builder.failureRateThreshold(Double.NaN))
        .hasMessage("failureRateThreshold must be in (0, 100] but was NaN");
    assertThatThrownBy(() -> builder.slidingWindowSize(0))
        .hasMessage("slidingWindowSize must be in [1, 1048576] but was 0");
    assertThatThrownBy(() -> builder.minimumNumberOfCalls(0))
        .hasMessage("minimumNumberOfCalls must be >= 1 but was 0");
    assertThatThrownBy(() -> builder.openDuration(Duration.ZERO))
        .hasMessage("openDuration must be in (0, PT2562047H47M16.854775807S] but was PT0S");
    assertThatThrownBy(() -> builder.openDuration(Duration.ofSeconds(-1)))
        .hasMessageEndingWith("but was PT-1S");
    assertThatThrownBy(() -> builder.openDuration(Duration.ofDays(365L * 300)))
        .hasMessageEndingWith("but was PT2628000H");
    assertThatThrownBy(() -> builder.halfOpenProbes(0))
        .hasMessage("halfOpenProbes must be in [1, 10000] but was 0");
    assertThatThrownBy(() -> builder.halfOpenProbes(10_001))
        .hasMessage("halfOpenProbes must be in [1, 10000] but was 10001");
    assertThatThrownBy(() -> builder.timeSource(null))
        .isInstanceOf(NullPointerException.class).hasMessage("timeSource");
    assertThatThrownBy(() -> builder.listener(null))
        .isInstanceOf(NullPointerException.class).hasMessage("listener");
    assertThatThrownBy(() -> builder.slidingWindowSize(5).minimumNumberOfCalls(6).build())
        .hasMessage("minimumNumberOfCalls must be <= slidingWindowSize (5) but was 6");
  }
}
