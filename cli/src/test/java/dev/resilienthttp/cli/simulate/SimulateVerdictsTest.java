package dev.resilienthttp.cli.simulate;

import static dev.resilienthttp.cli.simulate.SimulateCommandTest.rows;
import static dev.resilienthttp.cli.simulate.SimulateCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.cli.simulate.SimulateCommandTest.Run;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The figures the README and BENCHMARKS.md quote from {@code simulate}, and the verdicts both
 * ways: a seed fixes every number, so each is asserted exactly, and a target that is missed
 * must read NOT MET.
 */
class SimulateVerdictsTest {

  @Test
  void theSuccessTargetReadsMetAtOrAboveNinetyNinePointNineAndNotMetBelow() {
    Run met = run("simulate", "--scenario", "random", "--calls", "2000", "--policies", "default",
        "--seed", "6");
    Run missed = run("simulate", "--scenario", "random", "--calls", "2000", "--policies", "default",
        "--seed", "4");

    assertThat(met.exitCode()).as(met.err()).isZero();
    assertThat(met.out()).contains("B5  met      default: 99.950 % success (1 of 2,000 calls"
        + " failed; target >= 99.900 %)");
    assertThat(missed.exitCode()).as(missed.err()).isZero();
    assertThat(missed.out()).contains("B5  NOT MET  default: 99.800 % success (4 of 2,000 calls"
        + " failed; target >= 99.900 %)");
  }

  @Test
  void theOutageTargetReadsNotMetWhenAShortOutageLeavesTheBudgetEnoughForEveryRetry() {
    // 100 calls in a 5 s outage: the 500-token budget pays 100 retries, 2 attempts per call.
    Run run = run("simulate", "--scenario", "outage", "--fault-duration", "5s");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("B5  NOT MET  default: 2.000 attempts per call started during the"
        + " outage (200 attempts / 100 calls; target <= 1.1; peer-like: 2.90)");
  }

  @Test
  void fullJitterAtAHundredClientsMakesWithinOnePercentOfTheStudysCallsAgainstTheBundledCsv() {
    Run run = run("simulate", "--scenario", "contention", "--clients", "100", "--runs", "100");

    assertThat(run.exitCode()).as(run.err()).isZero();
    Map<String, List<String>> rows = rows(run.out(), "mode");
    // Columns: calls, calls/client, success, p50, p99, mean time, peak retries/s, study calls, study time.
    assertThat(rows.get("full jitter").get(0)).isEqualTo("795.0");
    // The study's own figures at 100 clients, from the bundled CSV (BENCHMARKS.md, B8).
    assertThat(rows.get("no backoff").subList(7, 9)).containsExactly("2,416", "2.02 s");
    assertThat(rows.get("exponential, no jitter").subList(7, 9)).containsExactly("1,854", "63.6 s");
    assertThat(rows.get("equal jitter").subList(7, 9)).containsExactly("812", "6.64 s");
    assertThat(rows.get("full jitter").subList(7, 9)).containsExactly("796", "4.97 s");
    assertThat(rows.get("decorrelated jitter").subList(7, 9)).containsExactly("1,001", "4.66 s");
    assertThat(run.out())
        .contains("Targets (BENCHMARKS.md), against the bundled backoff-study.csv:")
        .contains("B8  met      full jitter makes 795.0 calls at 100 clients, the study 796: -0.1 %"
            + " (target within 5 %)")
        .contains("B8  met      fewest calls: full jitter")
        .contains("B8  met      no jitter worst");
  }
}
