package dev.resilienthttp.cli.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.resilienthttp.cli.simulate.ContentionSimulation.Mode;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The models themselves, run directly: numbers, not text. */
class SimulationTest {

  /** 1,000 calls, 20 per second, all into a backend that fails every attempt until after them. */
  private static final HttpScenario TOTAL_OUTAGE = new HttpScenario(Scenario.OUTAGE, 20,
      Duration.ofSeconds(50), Duration.ZERO, Duration.ofSeconds(60), 100, 0, Duration.ofMillis(20));

  @Test
  void underATotalOutageTheBudgetLetsTheServerSeeOnePointOneAttemptsPerCallAndPeersThree() {
    HttpSimulation.Result library = HttpSimulation.run(TOTAL_OUTAGE, Policy.DEFAULT, 1);
    HttpSimulation.Result noBudget = HttpSimulation.run(TOTAL_OUTAGE, Policy.NO_BUDGET, 1);
    HttpSimulation.Result peer = HttpSimulation.run(TOTAL_OUTAGE, Policy.PEER_LIKE, 1);

    assertThat(library.calls()).isEqualTo(1_000);
    assertThat(library.callsInFault()).isEqualTo(1_000);
    // A full bucket of 500 tokens pays for 100 retries of 5, then nothing refills it.
    assertThat(library.attempts()).isEqualTo(1_100);
    assertThat(library.attemptsPerCallInFault()).isEqualTo(1.1);
    // 50 calls retried twice, then every other call refused its first retry.
    assertThat(library.budgetExhausted()).isEqualTo(950);
    assertThat(noBudget.attemptsPerCall()).isEqualTo(3.0);
    assertThat(peer.attemptsPerCall()).isEqualTo(3.0);
    assertThat(library.successes()).isZero();
    assertThat(Targets.b5Outage(library, Optional.of(peer)).met()).isTrue();
    assertThat(Targets.b5Outage(noBudget, Optional.empty()).met()).isFalse();
  }

  @Test
  void theBreakerShieldsTheServerDuringAnOutageAndClosesAfterIt() {
    HttpScenario outage = new HttpScenario(Scenario.OUTAGE, 20, Duration.ofSeconds(80),
        Duration.ofSeconds(10), Duration.ofSeconds(50), 100, 0, Duration.ofMillis(20));

    HttpSimulation.Result breaker = HttpSimulation.run(outage, Policy.BREAKER, 3);

    assertThat(breaker.attemptsPerCallInFault()).isLessThan(0.05);
    assertThat(breaker.breakerRejected()).isPositive();
    // The 200 calls before the outage succeed. Then open 30 s from ~10 s, a failed probe at
    // ~40 s, open again to ~70 s, then closed: the calls of the last 10 s succeed too.
    assertThat(breaker.successes()).isBetween(390, 410);
  }

  @Test
  void aRetryAfterStormHoldsTheLibrarysCallsBackWhilePeersHammer() {
    HttpScenario storm = new HttpScenario(Scenario.RATE_LIMIT, 20, Duration.ofSeconds(30),
        Duration.ofSeconds(5), Duration.ofSeconds(10), 100, 3, Duration.ofMillis(20));

    HttpSimulation.Result library = HttpSimulation.run(storm, Policy.NO_BUDGET, 5);
    HttpSimulation.Result peer = HttpSimulation.run(storm, Policy.PEER_LIKE, 5);

    assertThat(library.attemptsPerCallInFault()).isLessThan(peer.attemptsPerCallInFault());
    // Honouring a 3 s Retry-After, a rate-limited call takes at least 3 s.
    assertThat(library.completionPercentileNanos(99)).isGreaterThanOrEqualTo(3_000_000_000L);
    assertThat(peer.completionPercentileNanos(99)).isLessThan(3_000_000_000L);
  }

  @Test
  void contentionReproducesTheStudysRankingAtFortyClients() {
    Map<Mode, ContentionSimulation.Result> results = new EnumMap<>(Mode.class);
    for (Mode mode : Mode.values()) {
      results.put(mode, ContentionSimulation.run(
          mode, 40, 15, Duration.ofMillis(5), Duration.ofSeconds(2), 11));
    }

    ContentionSimulation.Result full = results.get(Mode.FULL);
    ContentionSimulation.Result none = results.get(Mode.NO_JITTER);
    for (Mode mode : Mode.values()) {
      if (mode != Mode.FULL) {
        assertThat(full.writes()).as("full jitter vs " + mode).isLessThan(results.get(mode).writes());
      }
      if (mode != Mode.NO_JITTER) {
        assertThat(none.meanRunNanos()).as("no jitter vs " + mode)
            .isGreaterThan(2 * results.get(mode).meanRunNanos());
      }
      if (mode != Mode.NO_JITTER && mode != Mode.NO_BACKOFF) {
        assertThat(none.writes()).as("no jitter vs " + mode).isGreaterThan(results.get(mode).writes());
      }
    }
    // The study at 40 clients: full jitter 249 calls, no jitter 434. Within 5 % and 10 %.
    assertThat(full.callsPerRun()).isBetween(249 * 0.95, 249 * 1.05);
    assertThat(none.callsPerRun()).isBetween(434 * 0.9, 434 * 1.1);
    assertThat(Targets.b8(results, Optional.empty()))
        .extracting(Targets.Check::met).containsExactly(false, true, true);
    assertThat(full.runs()).isEqualTo(15);
    assertThat(full.sortedCompletionNanos()).hasSize(40 * 15);
  }

  @Test
  void contentionIsDeterministicForASeed() {
    ContentionSimulation.Result a = ContentionSimulation.run(
        Mode.DECORRELATED, 10, 3, Duration.ofMillis(5), Duration.ofSeconds(2), 99);
    ContentionSimulation.Result b = ContentionSimulation.run(
        Mode.DECORRELATED, 10, 3, Duration.ofMillis(5), Duration.ofSeconds(2), 99);

    assertThat(b.writes()).isEqualTo(a.writes());
    assertThat(b.sortedCompletionNanos()).isEqualTo(a.sortedCompletionNanos());
  }

  @Test
  void timelineRatesAverageOverRunsAndFindThePeakWindow() {
    Timeline timeline = new Timeline();
    for (int i = 0; i < 30; i++) {
      timeline.add(1_500_000_000L + i); // 30 events in the second second
    }
    timeline.add(100_000_000L);
    timeline.runs(2);

    assertThat(timeline.total()).isEqualTo(31);
    assertThat(timeline.peakPerSecond(1_000_000_000L)).isEqualTo(15.0);
    assertThat(timeline.perSecond(2, 2_000_000_000L)).containsExactly(0.5, 15.0);
    assertThat(timeline.endNanos()).isEqualTo(1_510_000_000L);
  }

  @Test
  void chartTextScalesToTheHighestRateAndMarksTheFault() {
    Timeline low = new Timeline();
    Timeline high = new Timeline();
    for (int i = 0; i < 10; i++) {
      low.add(i * 100_000_000L);
      high.add(i * 100_000_000L);
      high.add(i * 100_000_000L + 1);
    }
    String text = new LoadChart("t", "attempts", 2_000_000_000L, 1_000_000_000L, 2_000_000_000L)
        .add("low", low).add("high", high).text(20, false);

    String idle = " ".repeat(10);
    assertThat(text).contains("  low    " + "▄".repeat(10) + idle + "  peak 10.0/s")
        .contains("  high   " + "█".repeat(10) + idle + "  peak 20.0/s")
        .contains("  fault  ··········━━━━━━━━━━");
  }

  @Test
  void durationsReadAsTyped() {
    assertThat(Units.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Units.parseDuration("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Units.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Units.parseDuration("2min")).isEqualTo(Duration.ofMinutes(2));
    assertThatThrownBy(() -> Units.parseDuration("-1s")).hasMessageContaining("not a duration");
    assertThat(Units.option(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(Units.time(63_600_000_000L)).isEqualTo("63.6 s");
  }
}
