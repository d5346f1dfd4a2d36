package dev.resilienthttp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class DemoCommandTest {

  /** 30 calls whose script holds 503s, an outage, a 429 and a reset, and nothing slow. */
  private static final long SEED = 12;

  private static final int CALLS = 30;

  @Test
  @Timeout(30)
  void demoShowsTheResilientClientSucceedingAtLeastAsOftenAsThePlainOneAndCountsItsRetries() {
    Map<FaultPlan.Kind, Integer> script = FaultPlan.of(SEED, CALLS).countByKind();
    assertThat(script.get(FaultPlan.Kind.UNAVAILABLE_ONCE)).isPositive();
    assertThat(script.get(FaultPlan.Kind.OUTAGE)).isPositive();
    assertThat(script.get(FaultPlan.Kind.RATE_LIMITED)).isPositive();
    assertThat(script.get(FaultPlan.Kind.RESET)).isPositive();
    int faulty = CALLS - script.get(FaultPlan.Kind.FAST) - script.get(FaultPlan.Kind.SLOW);
    int outages = script.get(FaultPlan.Kind.OUTAGE);

    Run run = run("demo", "--calls", String.valueOf(CALLS), "--seed", String.valueOf(SEED));

    assertThat(run.exitCode).as(run.err).isZero();
    Map<String, List<String>> rows = table(run.out);
    int plainOk = succeeded(rows.get("calls that succeeded (2xx)").get(0));
    int resilientOk = succeeded(rows.get("calls that succeeded (2xx)").get(1));
    assertThat(resilientOk).isGreaterThanOrEqualTo(plainOk);
    // Every faulty call fails once without retries; with them, only the outages outlast 3 tries.
    assertThat(plainOk).isLessThanOrEqualTo(CALLS - faulty);
    assertThat(resilientOk).isEqualTo(CALLS - outages);

    assertThat(count(rows, "retries", 0)).isZero();
    int retries = count(rows, "retries", 1);
    assertThat(retries)
        .isPositive()
        .isEqualTo(count(rows, "retried: 503", 1) + count(rows, "retried: 429", 1)
            + count(rows, "retried: reset/IO", 1) + count(rows, "retried: timeout", 1));
    assertThat(count(rows, "retried: 503", 1))
        .isGreaterThanOrEqualTo(script.get(FaultPlan.Kind.UNAVAILABLE_ONCE) + 2 * outages);
    assertThat(count(rows, "retried: 429", 1))
        .isGreaterThanOrEqualTo(script.get(FaultPlan.Kind.RATE_LIMITED));
    assertThat(count(rows, "retried: reset/IO", 1))
        .isGreaterThanOrEqualTo(script.get(FaultPlan.Kind.RESET));
    // Each call is one attempt at least; every retry is one more.
    assertThat(count(rows, "attempts the server saw", 0)).isGreaterThanOrEqualTo(CALLS);
    assertThat(count(rows, "attempts the server saw", 1)).isGreaterThanOrEqualTo(CALLS + retries);
    assertThat(rows).containsKeys("latency p50 (ms)", "latency p99 (ms)", "run time (s)");
    // The run time of each client, in seconds with one decimal (the README quotes this row).
    assertThat(rows.get("run time (s)")).allSatisfy(cell -> assertThat(cell).matches("\\d+\\.\\d"));

    assertThat(run.out).contains("Fair comparison:");
    assertThat(run.err).contains("plain", "resilient", CALLS + "/" + CALLS);
  }

  @Test
  void theScriptDependsOnTheSeedAloneAndHoldsEveryKindOfFaultByDefault() {
    FaultPlan plan = FaultPlan.of(42, 200);
    assertThat(FaultPlan.of(42, 200).countByKind()).isEqualTo(plan.countByKind());
    assertThat(plan.countByKind().values()).allSatisfy(count -> assertThat(count).isPositive());
    assertThat(plan.countByKind().get(FaultPlan.Kind.FAST)).isGreaterThan(100);
    for (int i = 0; i < 200; i++) {
      assertThat(FaultPlan.of(42, 200).calls().get(i).faults)
          .isEqualTo(plan.calls().get(i).faults);
    }
    assertThat(FaultPlan.of(43, 200).calls().stream().map(c -> c.kind).toList())
        .isNotEqualTo(plan.calls().stream().map(c -> c.kind).toList());
  }

  @Test
  void progressLineShowsABarAndTheCount() {
    assertThat(Progress.line("plain", 120, 200))
        .isEqualTo("plain      [##################............] 120/200");
  }

  @Test
  void invalidOptionsAreUsageErrorsNamingTheOption() {
    Run run = run("demo", "--calls", "0");
    assertThat(run.exitCode).isEqualTo(2);
    assertThat(run.err).contains("--calls must be in [1, 100000] but was 0");
  }

  @Test
  void versionAndHelpExitZero() {
    assertThat(run("--version").out).startsWith("resilient-http ");
    Run help = run("demo", "--help");
    assertThat(help.exitCode).isZero();
    assertThat(help.out).contains("--calls", "--seed", "--concurrency");
  }

  @Test
  void noCommandIsAUsageError() {
    Run run = run();
    assertThat(run.exitCode).isEqualTo(2);
    assertThat(run.err).contains("demo");
  }

  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode = Main.newCommandLine()
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
    return new Run(exitCode, out.toString(), err.toString());
  }

  /** The summary's rows from its header row to the first blank line: label to values. */
  private static Map<String, List<String>> table(String out) {
    List<String> lines = out.lines().toList();
    int header = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("plain HttpClient") && lines.get(i).contains("ResilientHttpClient")) {
        header = i;
        break;
      }
    }
    assertThat(header).as("summary header in:%n%s", out).isNotNegative();
    Map<String, List<String>> rows = new LinkedHashMap<>();
    for (String line : lines.subList(header + 1, lines.size())) {
      if (line.isBlank()) {
        break;
      }
      String[] cells = line.trim().split("\\s{2,}");
      assertThat(cells).as("row '%s'", line).hasSize(3);
      rows.put(cells[0], Arrays.asList(cells[1], cells[2]));
    }
    return rows;
  }

  private static int count(Map<String, List<String>> rows, String label, int column) {
    assertThat(rows).containsKey(label);
    return Integer.parseInt(rows.get(label).get(column));
  }

  /** "24/30 (80.0%)" gives 24. */
  private static int succeeded(String cell) {
    return Integer.parseInt(cell.substring(0, cell.indexOf('/')));
  }
}
