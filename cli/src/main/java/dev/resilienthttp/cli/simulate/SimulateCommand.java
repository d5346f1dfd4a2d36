package dev.resilienthttp.cli.simulate;

import dev.resilienthttp.cli.Main;
import dev.resilienthttp.cli.simulate.ContentionSimulation.Mode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code resilient-http simulate}: the library's retry policies against simulated faults, in
 * virtual time. See {@link HttpSimulation} and {@link ContentionSimulation} for the models.
 */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    sortOptions = false,
    header = "Runs retry policies against simulated faults in virtual time (no sleeping, no network).",
    description = {
      "A discrete-event simulation: calls, attempts, server answers and retry waits are events"
          + " on a virtual clock, so minutes of outage take well under a second. The policies are"
          + " the library's own code (ResilientHttpClient, ExponentialBackoffRetrier, RetryBudget,"
          + " CircuitBreaker, the Retry engine) on that clock.",
      "Scenarios: outage (every attempt fails with 503 for a while, then the backend recovers),"
          + " random (503s at random), rate-limit (a 429 storm with Retry-After), contention"
          + " (N clients racing to update one row: the model of the \"Exponential Backoff and"
          + " Jitter\" study, BENCHMARKS.md B8).",
      "Prints per policy the calls, attempts the server saw per call, success rate, p50/p99"
          + " completion time and peak retry rate, the BENCHMARKS.md targets (B5, B8) as met or"
          + " not, and the server's load over time.",
      ""
    },
    footer = {
      "",
      "Durations are written 500ms, 20s, 1.5s, 2m.",
      "",
      "Examples:",
      "  B5, attempts per call the server sees during a 50 s outage:",
      "    resilient-http simulate --scenario outage",
      "  B5, success at 10 %% random 503s:",
      "    resilient-http simulate --scenario random --calls 100000",
      "  B8, the study's contention model, against its CSV:",
      "    resilient-http simulate --scenario contention --clients 100 --runs 100",
      "  A 429 storm, the chart also written as an SVG:",
      "    resilient-http simulate --scenario rate-limit --svg load.svg"
    })
public final class SimulateCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(names = "--scenario", defaultValue = "outage", paramLabel = "NAME",
      converter = Scenario.Converter.class,
      description = "outage, random, rate-limit or contention (default: ${DEFAULT-VALUE}).")
  private Scenario scenario;

  @Option(names = "--seed", defaultValue = "42", paramLabel = "SEED",
      description = "Seed of every random draw: same seed, same result (default: ${DEFAULT-VALUE}).")
  private long seed;

  @Option(names = "--policies", split = ",", paramLabel = "LIST", converter = Policy.Converter.class,
      description = "HTTP scenarios: the policies to compare, comma-separated, from: default,"
          + " no-budget, breaker, peer-like (default: all).")
  private List<Policy> policies;

  @Option(names = "--calls", paramLabel = "N",
      description = "HTTP scenarios: number of calls (default: rate x duration).")
  private Integer calls;

  @Option(names = "--rate", paramLabel = "PER_SECOND",
      description = "HTTP scenarios: calls started per second, evenly spaced (default: 20).")
  private Double rate;

  @Option(names = "--duration", paramLabel = "DURATION", converter = Units.DurationConverter.class,
      description = "HTTP scenarios: how long calls keep starting (default: outage 80s, random"
          + " 50s, rate-limit 60s; or calls / rate when --calls is given).")
  private Duration duration;

  @Option(names = "--fault-start", paramLabel = "DURATION", converter = Units.DurationConverter.class,
      description = "outage, rate-limit: when the fault begins (default: 10s).")
  private Duration faultStart;

  @Option(names = "--fault-duration", paramLabel = "DURATION",
      converter = Units.DurationConverter.class,
      description = "outage, rate-limit: how long the fault lasts (default: outage 50s, i.e."
          + " 1,000 calls at 20/s; rate-limit 20s).")
  private Duration faultLength;

  @Option(names = "--failure-rate", paramLabel = "PERCENT",
      description = "HTTP scenarios: percent of attempts that fail while the fault is on"
          + " (default: random 10, otherwise 100).")
  private Double failurePercent;

  @Option(names = "--retry-after", paramLabel = "SECONDS",
      description = "rate-limit: the Retry-After sent with each 429, whole seconds (default: 5).")
  private Integer retryAfter;

  @Option(names = "--round-trip", paramLabel = "DURATION", converter = Units.DurationConverter.class,
      description = "HTTP scenarios: mean round trip of an attempt, normal with 20 %% spread"
          + " (default: 20ms).")
  private Duration roundTrip;

  @Option(names = "--clients", paramLabel = "N",
      description = "contention: clients racing for the row (default: 100).")
  private Integer clients;

  @Option(names = "--runs", paramLabel = "N",
      description = "contention: independent runs averaged, as the study's 100 (default: 100).")
  private Integer runs;

  @Option(names = "--base", paramLabel = "DURATION", converter = Units.DurationConverter.class,
      description = "contention: the study's backoff base (default: 5ms).")
  private Duration base;

  @Option(names = "--cap", paramLabel = "DURATION", converter = Units.DurationConverter.class,
      description = "contention: the backoff cap (default: 2s).")
  private Duration cap;

  @Option(names = "--reference", paramLabel = "CSV",
      description = "contention: the study's results (clients,time,calls,Algorithm) to compare"
          + " with (default: the copy of the study's simulator run bundled with this program).")
  private Path reference;

  @Option(names = "--width", defaultValue = "60", paramLabel = "COLUMNS",
      description = "Columns of the terminal chart (default: ${DEFAULT-VALUE}).")
  private int width;

  @Option(names = "--chart-span", paramLabel = "DURATION", converter = Units.DurationConverter.class,
      description = "Virtual time the chart covers from 0 (default: until the last attempt).")
  private Duration chartSpan;

  @Option(names = "--ascii", description = "Draw the terminal chart in plain ASCII.")
  private boolean ascii;

  @Option(names = "--svg", paramLabel = "FILE",
      description = "Also write the chart to FILE as an SVG image.")
  private Path svg;

  @Override
  public Integer call() throws IOException {
    validateCommon();
    PrintWriter out = spec.commandLine().getOut();
    LoadChart chart;
    if (scenario == Scenario.CONTENTION) {
      chart = contention(out);
    } else {
      chart = http(out);
    }
    out.println();
    out.print(chart.text(width, ascii));
    if (svg != null) {
      Files.writeString(svg, chart.svg(Math.min(4 * width, 400)), StandardCharsets.UTF_8);
      out.println("SVG written to " + svg);
    }
    out.flush();
    return CommandLine.ExitCode.OK;
  }

  // ---- HTTP scenarios

  private LoadChart http(PrintWriter out) {
    HttpScenario setup = httpScenario();
    List<Policy> chosen = policies == null ? List.of(Policy.values())
        : List.copyOf(new LinkedHashSet<>(policies));

    out.printf(Locale.ROOT, "resilient-http simulate: %s, seed %d (virtual time: nothing sleeps,"
        + " nothing goes on the network)%n", scenario.cliName, seed);
    out.println("  backend: " + setup.describe());
    int inFault = 0;
    for (int i = 0; i < setup.calls(); i++) {
      inFault += setup.inFault(setup.startNanos(i)) ? 1 : 0;
    }
    out.printf(Locale.ROOT, "  calls:   %,d GETs, %s per second for %s (%,d start while the fault"
        + " is on); each attempt's round trip about %s%n", setup.calls(), trim(setup.ratePerSecond()),
        Units.option(setup.duration()), inFault, Units.time(setup.roundTrip().toNanos()));
    out.println("policies:");
    for (Policy policy : chosen) {
      out.printf(Locale.ROOT, "  %-9s  %s%n", policy.cliName, policy.description);
    }
    out.println();

    Map<Policy, HttpSimulation.Result> results = new EnumMap<>(Policy.class);
    for (Policy policy : chosen) {
      results.put(policy, HttpSimulation.run(setup, policy, seed));
    }

    Table table = new Table().row("policy", "calls", "attempts/call", "in fault", "success",
        "p50 time", "p99 time", "peak retries/s", "budget refused", "breaker rejected");
    long end = 0;
    for (HttpSimulation.Result r : results.values()) {
      table.row(r.policy().cliName, String.format(Locale.ROOT, "%,d", r.calls()),
          String.format(Locale.ROOT, "%.3f", r.attemptsPerCall()),
          Double.isNaN(r.attemptsPerCallInFault()) ? "-"
              : String.format(Locale.ROOT, "%.3f", r.attemptsPerCallInFault()),
          Units.percent(r.successRate()),
          Units.time(r.completionPercentileNanos(50)), Units.time(r.completionPercentileNanos(99)),
          Units.rate(r.peakRetriesPerSecond()),
          String.format(Locale.ROOT, "%,d", r.budgetExhausted()),
          String.format(Locale.ROOT, "%,d", r.breakerRejected()));
      end = Math.max(end, r.load().endNanos());
    }
    out.print(table);
    out.println("attempts/call: attempts the server saw per call; in fault: the same for the calls"
        + " started while the fault was on; time: from a call's start to its outcome, waits"
        + " included; peak retries/s: the most retries the server saw in any 1 s.");

    out.println();
    out.println("Targets (BENCHMARKS.md):");
    HttpSimulation.Result lib = results.get(Policy.DEFAULT);
    if (lib == null) {
      out.println("  B5 is about the 'default' policy: add it to --policies to check it.");
    } else if (scenario == Scenario.OUTAGE && setup.failurePercent() >= 100) {
      out.println(Targets.b5Outage(lib, Optional.ofNullable(results.get(Policy.PEER_LIKE))).line());
    } else if (scenario == Scenario.RANDOM && setup.failurePercent() == 10) {
      out.println(Targets.b5Transient(lib, setup.failurePercent(), 3).line());
    } else {
      out.println("  B5 is checked by --scenario outage (at 100 %) and --scenario random (at 10 %);"
          + " this run checks none.");
    }

    LoadChart chart = new LoadChart("Server load: " + scenario.cliName, "attempts",
        chartSpan(end), scenario == Scenario.RANDOM ? 0 : setup.faultStartNanos(),
        scenario == Scenario.RANDOM ? 0 : setup.faultEndNanos());
    results.values().forEach(r -> chart.add(r.policy().cliName, r.load()));
    return chart;
  }

  private HttpScenario httpScenario() {
    rejectIfGiven("--clients", "--runs", "--base", "--cap", "--reference");
    if (scenario == Scenario.RANDOM) {
      rejectIfGiven("--fault-start", "--fault-duration");
    }
    if (scenario != Scenario.RATE_LIMIT) {
      rejectIfGiven("--retry-after");
    }
    double perSecond = rate != null ? rate : 20;
    check(perSecond > 0 && perSecond <= 100_000, "--rate", "in (0, 100000]", trim(perSecond));
    Duration span;
    if (calls != null) {
      check(calls >= 1 && calls <= 1_000_000, "--calls", "in [1, 1000000]", calls);
      if (duration != null) {
        throw usage("give --calls or --duration, not both (calls = rate x duration)");
      }
      span = Duration.ofNanos((long) Math.ceil(calls * 1e9 / perSecond));
    } else {
      span = duration != null ? duration
          : Duration.ofSeconds(scenario == Scenario.OUTAGE ? 80 : scenario == Scenario.RANDOM ? 50 : 60);
      check(!span.isZero() && span.compareTo(Duration.ofDays(1)) <= 0, "--duration", "in (0, 24h]",
          Units.option(span));
      double total = perSecond * span.toNanos() / 1e9;
      check(total >= 1 && total <= 1_000_001, "--rate x --duration (calls)", "in [1, 1000000]",
          String.format(Locale.ROOT, "%.0f", total));
    }
    Duration start = scenario == Scenario.RANDOM ? Duration.ZERO
        : faultStart != null ? faultStart : Duration.ofSeconds(10);
    Duration length = scenario == Scenario.RANDOM ? span
        : faultLength != null ? faultLength
        : Duration.ofSeconds(scenario == Scenario.OUTAGE ? 50 : 20);
    check(!length.isZero(), "--fault-duration", "> 0", Units.option(length));
    check(start.compareTo(span) < 0, "--fault-start", "before the last call starts (< "
        + Units.option(span) + ")", Units.option(start));
    double percent = failurePercent != null ? failurePercent : scenario == Scenario.RANDOM ? 10 : 100;
    check(percent >= 0 && percent <= 100, "--failure-rate", "in [0, 100]", trim(percent));
    int seconds = retryAfter != null ? retryAfter : 5;
    check(seconds >= 1 && seconds <= 3600, "--retry-after", "in [1, 3600] seconds", seconds);
    Duration trip = roundTrip != null ? roundTrip : Duration.ofMillis(20);
    check(!trip.isZero() && trip.compareTo(Duration.ofMinutes(1)) <= 0, "--round-trip",
        "(0, 1m]", Units.option(trip));
    HttpScenario setup = new HttpScenario(scenario, perSecond, span, start, length, percent,
        scenario == Scenario.RATE_LIMIT ? seconds : 0, trip);
    if (calls != null && setup.calls() != calls) {
      // Rounding of calls / rate to nanoseconds: keep exactly the number asked for.
      setup = new HttpScenario(scenario, perSecond,
          Duration.ofNanos(Math.round(calls * 1e9 / perSecond)), start, length, percent,
          setup.retryAfterSeconds(), trip);
    }
    return setup;
  }

  // ---- Contention

  private LoadChart contention(PrintWriter out) throws IOException {
    rejectIfGiven("--policies", "--calls", "--rate", "--duration", "--fault-start",
        "--fault-duration", "--failure-rate", "--retry-after", "--round-trip");
    int n = clients != null ? clients : 100;
    int r = runs != null ? runs : 100;
    Duration b = base != null ? base : Duration.ofMillis(5);
    Duration c = cap != null ? cap : Duration.ofSeconds(2);
    check(n >= 1 && n <= 1_000, "--clients", "in [1, 1000]", n);
    check(r >= 1 && r <= 10_000, "--runs", "in [1, 10000]", r);
    check((long) n * r <= 1_000_000, "--clients x --runs", "in [1, 1000000]", (long) n * r);
    check(!b.isZero(), "--base", "> 0", Units.option(b));
    check(c.compareTo(b.multipliedBy(2)) >= 0, "--cap", ">= 2 x --base ("
        + Units.option(b.multipliedBy(2)) + ")", Units.option(c));
    Optional<StudyReference> study = study();

    out.printf(Locale.ROOT, "resilient-http simulate: contention, seed %d (virtual time: nothing"
        + " sleeps, nothing goes on the network)%n", seed);
    out.printf(Locale.ROOT, "  %d clients each write one row once, with optimistic concurrency"
        + " (read the version, write if unchanged, else back off and start over), %d runs"
        + " averaged%n", n, r);
    out.printf(Locale.ROOT, "  every message |N(%.0f ms, %.0f ms)|; backoff base %s, cap %s: the"
        + " model of Brooker, \"Exponential Backoff And Jitter\" (AWS Architecture Blog, 2015)%n",
        ContentionSimulation.NET_MEAN_MS, ContentionSimulation.NET_SD_MS, Units.option(b),
        Units.option(c));
    out.println("modes (the library's retriers on the study's backoff):");
    for (Mode mode : Mode.values()) {
      out.printf(Locale.ROOT, "  %-22s  %s%n", mode.label, mode.settings(b, c));
    }
    out.println();

    Map<Mode, ContentionSimulation.Result> results = new EnumMap<>(Mode.class);
    for (Mode mode : Mode.values()) {
      results.put(mode, ContentionSimulation.run(mode, n, r, b, c, seed));
    }
    Table table = new Table().row("mode", "calls", "calls/client", "success", "p50 time",
        "p99 time", "mean time", "peak retries/s", "study calls", "study time");
    long end = 0;
    for (ContentionSimulation.Result res : results.values()) {
      Optional<StudyReference.Point> point = study.flatMap(s -> s.point(res.mode(), n));
      table.row(res.mode().label, String.format(Locale.ROOT, "%,.1f", res.callsPerRun()),
          String.format(Locale.ROOT, "%.2f", res.callsPerClient()), Units.percent(1.0),
          Units.time(res.completionPercentileNanos(50)), Units.time(res.completionPercentileNanos(99)),
          Units.time(res.meanRunNanos()), Units.rate(res.peakRetriesPerSecond()),
          point.map(p -> String.format(Locale.ROOT, "%,.0f", p.calls())).orElse("-"),
          point.map(p -> Units.time(Math.round(p.timeMillis() * 1e6))).orElse("-"));
      end = Math.max(end, res.load().endNanos());
    }
    out.print(table);
    out.println("calls: writes per run (the study's \"calls\"), mean of the runs; calls/client:"
        + " attempts per call; time: a client's time to its successful write (p50, p99 over all"
        + " clients of all runs); mean time: when the last client finished, mean of the runs (the"
        + " study's \"time\"); peak retries/s: the most retried writes in any 100 ms, run-averaged.");
    out.println();
    out.println("Targets (BENCHMARKS.md)" + study.map(s -> ", against " + s.source()).orElse("")
        + ":");
    for (Targets.Check check : Targets.b8(results, study)) {
      out.println(check.line());
    }

    LoadChart chart = new LoadChart("Writes to the row (contention, " + n + " clients)", "writes",
        chartSpan(end), 0, 0);
    results.values().forEach(res -> chart.add(res.mode().label, res.load()));
    return chart;
  }

  private Optional<StudyReference> study() throws IOException {
    if (reference == null) {
      return Optional.of(StudyReference.bundled());
    }
    if (!Files.isRegularFile(reference)) {
      throw usage("--reference: no such file: " + reference);
    }
    try {
      return Optional.of(StudyReference.read(reference));
    } catch (IllegalArgumentException e) {
      throw usage("--reference: " + e.getMessage());
    }
  }

  // ---- Shared

  private void validateCommon() {
    check(width >= 20 && width <= 400, "--width", "in [20, 400]", width);
    if (chartSpan != null) {
      check(chartSpan.toMillis() >= 10L * width, "--chart-span", ">= 10 ms per column ("
          + Units.option(Duration.ofMillis(10L * width)) + " for --width " + width + ")",
          Units.option(chartSpan));
    }
    if (svg != null) {
      Path parent = svg.toAbsolutePath().getParent();
      if (parent == null || !Files.isDirectory(parent)) {
        throw usage("--svg: the directory of " + svg + " does not exist");
      }
      if (Files.isDirectory(svg)) {
        throw usage("--svg: " + svg + " is a directory; give a file name");
      }
    }
  }

  /** The chart's span: as asked, else until the last event, at least 10 ms per column. */
  private long chartSpan(long endNanos) {
    long span = chartSpan != null ? chartSpan.toNanos() : endNanos;
    return Math.max(span, width * Timeline.BUCKET_NANOS);
  }

  private void rejectIfGiven(String... names) {
    List<String> given = new ArrayList<>();
    for (String name : names) {
      if (spec.commandLine().getParseResult().hasMatchedOption(name)) {
        given.add(name);
      }
    }
    if (!given.isEmpty()) {
      throw usage(String.join(", ", given) + (given.size() == 1 ? " does" : " do")
          + " not apply to --scenario " + scenario.cliName + " (see --help for which options"
          + " each scenario takes)");
    }
  }

  /** Fails with "OPTION must be CONSTRAINT but was VALUE" unless {@code ok}. */
  private void check(boolean ok, String option, String constraint, Object value) {
    if (!ok) {
      throw usage(option + " must be " + constraint + " but was " + value);
    }
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  private static String trim(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }
}
