package dev.resilienthttp.testing.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.retry.ExponentialBackoffRetrier;
import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.retry.Jitter;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.retry.Retry;
import dev.resilienthttp.testing.VirtualTime;
import dev.resilienthttp.testing.engine.EnginePath.Attempt;
import dev.resilienthttp.testing.engine.EnginePath.Outcome;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * The engine waits exactly what the retrier decides, in virtual time, on both paths: the
 * listener's scheduled delays, the waits asked of the clock and the elapsed virtual time all
 * agree.
 */
class RetrySchedulesTest {

  private final VirtualTime time = VirtualTime.create();
  private final RecordingListener listener = new RecordingListener();

  private Retry retry(Retrier retrier) {
    return Retry.builder().retrier(retrier).timeSource(time).listener(listener).build();
  }

  private static Attempt<String> alwaysFailing() {
    return attempt -> {
      throw new IOException("boom " + attempt);
    };
  }

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }

  private static Duration s(long seconds) {
    return Duration.ofSeconds(seconds);
  }

  private void assertWaited(EnginePath path, Duration... delays) {
    assertThat(listener.delays()).containsExactly(delays);
    assertThat(path.waits(time)).containsExactly(delays);
    assertThat(time.elapsed()).isEqualTo(listener.totalDelay());
  }

  @BothPaths
  void withoutJitterTheWaitsAre100Then200Then400ms(EnginePath path) {
    Retry retry = retry(ExponentialBackoffRetrier.builder().maxAttempts(4).jitter(Jitter.NONE).build());

    Outcome<String> outcome = path.run(retry, time, alwaysFailing());

    assertThat(outcome.attempts()).isEqualTo(4);
    assertWaited(path, ms(100), ms(200), ms(400));
    assertThat(time.elapsed()).isEqualTo(ms(700));
  }

  @BothPaths
  void sevenAttempts2sInitial60sCapWait2_4_8_16_32_60sWhich122sInAll(EnginePath path) {
    Retry retry = retry(ExponentialBackoffRetrier.builder()
        .maxAttempts(7)
        .initialDelay(s(2))
        .maxDelay(s(60))
        .jitter(Jitter.NONE)
        .build());

    Outcome<String> outcome = path.run(retry, time, alwaysFailing());

    assertThat(outcome.attempts()).isEqualTo(7);
    assertWaited(path, s(2), s(4), s(8), s(16), s(32), s(60));
    assertThat(time.elapsed()).isEqualTo(s(122));
  }

  @BothPaths
  void theMaxDelayCapsEveryWait(EnginePath path) {
    Retry retry = retry(ExponentialBackoffRetrier.builder()
        .maxAttempts(6)
        .initialDelay(ms(100))
        .maxDelay(s(1))
        .multiplier(10)
        .jitter(Jitter.NONE)
        .build());

    path.run(retry, time, alwaysFailing());

    assertWaited(path, ms(100), s(1), s(1), s(1), s(1));
  }

  @BothPaths
  void aFixedDelayRetrierWaitsTheSameEachTime(EnginePath path) {
    Retry retry = retry(FixedDelayRetrier.of(4, ms(250)));

    Outcome<String> outcome = path.run(retry, time, alwaysFailing());

    assertThat(outcome.attempts()).isEqualTo(4);
    assertWaited(path, ms(250), ms(250), ms(250));
  }

  @BothPaths
  void aCallThatRecoversStopsWaiting(EnginePath path) {
    Retry retry = retry(ExponentialBackoffRetrier.builder().maxAttempts(5).jitter(Jitter.NONE).build());

    Outcome<String> outcome = path.run(retry, time, attempt -> {
      if (attempt < 3) {
        throw new IOException("boom " + attempt);
      }
      return "ok on " + attempt;
    });

    assertThat(outcome.value()).isEqualTo("ok on 3");
    assertThat(outcome.attempts()).isEqualTo(3);
    assertWaited(path, ms(100), ms(200));
  }

  @BothPaths
  void aCallThatSucceedsAtOnceNeverWaits(EnginePath path) {
    Retry retry = retry(ExponentialBackoffRetrier.ofDefaults());

    Outcome<String> outcome = path.run(retry, time, attempt -> "ok");

    assertThat(outcome.value()).isEqualTo("ok");
    assertThat(outcome.attempts()).isEqualTo(1);
    assertWaited(path);
    assertThat(time.pendingTasks()).isZero();
  }

  /** Each jitter mode, through the engine, over 2,000 calls of three retries each. */
  @BothPaths
  void jitteredWaitsStayInsideTheirModesBounds(EnginePath path) {
    int calls = 2_000;
    long initial = ms(100).toNanos();
    long cap = s(1).toNanos();
    long[] backoffs = {initial, 2 * initial, 4 * initial}; // before the 2nd, 3rd and 4th attempts
    for (Jitter jitter : Jitter.values()) {
      VirtualTime clock = VirtualTime.create();
      RecordingListener delays = new RecordingListener();
      Retry retry = Retry.builder()
          .retrier(ExponentialBackoffRetrier.builder()
              .maxAttempts(4)
              .initialDelay(ms(100))
              .maxDelay(s(1))
              .jitter(jitter)
              .random(new Random(jitter.ordinal())::nextDouble)
              .build())
          .timeSource(clock)
          .listener(delays)
          .build();

      for (int call = 0; call < calls; call++) {
        assertThat(path.run(retry, clock, alwaysFailing()).attempts()).isEqualTo(4);
      }

      List<Duration> waits = delays.delays();
      assertThat(waits).as("%s waits", jitter).hasSize(3 * calls);
      assertThat(path.waits(clock)).isEqualTo(waits);
      assertThat(clock.elapsed()).isEqualTo(delays.totalDelay());
      long firstLowest = Long.MAX_VALUE;
      long firstHighest = Long.MIN_VALUE;
      for (int call = 0; call < calls; call++) {
        long previous = initial;
        for (int wait = 0; wait < 3; wait++) {
          long delay = waits.get(3 * call + wait).toNanos();
          long backoff = backoffs[wait];
          switch (jitter) {
            case NONE -> assertThat(delay).isEqualTo(backoff);
            case FULL -> assertThat(delay).isBetween(0L, backoff - 1);
            case EQUAL -> assertThat(delay).isBetween(backoff / 2, backoff - 1);
            case DECORRELATED -> assertThat(delay).isBetween(initial, Math.min(cap, 3 * previous));
          }
          if (wait == 0) {
            firstLowest = Math.min(firstLowest, delay);
            firstHighest = Math.max(firstHighest, delay);
          }
          previous = delay;
        }
      }
      if (jitter != Jitter.NONE) {
        // Random, and spread over the range: not stuck at one end.
        long lowerEnd = jitter == Jitter.FULL ? 0 : jitter == Jitter.EQUAL ? initial / 2 : initial;
        long upperEnd = jitter == Jitter.DECORRELATED ? 3 * initial : initial;
        long tenth = (upperEnd - lowerEnd) / 10;
        assertThat(firstLowest).as("%s lowest first wait", jitter).isLessThan(lowerEnd + tenth);
        assertThat(firstHighest).as("%s highest first wait", jitter).isGreaterThan(upperEnd - tenth);
      }
    }
  }
}
