package dev.resilienthttp.breaker;

import static dev.resilienthttp.breaker.CircuitBreaker.State.CLOSED;
import static dev.resilienthttp.breaker.CircuitBreaker.State.HALF_OPEN;
import static dev.resilienthttp.breaker.CircuitBreaker.State.OPEN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.time.ManualTimeSource;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The two closed phases, {@link PackedClosed} (one long) and {@code RingClosed} (an {@link
 * OutcomeWindow} and a run counter), against each other and against a plain model of the
 * documented rules, one outcome at a time.
 */
class CircuitBreakerParityTest {

  /** The rules of CircuitBreaker's Javadoc, kept the simplest way: a list of the outcomes. */
  static final class Model {
    final int size;
    final int minimumNumberOfCalls;
    final BigDecimal percent;
    final int threshold;
    final Deque<Boolean> window = new ArrayDeque<>();
    int run;
    CircuitBreaker.State state = CLOSED;

    Model(int size, int minimumNumberOfCalls, double percent, int threshold) {
      this.size = size;
      this.minimumNumberOfCalls = minimumNumberOfCalls;
      this.percent = new BigDecimal(percent); // exact: the model does not round
      this.threshold = threshold;
    }

    int failures() {
      return (int) window.stream().filter(f -> f).count();
    }

    /** Records a closed-state outcome; returns which rule opened the breaker, if one did. */
    String record(boolean failure) {
      window.addLast(failure);
      if (window.size() > size) {
        window.removeFirst();
      }
      run = failure ? run + 1 : 0;
      if (!failure) {
        return null;
      }
      if (run >= threshold) {
        state = OPEN;
        return "run";
      }
      BigDecimal failuresPercent = BigDecimal.valueOf(100L * failures());
      if (window.size() >= minimumNumberOfCalls
          && failuresPercent.compareTo(percent.multiply(BigDecimal.valueOf(window.size()))) >= 0) {
        state = OPEN;
        return "rate";
      }
      return null;
    }

    void close() {
      window.clear();
      run = 0;
      state = CLOSED;
    }
  }

  @ParameterizedTest(name = "window {0}, minimum {1}, rate {2} %, run {3}, failing {4}")
  @CsvSource({
      // size, minimum calls, rate %, consecutive threshold, probability of a failure, and
      // at least how many times the run and the rate must open the breaker in the sequence
      "1, 1, 100, 1, 0.3, 2000, 0",
      "2, 1, 50, 3, 0.3, 0, 2000",
      "5, 5, 60, 4, 0.4, 20, 700",
      "20, 10, 50, 5, 0.45, 60, 350", // the defaults
      "20, 20, 100, 2147483647, 0.75, 0, 5", // B3's configuration
      "32, 10, 25, 2147483647, 0.2, 0, 200", // the largest window that fits any threshold
      "33, 10, 25, 2147483647, 0.2, 0, 150", // one more: the ring
      "40, 15, 30, 1000, 0.3, 0, 300",
      "53, 20, 33.3, 1000, 0.35, 0, 250", // the largest window that fits a threshold of 1000
      "54, 20, 33.3, 1000, 0.35, 0, 250",
      "60, 30, 40, 5, 0.4, 50, 150", // the largest window that fits the default threshold
      "61, 30, 40, 5, 0.4, 50, 150",
      "62, 1, 12.5, 1, 0.01, 100, 0", // the largest window of all: threshold 1
      "58, 58, 66.6, 7, 0.6, 100, 15",
      "45, 7, 0.1, 8, 0.02, 0, 150",
      "100, 50, 50, 8, 0.45, 8, 50", // the ring
  })
  void packedAndRingDecideAlikeAndAsTheModel(
      int size, int minimumNumberOfCalls, double percent, int threshold, double failing,
      int opensByRun, int opensByRate) {
    ManualTimeSource time = new ManualTimeSource();
    CircuitBreaker.Builder builder = CircuitBreaker.builder("b").slidingWindowSize(size)
        .minimumNumberOfCalls(minimumNumberOfCalls).failureRateThreshold(percent)
        .consecutiveFailureThreshold(threshold).openDuration(Duration.ofSeconds(1))
        .timeSource(time);
    LocalCircuitBreaker packed = new LocalCircuitBreaker(builder, true);
    LocalCircuitBreaker ring = new LocalCircuitBreaker(builder, false);
    Model model = new Model(size, minimumNumberOfCalls, percent, threshold);
    assertThat(packed.isPacked()).isEqualTo(PackedClosed.fits(size, threshold));
    assertThat(ring.isPacked()).isFalse();

    int openedByRun = 0;
    int openedByRate = 0;
    Random random = new Random(31L * size + threshold);
    for (int step = 1; step <= 20_000; step++) {
      boolean failure = random.nextDouble() < failing;
      String at = "step " + step;
      if (model.state == CLOSED) {
        assertThat(packed.tryAcquirePermission()).as(at).isTrue();
        assertThat(ring.tryAcquirePermission()).as(at).isTrue();
        report(packed, failure);
        report(ring, failure);
        String rule = model.record(failure);
        if ("run".equals(rule)) {
          openedByRun++;
        } else if ("rate".equals(rule)) {
          openedByRate++;
        }
      } else {
        // Open: the next call after the open duration is the probe; its outcome closes the
        // breaker with a fresh window, or opens it again.
        time.advance(Duration.ofSeconds(1));
        assertThat(packed.tryAcquirePermission()).as(at).isTrue();
        assertThat(ring.tryAcquirePermission()).as(at).isTrue();
        assertThat(packed.state()).as(at).isEqualTo(HALF_OPEN);
        report(packed, failure);
        report(ring, failure);
        if (failure) {
          model.state = OPEN;
        } else {
          model.close();
        }
      }

      assertThat(packed.state()).as(at).isEqualTo(model.state);
      assertThat(ring.state()).as(at).isEqualTo(model.state);
      if (model.state == CLOSED) {
        int[] expected = {model.failures(), model.window.size(), model.run};
        assertThat(packed.closedCounts()).as(at).containsExactly(expected);
        assertThat(ring.closedCounts()).as(at).containsExactly(expected);
      }
    }
    // Guards the test itself: the sequence must reach the thresholds it is meant to test.
    assertThat(openedByRun).as("opened by the run").isGreaterThanOrEqualTo(opensByRun);
    assertThat(openedByRate).as("opened by the rate").isGreaterThanOrEqualTo(opensByRate);
  }

  private static void report(CircuitBreaker breaker, boolean failure) {
    if (failure) {
      breaker.onFailure();
    } else {
      breaker.onSuccess();
    }
  }

  @Test
  void theLimitsOfOneLongAreWhereTheLayoutSays() {
    // size + 1 (the marker) + the bits of the threshold <= 64
    assertThat(PackedClosed.fits(32, Integer.MAX_VALUE)).isTrue();
    assertThat(PackedClosed.fits(33, Integer.MAX_VALUE)).isFalse();
    assertThat(PackedClosed.fits(53, 1000)).isTrue();
    assertThat(PackedClosed.fits(54, 1000)).isFalse();
    assertThat(PackedClosed.fits(60, 5)).isTrue();
    assertThat(PackedClosed.fits(61, 5)).isFalse();
    assertThat(PackedClosed.fits(62, 1)).isTrue();
    assertThat(PackedClosed.fits(63, 1)).isFalse();
    assertThat(((LocalCircuitBreaker) CircuitBreaker.ofDefaults("b")).isPacked()).isTrue();
    assertThat(((LocalCircuitBreaker) CircuitBreaker.builder("b").slidingWindowSize(100)
        .build()).isPacked()).isFalse();
  }

  @Test
  void thePackedWindowForgetsOutcomesOlderThanItsSize() {
    PackedClosed closed = new PackedClosed(4, 4, 100, 1000);
    closed.recordFailure();
    closed.recordFailure();
    closed.recordSuccess();
    assertThat(closed.counts()).containsExactly(2, 3, 0);
    closed.recordFailure();
    assertThat(closed.counts()).containsExactly(3, 4, 1);
    closed.recordSuccess(); // the first failure leaves
    assertThat(closed.counts()).containsExactly(2, 4, 0);
    closed.recordSuccess(); // and the second
    assertThat(closed.counts()).containsExactly(1, 4, 0);
    closed.recordSuccess(); // the first success leaves: one failure still in
    assertThat(closed.counts()).containsExactly(1, 4, 0);
    closed.recordSuccess();
    assertThat(closed.counts()).containsExactly(0, 4, 0);
    closed.recordSuccess(); // a full window of successes stays one
    assertThat(closed.counts()).containsExactly(0, 4, 0);
  }

  @Test
  void theRunSaturatesAtTheThresholdWithoutWrapping() {
    // Failures keep arriving after the run reached the threshold (into a phase that has
    // opened): a threshold of 7 has a 3-bit field, which 8 would wrap to 0. With a window of
    // 60 the field holds bits 61 to 63, so a carry would also leave the long.
    for (int size : new int[] {20, 60}) {
      PackedClosed closed = new PackedClosed(size, size, 100, 7);
      for (int i = 1; i <= 6; i++) {
        assertThat(closed.recordFailure()).as("failure %d", i).isFalse();
      }
      for (int i = 7; i <= 20; i++) {
        assertThat(closed.recordFailure()).as("failure %d", i).isTrue();
        assertThat(closed.counts()).containsExactly(i, i, 7);
      }
      closed.recordSuccess();
      closed.recordFailure();
      // The last 20 outcomes: 18 failures, the success, a failure; or all 22 of them.
      assertThat(closed.counts())
          .containsExactly(size == 20 ? new int[] {19, 20, 1} : new int[] {21, 22, 1});
    }
  }
}
