package dev.resilienthttp.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each jitter mode stays inside its documented bounds and is a pure function of its random
 * draw. Draws come from a seeded {@link Random}, so a failure reproduces.
 */
class JitterTest {

  private static final int DRAWS = 10_000;
  private static final long INITIAL = Duration.ofMillis(100).toNanos();
  private static final long CAP = Duration.ofSeconds(5).toNanos();
  /** Backoffs a retrier can produce: the initial delay, a middle one, an odd one, the cap. */
  private static final long[] BACKOFFS = {INITIAL, Duration.ofMillis(800).toNanos(), 1_234_567_891L, CAP};
  /** The largest draw below 1. */
  private static final double ALMOST_ONE = Math.nextDown(1.0);

  @Test
  void noneIsTheBackoffExactly() {
    Random random = new Random(1);
    for (int i = 0; i < DRAWS; i++) {
      long backoff = BACKOFFS[i % BACKOFFS.length];
      assertThat(Jitter.NONE.apply(backoff, INITIAL, backoff / 2, CAP, random.nextDouble()))
          .isEqualTo(backoff);
    }
  }

  @Test
  void fullIsWithinZeroInclusiveAndBackoffExclusive() {
    Random random = new Random(2);
    long lowest = Long.MAX_VALUE;
    long highest = Long.MIN_VALUE;
    for (int i = 0; i < DRAWS; i++) {
      long delay = Jitter.FULL.apply(CAP, INITIAL, 0, CAP, random.nextDouble());
      assertThat(delay).isBetween(0L, CAP - 1);
      lowest = Math.min(lowest, delay);
      highest = Math.max(highest, delay);
    }
    // Spread over the whole range, not stuck at one end.
    assertThat(lowest).isLessThan(CAP / 100);
    assertThat(highest).isGreaterThan(CAP - CAP / 100);
    for (long backoff : BACKOFFS) {
      for (int i = 0; i < DRAWS; i++) {
        assertThat(Jitter.FULL.apply(backoff, INITIAL, 0, CAP, random.nextDouble()))
            .isBetween(0L, backoff - 1);
      }
    }
  }

  @Test
  void equalIsWithinHalfTheBackoffInclusiveAndTheBackoffExclusive() {
    Random random = new Random(3);
    long lowest = Long.MAX_VALUE;
    long highest = Long.MIN_VALUE;
    for (int i = 0; i < DRAWS; i++) {
      long delay = Jitter.EQUAL.apply(CAP, INITIAL, 0, CAP, random.nextDouble());
      assertThat(delay).isBetween(CAP / 2, CAP - 1);
      lowest = Math.min(lowest, delay);
      highest = Math.max(highest, delay);
    }
    assertThat(lowest).isLessThan(CAP / 2 + CAP / 100);
    assertThat(highest).isGreaterThan(CAP - CAP / 100);
    for (long backoff : BACKOFFS) {
      for (int i = 0; i < DRAWS; i++) {
        assertThat(Jitter.EQUAL.apply(backoff, INITIAL, 0, CAP, random.nextDouble()))
            .isBetween(backoff / 2, backoff - 1);
      }
    }
  }

  @Test
  void decorrelatedIsWithinTheInitialDelayAndThreeTimesThePreviousCapped() {
    Random random = new Random(4);
    long previous = 0; // before the first retry: grows from the initial delay
    boolean reachedCap = false;
    for (int i = 0; i < DRAWS; i++) {
      long delay = Jitter.DECORRELATED.apply(0, INITIAL, previous, CAP, random.nextDouble());
      long base = previous > 0 ? previous : INITIAL;
      assertThat(delay).isBetween(INITIAL, Math.min(CAP, 3 * base));
      reachedCap |= delay > CAP - CAP / 10;
      previous = delay;
    }
    assertThat(reachedCap).as("a decorrelated chain climbs towards the cap").isTrue();
  }

  @Test
  void decorrelatedNeverExceedsTheCapEvenWhenThreeTimesThePreviousWouldOverflow() {
    long hugeCap = Long.MAX_VALUE - 1;
    long previous = Long.MAX_VALUE / 2;
    assertThat(Jitter.DECORRELATED.apply(0, INITIAL, previous, hugeCap, ALMOST_ONE))
        .isBetween(INITIAL, hugeCap);
  }

  @Test
  void eachModeMapsItsDrawLinearlyOntoItsRange() {
    long backoff = Duration.ofMillis(800).toNanos();
    long previous = Duration.ofMillis(400).toNanos();
    double[] draws = {0.25, 0.5, 0.75};
    // Exact: each draw is a binary fraction, so draw x range is a whole number of nanoseconds.
    long[][] expectedMillis = {
      {800, 800, 800}, // NONE: the backoff
      {200, 400, 600}, // FULL: draw x 800
      {500, 600, 700}, // EQUAL: 400 + draw x 400
      {375, 650, 925}, // DECORRELATED: 100 + draw x (min(5 s, 3 x 400) - 100)
    };
    Jitter[] modes = {Jitter.NONE, Jitter.FULL, Jitter.EQUAL, Jitter.DECORRELATED};
    for (int m = 0; m < modes.length; m++) {
      for (int d = 0; d < draws.length; d++) {
        assertThat(modes[m].apply(backoff, INITIAL, previous, CAP, draws[d]))
            .as("%s at draw %s", modes[m], draws[d])
            .isEqualTo(Duration.ofMillis(expectedMillis[m][d]).toNanos());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Jitter.class)
  void dependsOnItsArgumentsOnlyNotOnEarlierCalls(Jitter jitter) {
    Random random = new Random(5);
    int n = 1_000;
    double[] draws = new double[n];
    long[] forward = new long[n];
    for (int i = 0; i < n; i++) {
      draws[i] = random.nextDouble();
      forward[i] = jitter.apply(BACKOFFS[i % BACKOFFS.length], INITIAL, BACKOFFS[(i + 1) % BACKOFFS.length], CAP, draws[i]);
    }
    // The same arguments in the opposite order, each after different calls than the first time.
    for (int i = n - 1; i >= 0; i--) {
      assertThat(jitter.apply(BACKOFFS[i % BACKOFFS.length], INITIAL, BACKOFFS[(i + 1) % BACKOFFS.length], CAP, draws[i]))
          .as("call %d", i).isEqualTo(forward[i]);
    }
    // And the draw matters (except for NONE): not every draw gives the same delay.
    assertThat(java.util.Arrays.stream(forward).distinct().count())
        .isGreaterThan(jitter == Jitter.NONE ? 0 : BACKOFFS.length);
  }

  @Test
  void drawZeroGivesTheLowerEndpointOfEachMode() {
    long backoff = Duration.ofMillis(800).toNanos();
    long previous = Duration.ofMillis(400).toNanos();
    assertThat(Jitter.NONE.apply(backoff, INITIAL, previous, CAP, 0.0)).isEqualTo(backoff);
    assertThat(Jitter.FULL.apply(backoff, INITIAL, previous, CAP, 0.0)).isZero();
    assertThat(Jitter.EQUAL.apply(backoff, INITIAL, previous, CAP, 0.0)).isEqualTo(backoff / 2);
    assertThat(Jitter.DECORRELATED.apply(backoff, INITIAL, previous, CAP, 0.0)).isEqualTo(INITIAL);
  }

  @Test
  void drawJustBelowOneGivesJustBelowTheUpperEndpointOfEachMode() {
    long backoff = Duration.ofMillis(800).toNanos();
    long previous = Duration.ofMillis(400).toNanos();
    assertThat(Jitter.NONE.apply(backoff, INITIAL, previous, CAP, ALMOST_ONE)).isEqualTo(backoff);
    assertThat(Jitter.FULL.apply(backoff, INITIAL, previous, CAP, ALMOST_ONE)).isEqualTo(backoff - 1);
    assertThat(Jitter.EQUAL.apply(backoff, INITIAL, previous, CAP, ALMOST_ONE)).isEqualTo(backoff - 1);
    assertThat(Jitter.DECORRELATED.apply(backoff, INITIAL, previous, CAP, ALMOST_ONE))
        .isEqualTo(3 * previous - 1);
    // Three times the previous delay above the cap: the cap bounds it.
    long longPrevious = Duration.ofSeconds(4).toNanos();
    assertThat(Jitter.DECORRELATED.apply(backoff, INITIAL, longPrevious, CAP, ALMOST_ONE))
        .isEqualTo(CAP - 1);
  }

  @Test
  void decorrelatedBeforeTheFirstRetryGrowsFromTheInitialDelay() {
    assertThat(Jitter.DECORRELATED.apply(INITIAL, INITIAL, 0, CAP, 0.0)).isEqualTo(INITIAL);
    assertThat(Jitter.DECORRELATED.apply(INITIAL, INITIAL, 0, CAP, ALMOST_ONE))
        .isEqualTo(3 * INITIAL - 1);
  }
}
