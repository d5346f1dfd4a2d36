package dev.resilienthttp.breaker;

import dev.resilienthttp.time.ManualTimeSource;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CircuitBreakerConcurrencyTest {

  /** Races per test: each is a fresh chance for two threads to slip through one check. */
  private static final int ROUNDS = 200;

  /** Counts transitions into each state. */
  static final class CountingListener implements CircuitBreakerListener {
    final AtomicInteger toHalfOpen = new AtomicInteger();
    final AtomicInteger toOpen = new AtomicInteger();
    final AtomicInteger toClosed = new AtomicInteger();

    @Override
    public void onStateTransition(
        String breakerName, CircuitBreaker.State from, CircuitBreaker.State to) {
      switch (to) {
        case HALF_OPEN -> toHalfOpen.incrementAndGet();
        case OPEN -> toOpen.incrementAndGet();
        case CLOSED -> toClosed.incrementAndGet();
      }
    }
  }

  private ExecutorService pool;

  @BeforeEach
  void startThreads() {
    pool = Executors.newFixedThreadPool(2);
  }

  @AfterEach
  void stopThreads() {
    pool.shutdownNow();
  }

  /**
   * Runs {@code task} on two threads started as close together as possible, and returns the
   * sum of their results. A barrier alone wakes the parked thread microseconds after the other;
   * so after it both spin on a shared counter until both are there, then go.
   */
  private int race(Callable<Integer> task) throws Exception {
    CyclicBarrier barrier = new CyclicBarrier(2);
    AtomicInteger arrived = new AtomicInteger();
    List<Future<Integer>> futures = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      futures.add(pool.submit(() -> {
        barrier.await();
        arrived.incrementAndGet();
        while (arrived.get() < 2) {
          Thread.onSpinWait();
        }
        return task.call();
      }));
    }
    int sum = 0;
    for (Future<Integer> future : futures) {
      sum += future.get(30, TimeUnit.SECONDS);
    }
    return sum;
  }

  @ParameterizedTest(name = "{0} probe(s)")
  @ValueSource(ints = {1, 3})
  void halfOpenNeverAdmitsMoreThanTheConfiguredProbes(int probes) throws Exception {
    ManualTimeSource time = new ManualTimeSource();
    CountingListener listener = new CountingListener();
    CircuitBreaker breaker =
        CircuitBreaker.builder("b").consecutiveFailureThreshold(1).halfOpenProbes(probes)
            .openDuration(Duration.ofSeconds(1)).timeSource(time).listener(listener).build();
    breaker.acquirePermission();
    breaker.onFailure();

    for (int round = 1; round <= ROUNDS; round++) {
      // The open duration has just passed, and no call has seen it yet: the threads race for
      // the OPEN -> HALF_OPEN transition as well as for the probe slots.
      time.advance(Duration.ofSeconds(1));
      int admitted = race(() -> {
        int granted = 0;
        for (int i = 0; i < 10_000; i++) {
          if (breaker.tryAcquirePermission()) {
            granted++;
          }
        }
        return granted;
      });

      assertThat(admitted).as("round %d", round).isEqualTo(probes);
      assertThat(listener.toHalfOpen.get()).as("round %d", round).isEqualTo(round);
      breaker.onFailure(); // a probe failed: open again for the next round
      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    }
    assertThat(listener.toOpen.get()).isEqualTo(ROUNDS + 1);
  }

  @ParameterizedTest(name = "{0} probe(s)")
  @ValueSource(ints = {1, 3})
  void probesReportingWhileOthersAskNeverExceedTheLimitInFlight(int probes) throws Exception {
    ManualTimeSource time = new ManualTimeSource();
    CountingListener listener = new CountingListener();
    CircuitBreaker breaker =
        CircuitBreaker.builder("b").consecutiveFailureThreshold(1).halfOpenProbes(probes)
            .timeSource(time).listener(listener).build();
    breaker.acquirePermission();
    breaker.onFailure();
    time.advance(Duration.ofSeconds(30));
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger mostInFlight = new AtomicInteger();

    // Admitted probes are released (as if cancelled), freeing their slot for another: the
    // breaker stays half-open, and at no moment may more than `probes` be out.
    int admitted = race(() -> {
      int granted = 0;
      for (int i = 0; i < 10_000; i++) {
        if (breaker.tryAcquirePermission()) {
          granted++;
          mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
          inFlight.decrementAndGet();
          breaker.releasePermission();
        }
      }
      return granted;
    });

    assertThat(mostInFlight.get()).isBetween(1, probes);
    assertThat(admitted).isGreaterThanOrEqualTo(probes);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    assertThat(listener.toHalfOpen.get()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0} probe(s)")
  @ValueSource(ints = {1, 3})
  void racingProbeSuccessesCloseTheBreakerExactlyOnce(int probes) throws Exception {
    ManualTimeSource time = new ManualTimeSource();
    CountingListener listener = new CountingListener();
    CircuitBreaker breaker =
        CircuitBreaker.builder("b").consecutiveFailureThreshold(1).halfOpenProbes(probes)
            .timeSource(time).listener(listener).build();
    breaker.acquirePermission();
    breaker.onFailure();
    time.advance(Duration.ofSeconds(30));

    int permitted = race(() -> {
      int granted = 0;
      for (int i = 0; i < 10_000; i++) {
        if (breaker.tryAcquirePermission()) {
          granted++;
          breaker.onSuccess();
        }
      }
      return granted;
    });

    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(listener.toClosed.get()).isEqualTo(1);
    assertThat(permitted).isGreaterThan(probes); // once closed, everything goes through
  }

  @ParameterizedTest(name = "window {0}")
  @ValueSource(ints = {20, 100})
  void closedRecordingFromTwoThreadsKeepsTheWindowConsistent(int window) throws Exception {
    // Each thread alternates success and failure, so no window can reach 100 % failures and
    // no run of failures can reach 3: the breaker must stay closed throughout.
    CircuitBreaker breaker =
        CircuitBreaker.builder("b").consecutiveFailureThreshold(3).failureRateThreshold(100)
            .slidingWindowSize(window).minimumNumberOfCalls(window).build();
    race(() -> {
      for (int i = 0; i < 10_000; i++) {
        breaker.acquirePermission();
        if (i % 2 == 0) {
          breaker.onSuccess();
        } else {
          breaker.onFailure();
        }
      }
      return 0;
    });
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    int[] counts = ((LocalCircuitBreaker) breaker).closedWindowCounts();
    assertThat(counts[1]).isEqualTo(window);
    assertThat(counts[0]).isBetween(0, window);
  }

  @ParameterizedTest(name = "packed {0}")
  @ValueSource(booleans = {true, false})
  void closedCountsStayConsistentWhileFourThreadsRecord(boolean packIfItFits) throws Exception {
    // Each thread alternates success and failure, so a run of failures holds at most one
    // failure per thread (4 < the threshold of 5) and no window of 20 can be all failures:
    // the breaker cannot open. The window of 20 fits in one long, or is forced into the ring.
    int threads = 4;
    LocalCircuitBreaker breaker = new LocalCircuitBreaker(
        CircuitBreaker.builder("b").consecutiveFailureThreshold(threads + 1)
            .failureRateThreshold(100).slidingWindowSize(20).minimumNumberOfCalls(20),
        packIfItFits);
    assertThat(breaker.isPacked()).isEqualTo(packIfItFits);
    ExecutorService recorders = Executors.newFixedThreadPool(threads);
    try {
      CyclicBarrier start = new CyclicBarrier(threads + 1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        boolean startWithFailure = t % 2 == 0;
        futures.add(recorders.submit(() -> {
          start.await();
          for (int i = 0; i < 50_000; i++) {
            breaker.acquirePermission();
            if ((i % 2 == 0) == startWithFailure) {
              breaker.onFailure();
            } else {
              breaker.onSuccess();
            }
          }
          return null;
        }));
      }
      start.await();
      int samples = 0;
      while (!futures.stream().allMatch(Future::isDone)) {
        int[] counts = breaker.closedCounts(); // failures, calls, run
        samples++;
        if (packIfItFits) {
          // One read of one long: the three counts are of one instant, so they agree exactly.
          assertThat(counts[0]).as("failures").isBetween(0, counts[1]);
          assertThat(counts[1]).as("calls").isBetween(0, 20);
          assertThat(counts[2]).as("run").isBetween(0, Math.min(threads, counts[0]));
        }
        // The ring's counts are separate atomics: its failure count may lag its bits by the
        // calls in flight, so it is only checked once they have finished, below.
      }
      for (Future<?> future : futures) {
        future.get(30, TimeUnit.SECONDS);
      }
      assertThat(samples).isPositive();
    } finally {
      recorders.shutdownNow();
    }

    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    int[] counts = breaker.closedCounts();
    assertThat(counts[1]).isEqualTo(20);
    assertThat(counts[0]).isBetween(0, 20);
    assertThat(counts[2]).isBetween(0, threads);
    if (packIfItFits) {
      assertThat(counts[0]).isGreaterThanOrEqualTo(counts[2]); // the run is in the window
    }
    // Quiet now: 20 successes replace every outcome, then each failure counts exactly once.
    for (int i = 0; i < 20; i++) {
      breaker.onSuccess();
    }
    assertThat(breaker.closedCounts()).containsExactly(0, 20, 0);
    for (int i = 0; i < 3; i++) {
      breaker.onFailure();
    }
    assertThat(breaker.closedCounts()).containsExactly(3, 20, 3);
  }

  @ParameterizedTest(name = "opening by the {0}")
  @ValueSource(strings = {"rate", "run"})
  void exactlyOneOfRacingFailuresSeesTheThresholdReached(String rule) throws Exception {
    // Two threads record 10 failures each into a fresh packed window: the threshold is
    // reached by the 20th failure in CAS order, and exactly one failure must say so, since
    // each decision is taken from the value its own CAS installed. (The ring can miss it: the
    // failure whose index fills the window may read the failure count before the other
    // thread's increment has landed.)
    for (int round = 1; round <= ROUNDS; round++) {
      PackedClosed closed = rule.equals("rate")
          ? new PackedClosed(20, 20, 100, Integer.MAX_VALUE)
          : new PackedClosed(32, 32, 100, 20);
      int opened = race(() -> {
        int sawIt = 0;
        for (int i = 0; i < 10; i++) {
          if (closed.recordFailure()) {
            sawIt++;
          }
        }
        return sawIt;
      });
      assertThat(opened).as("round %d", round).isEqualTo(1);
      assertThat(closed.counts()).containsExactly(20, 20, 20);
    }
  }
}
