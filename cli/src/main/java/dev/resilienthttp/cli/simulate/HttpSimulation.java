package dev.resilienthttp.cli.simulate;

import dev.resilienthttp.testing.VirtualTime;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * Runs one {@link Policy} against one {@link HttpScenario} in virtual time: a discrete-event
 * simulation whose event queue is {@link VirtualTime}'s. Each call's start is a queued task; its
 * attempts, the server's answers and the retrier's waits are queued by the library and the
 * {@link SimulatedBackend} as they happen; the loop runs the earliest task until none is left.
 * Nothing sleeps, so an 80 s outage takes a fraction of a second.
 */
final class HttpSimulation {

  private static final long SERVER_STREAM = 0x5E2B_E2L;
  private static final long JITTER_STREAM = 0x71_77E2L;

  private HttpSimulation() {}

  /** Runs the scenario under the policy; the same seed gives the same result. */
  static Result run(HttpScenario scenario, Policy policy, long seed) {
    VirtualTime time = VirtualTime.create();
    int calls = scenario.calls();
    SimulatedBackend backend = new SimulatedBackend(
        time, scenario.fault(), seed ^ SERVER_STREAM, scenario.roundTrip(), calls);
    Policy.GiveUps giveUps = new Policy.GiveUps();
    Policy.Caller caller = policy.caller(
        time, backend, new SplittableRandom(seed ^ JITTER_STREAM), giveUps);

    long[] completion = new long[calls];
    boolean[] succeeded = new boolean[calls];
    int[] done = new int[1];
    for (int i = 0; i < calls; i++) {
      int call = i;
      long start = scenario.startNanos(call);
      time.schedule(() -> {
        CompletableFuture<Integer> outcome = caller.call(SimulatedBackend.request(call));
        outcome.whenComplete((status, failure) -> {
          completion[call] = backend.now() - start;
          succeeded[call] = failure == null && status == 200;
          done[0]++;
        });
      }, start);
    }
    while (time.runNext()) {
      // Each task queues the next events of its call.
    }
    if (done[0] != calls) {
      throw new IllegalStateException(
          policy.cliName + ": " + (calls - done[0]) + " calls never completed");
    }

    int successes = 0;
    int attempts = 0;
    int callsInFault = 0;
    int attemptsInFault = 0;
    for (int i = 0; i < calls; i++) {
      successes += succeeded[i] ? 1 : 0;
      attempts += backend.attemptsSeen(i);
      if (scenario.inFault(scenario.startNanos(i))) {
        callsInFault++;
        attemptsInFault += backend.attemptsSeen(i);
      }
    }
    long[] sorted = completion.clone();
    Arrays.sort(sorted);
    return new Result(policy, calls, attempts, callsInFault, attemptsInFault, successes, sorted,
        backend.attempts, backend.retries, giveUps.budgetExhausted, giveUps.breakerRejected);
  }

  /**
   * What a policy gave in a scenario.
   *
   * @param attempts attempts the server saw
   * @param callsInFault calls started during the fault window
   * @param attemptsInFault attempts the server saw from those calls
   * @param sortedCompletionNanos each call's time from its start to its outcome, ascending
   * @param budgetExhausted calls whose retries the retry budget refused
   * @param breakerRejected calls failed at once or stopped by an open circuit breaker
   */
  record Result(
      Policy policy,
      int calls,
      int attempts,
      int callsInFault,
      int attemptsInFault,
      int successes,
      long[] sortedCompletionNanos,
      Timeline load,
      Timeline retries,
      int budgetExhausted,
      int breakerRejected) {

    double attemptsPerCall() {
      return attempts / (double) calls;
    }

    /** Attempts per call among the calls started during the fault window; NaN if none did. */
    double attemptsPerCallInFault() {
      return callsInFault == 0 ? Double.NaN : attemptsInFault / (double) callsInFault;
    }

    double successRate() {
      return successes / (double) calls;
    }

    long completionPercentileNanos(double percentile) {
      return Percentiles.of(sortedCompletionNanos, percentile);
    }

    /** The most retries the server saw in any 1 s window from the start, per second. */
    double peakRetriesPerSecond() {
      return retries.peakPerSecond(1_000_000_000L);
    }
  }
}
