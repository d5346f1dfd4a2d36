package dev.resilienthttp.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.resilienthttp.time.ManualTimeSource;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A retrier's {@code random} supplier is checked at use: a draw outside {@code [0, 1)} fails the
 * call and is never turned into a wait; with draws in range every delay is within {@code [0,
 * maxDelay]}.
 */
class RandomDrawsTest {

  private static final double ALMOST_ONE = Math.nextDown(1.0);

  private static ExponentialBackoffRetrier drawing(double draw, Jitter jitter, Duration maxDelay) {
    return ExponentialBackoffRetrier.builder()
        .maxAttempts(5)
        .initialDelay(Duration.ofMillis(100))
        .maxDelay(maxDelay)
        .jitter(jitter)
        .random(() -> draw)
        .build();
  }

  @ParameterizedTest
  @ValueSource(doubles = {7.0, 1.0, -0.1, Double.NaN, Double.POSITIVE_INFINITY})
  void aDrawOutsideTheUnitIntervalFailsTheSynchronousCallAndIsNeverWaited(double draw) {
    ManualTimeSource time = new ManualTimeSource();
    Retry retry = Retry.builder()
        .retrier(drawing(draw, Jitter.FULL, Duration.ofSeconds(1)))
        .timeSource(time)
        .build();
    AtomicInteger calls = new AtomicInteger();

    Throwable thrown = catchThrowable(() -> retry.call(() -> {
      calls.incrementAndGet();
      throw new IOException("down");
    }));

    assertThat(thrown)
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("random must return a value in [0, 1) but returned " + draw);
    assertThat(calls).hasValue(1);
    assertThat(time.nanoTime()).as("no wait").isEqualTo(ManualTimeSource.START);
  }

  @ParameterizedTest
  @ValueSource(doubles = {7.0, Double.NaN})
  void andTheAsynchronousOne(double draw) {
    Retry retry = Retry.builder()
        .retrier(drawing(draw, Jitter.DECORRELATED, Duration.ofSeconds(1)))
        .timeSource(new ManualTimeSource()) // schedules nothing: it would throw
        .build();
    AtomicInteger calls = new AtomicInteger();

    CompletableFuture<String> call = retry.callAsync(() -> {
      calls.incrementAndGet();
      return CompletableFuture.failedFuture(new IOException("down"));
    });

    assertThat(call.handle((value, failure) -> failure).join())
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("random must return a value in [0, 1) but returned " + draw);
    assertThat(calls).hasValue(1);
  }

  @ParameterizedTest
  @EnumSource(Jitter.class)
  void withDrawsInRangeEveryDelayIsWithinZeroAndTheMaxDelay(Jitter jitter) {
    for (Duration maxDelay : List.of(Duration.ofSeconds(1), Duration.ofNanos(Long.MAX_VALUE))) {
      for (double draw : new double[] {0.0, 0.5, ALMOST_ONE}) {
        ExponentialBackoffRetrier retrier = drawing(draw, jitter, maxDelay);
        long previous = 0;
        for (int attempt = 1; attempt <= 80; attempt++) {
          long delay = retrier.delayNanos(new FakeContext(attempt, previous), null, attempt);
          assertThat(delay)
              .as("%s, draw %s, maxDelay %s, attempt %d", jitter, draw, maxDelay, attempt)
              .isBetween(0L, maxDelay.toNanos());
          previous = delay;
        }
      }
    }
  }
}
