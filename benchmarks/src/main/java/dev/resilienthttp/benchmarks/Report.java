package dev.resilienthttp.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a JMH result file ({@code -rf json}) of this module's benchmarks and prints, as
 * markdown, the figures of each benchmark and a table of every BENCHMARKS.md target with the
 * measured ratio and whether it is met.
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar dev.resilienthttp.benchmarks.Report results.json
 * }</pre>
 *
 * <p>Every ratio compares figures of the same run. A benchmark missing from the files (a run of
 * a subset) is reported as "not run".
 */
public final class Report {

  /*
   * Which figure stands for a benchmark. The machines this runs on are shared (other builds run
   * beside it), and what they add is time stolen from the benchmark: noise that only ever makes
   * an operation slower. So the figure compared is the best measurement iteration over all passes
   * and forks (the least time per op, the most ops per time), as Chen and Revels argue for
   * timings in noisy environments ("Robust benchmarking in noisy environments", 2016, the basis
   * of Julia's BenchmarkTools); the median is printed beside it to show the spread. The suite
   * runs in several passes (benchmarks/run), so a burst of outside load hits one pass of each
   * implementation rather than every iteration of one. Percentiles (p99, p99.9) are taken from
   * the pass with the lowest one; allocation (B/op) is the median over passes.
   */

  private static final int CORES = Runtime.getRuntime().availableProcessors();

  private final List<Result> results;
  private final PrintStream out;
  private final List<String[]> targets = new ArrayList<>();

  private Report(List<Result> results, PrintStream out) {
    this.results = results;
    this.out = out;
  }

  /**
   * Prints the report for the JMH JSON files named by the arguments: one per pass of the suite.
   * The results of one benchmark, mode and parameter set in several files are merged.
   */
  public static void main(String[] args) throws IOException {
    if (args.length == 0) {
      System.err.println("usage: Report <jmh-result.json>...");
      System.exit(2);
    }
    List<Result> all = new ArrayList<>();
    for (String file : args) {
      Result.mergeAll(all, Files.readString(Path.of(file), StandardCharsets.UTF_8));
    }
    new Report(all, System.out).print();
  }

  private void print() {
    out.println("## Figures");
    out.println();
    happyPath();
    openCircuit();
    contendedBreaker();
    retryFailing();
    tokens();
    loopback();
    out.println("## Targets (BENCHMARKS.md)");
    out.println();
    out.println("| id | target | measured | verdict |");
    out.println("|---|---|---|---|");
    for (String[] row : targets) {
      out.println("| " + String.join(" | ", row) + " |");
    }
    out.println("| B5, B8 | simulator targets | not JMH: `cli simulate` | — |");
    out.println();
  }

  // --- B1 ---------------------------------------------------------------------------------

  private void happyPath() {
    String bench = "HappyPathBenchmark.call";
    out.println("### B1 happy path: retry + breaker (+ budget) around a succeeding call");
    out.println();
    if (!has(bench)) {
      notRun("B1");
      return;
    }
    out.println("| tokens | impl | ns/op best | ns/op median | overhead ns/op (best, above bare) | B/op |");
    out.println("|---|---|---|---|---|---|");
    String[] impls = {"bare", "floor", "ours", "resilience4j", "failsafe"};
    for (String tokens : new String[] {"0", "100"}) {
      Result bare = find(bench, "avgt", "impl", "bare", "tokens", tokens);
      for (String impl : impls) {
        Result r = find(bench, "avgt", "impl", impl, "tokens", tokens);
        if (r == null) {
          continue;
        }
        String overhead = bare == null ? "—" : fmt(r.nanos() - bare.nanos());
        out.println(row(tokens, impl, fmt(r.nanos()), fmt(r.medianNanos()), overhead, bytes(r)));
      }
      Result ours = find(bench, "avgt", "impl", "ours", "tokens", tokens);
      if (bare == null || ours == null) {
        continue;
      }
      double oursOver = ours.nanos() - bare.nanos();
      String id = "B1 (tokens=" + tokens + ")";
      for (String[] peer : new String[][] {{"resilience4j", "0.5"}, {"failsafe", "0.25"}}) {
        Result other = find(bench, "avgt", "impl", peer[0], "tokens", tokens);
        if (other != null) {
          maxRatio(id, "overhead <= " + peer[1] + "x " + peer[0] + "'s",
              oursOver, other.nanos() - bare.nanos(), Double.parseDouble(peer[1]));
        }
      }
      Result floor = find(bench, "avgt", "impl", "floor", "tokens", tokens);
      if (floor != null) {
        maxRatio(id, "overhead <= 1.5x floor's", oursOver, floor.nanos() - bare.nanos(), 1.5);
      }
      allocation(id, ours);
    }
    out.println();
  }

  // --- B2 ---------------------------------------------------------------------------------

  private void openCircuit() {
    String bench = "OpenCircuitBenchmark.reject";
    out.println("### B2 open circuit: a call rejected while the breaker is open");
    out.println();
    if (!has(bench)) {
      notRun("B2");
      return;
    }
    out.println("| impl | ns/op best | ns/op median | B/op |");
    out.println("|---|---|---|---|");
    for (String impl : new String[] {"floor", "ours", "ours_try", "ours_retry", "resilience4j", "failsafe"}) {
      Result r = find(bench, "avgt", "impl", impl);
      if (r != null) {
        out.println(row(impl, fmt(r.nanos()), fmt(r.medianNanos()), bytes(r)));
      }
    }
    out.println();
    for (String variant : new String[] {"ours", "ours_try"}) {
      Result ours = find(bench, "avgt", "impl", variant);
      if (ours == null) {
        continue;
      }
      String id = variant.equals("ours") ? "B2" : "B2 (ours_try: no exception)";
      for (String peer : new String[] {"resilience4j", "failsafe"}) {
        Result other = find(bench, "avgt", "impl", peer);
        if (other != null) {
          maxRatio(id, "<= 0.05x " + peer, ours.nanos(), other.nanos(), 0.05);
        }
      }
      Result floor = find(bench, "avgt", "impl", "floor");
      if (floor != null) {
        maxRatio(id, "<= 2x floor", ours.nanos(), floor.nanos(), 2.0);
      }
    }
  }

  // --- B3 ---------------------------------------------------------------------------------

  private void contendedBreaker() {
    String bench = "ContendedBreakerBenchmark.record";
    out.println("### B3 contended breaker recording: 2 threads, 50 % failures");
    out.println();
    if (!has(bench)) {
      notRun("B3");
      return;
    }
    out.println("| impl | ops/us best | ops/us median | p99.9 ns | B/op |");
    out.println("|---|---|---|---|---|");
    for (String impl : new String[] {"floor", "ours", "resilience4j", "failsafe"}) {
      Result thrpt = find(bench, "thrpt", "impl", impl);
      Result sample = find(bench, "sample", "impl", impl);
      out.println(row(impl,
          thrpt == null ? "—" : fmt(thrpt.opsPerMicro()),
          thrpt == null ? "—" : fmt(thrpt.medianOpsPerMicro()),
          sample == null ? "—" : fmt(sample.percentileNanos("99.9")),
          thrpt == null ? "—" : bytes(thrpt)));
    }
    out.println();
    Result ours = find(bench, "thrpt", "impl", "ours");
    if (ours != null) {
      for (String[] peer : new String[][] {{"resilience4j", "2"}, {"failsafe", "3"}}) {
        Result other = find(bench, "thrpt", "impl", peer[0]);
        if (other != null) {
          minRatio("B3", "throughput >= " + peer[1] + "x " + peer[0],
              ours.opsPerMicro(), other.opsPerMicro(), Double.parseDouble(peer[1]));
        }
      }
    }
  }

  // --- B4 ---------------------------------------------------------------------------------

  private void retryFailing() {
    String bench = "RetryFailingBenchmark.retryFailing";
    out.println("### B4 a failing call retried: 3 attempts, zero delay");
    out.println();
    if (!has(bench)) {
      notRun("B4");
      return;
    }
    out.println("| impl | ns/op best | ns/op median | ns per attempt (best) | B/op |");
    out.println("|---|---|---|---|---|");
    for (String impl : new String[] {"floor", "ours", "resilience4j", "failsafe"}) {
      Result r = find(bench, "avgt", "impl", impl);
      if (r != null) {
        out.println(row(impl, fmt(r.nanos()), fmt(r.medianNanos()),
            fmt(r.nanos() / RetryFailingBenchmark.ATTEMPTS), bytes(r)));
      }
    }
    out.println();
    Result ours = find(bench, "avgt", "impl", "ours");
    if (ours != null) {
      for (String[] peer : new String[][] {{"resilience4j", "0.5"}, {"failsafe", "0.3"}}) {
        Result other = find(bench, "avgt", "impl", peer[0]);
        if (other != null) {
          maxRatio("B4", "ns per attempt <= " + peer[1] + "x " + peer[0],
              ours.nanos(), other.nanos(), Double.parseDouble(peer[1]));
        }
      }
    }
  }

  // --- B6 ---------------------------------------------------------------------------------

  private void tokens() {
    out.println("### B6 token refresh storm: 1,000 concurrent callers hit an expired token");
    out.println();
    Result storm = find("TokenStormBenchmark.storm", "ss");
    Result volatileRead = find("TokenReadBenchmark.read", "avgt", "impl", "volatile_read");
    Result ownField = find("TokenReadBenchmark.read", "avgt", "impl", "volatile_read_own_field");
    Result ours = find("TokenReadBenchmark.read", "avgt", "impl", "ours");
    if (storm == null && (volatileRead == null || ours == null)) {
      notRun("B6");
      return;
    }
    if (storm != null) {
      List<Double> fetches = storm.secondaryIterations.getOrDefault("tokenFetches", List.of());
      double min = fetches.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
      double max = fetches.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
      long extra = fetches.stream().filter(f -> f > 1).count();
      out.println("| storms | token requests per storm (min–max) | storms with more than 1 | ms per storm best | ms per storm median |");
      out.println("|---|---|---|---|---|");
      out.println(row(String.valueOf(fetches.size()), fmt(min) + "–" + fmt(max),
          String.valueOf(extra), fmt(storm.nanos() / 1e6), fmt(storm.medianNanos() / 1e6)));
      out.println();
      targets.add(new String[] {"B6", "exactly 1 token request per expiry",
          fmt(min) + "–" + fmt(max) + " (" + extra + " of " + fetches.size() + " storms sent more than 1)",
          verdict(!fetches.isEmpty() && min == 1 && max == 1)});
    }
    if (volatileRead != null && ours != null) {
      out.println("| valid-token read | ns/op best | ns/op median | B/op |");
      out.println("|---|---|---|---|");
      out.println(row("volatile read (of a holder reached through a field, as ours)",
          fmt(volatileRead.nanos()), fmt(volatileRead.medianNanos()), bytes(volatileRead)));
      if (ownField != null) {
        out.println(row("volatile read (of the reader's own field: one load fewer)",
            fmt(ownField.nanos()), fmt(ownField.medianNanos()), bytes(ownField)));
      }
      out.println(row("ours (`BearerTokens.fresh`)", fmt(ours.nanos()), fmt(ours.medianNanos()),
          bytes(ours)));
      out.println();
      maxRatio("B6", "valid-token read <= 1.2x a volatile read", ours.nanos(), volatileRead.nanos(), 1.2);
      if (ownField != null) {
        maxRatio("B6 (against a read of the reader's own field)", "valid-token read <= 1.2x a volatile read",
            ours.nanos(), ownField.nanos(), 1.2);
      }
    }
  }

  // --- B7 ---------------------------------------------------------------------------------

  private void loopback() {
    out.println("### B7 end to end over loopback: 1 KB GET, keep-alive");
    out.println();
    if (!has("LoopbackBenchmark.c1") && !has("LoopbackBenchmark.c16")) {
      notRun("B7");
      return;
    }
    out.println("| threads | client | requests/s best | requests/s median | p99 us | B/op |");
    out.println("|---|---|---|---|---|---|");
    for (String method : new String[] {"c1", "c16"}) {
      String bench = "LoopbackBenchmark." + method;
      for (String client : new String[] {"raw", "resilient"}) {
        Result thrpt = find(bench, "thrpt", "client", client);
        Result sample = find(bench, "sample", "client", client);
        if (thrpt == null && sample == null) {
          continue;
        }
        out.println(row(method.substring(1), client,
            thrpt == null ? "—" : fmt(thrpt.opsPerSecond()),
            thrpt == null ? "—" : fmt(thrpt.medianOpsPerSecond()),
            sample == null ? "—" : fmt(sample.percentileNanos("99.0") / 1000),
            thrpt == null ? "—" : bytes(thrpt)));
      }
    }
    out.println();
    clientOverhead();
    for (String method : new String[] {"c1", "c16"}) {
      String bench = "LoopbackBenchmark." + method;
      String id = "B7 (" + method.substring(1) + " threads)";
      Result rawT = find(bench, "thrpt", "client", "raw");
      Result oursT = find(bench, "thrpt", "client", "resilient");
      if (rawT != null && oursT != null) {
        minRatio(id, "requests/s >= 0.99x raw", oursT.opsPerSecond(), rawT.opsPerSecond(), 0.99);
      }
      Result rawS = find(bench, "sample", "client", "raw");
      Result oursS = find(bench, "sample", "client", "resilient");
      if (rawS != null && oursS != null) {
        maxRatio(id, "p99 <= 1.02x raw",
            oursS.percentileNanos("99.0"), rawS.percentileNanos("99.0"), 1.02);
      }
    }
  }

  /** B7's explanation: the library's own cost per call, the network taken out. */
  private void clientOverhead() {
    if (!has("ClientOverheadBenchmark.c1") && !has("ClientOverheadBenchmark.c16")) {
      return;
    }
    out.println("What the library adds to one call with the network taken out"
        + " (`ClientOverheadBenchmark`: a stub `HttpClient` answering at once on the calling"
        + " thread). CPU ns per call = cores busy / throughput, the cores busy being"
        + " min(threads, " + CORES + "):");
    out.println();
    out.println("| threads | client | calls/us best | CPU ns per call | B/op | added by the library | share of a B7 request's CPU | B7 bound |");
    out.println("|---|---|---|---|---|---|---|---|");
    for (String method : new String[] {"c1", "c16"}) {
      String bench = "ClientOverheadBenchmark." + method;
      int threads = Integer.parseInt(method.substring(1));
      double cores = Math.min(threads, CORES);
      Result stub = find(bench, "thrpt", "client", "stub");
      Result resilient = find(bench, "thrpt", "client", "resilient");
      if (stub == null || resilient == null) {
        continue;
      }
      double stubCpu = cores * 1e3 / stub.opsPerMicro();
      double resilientCpu = cores * 1e3 / resilient.opsPerMicro();
      double added = resilientCpu - stubCpu;
      String addedBytes = stub.bytesPerOp == null || resilient.bytesPerOp == null
          ? "—" : fmt(resilient.bytesPerOp - stub.bytesPerOp);
      String share = "—";
      String bound = "—";
      Result raw = find("LoopbackBenchmark." + method, "thrpt", "client", "raw");
      if (raw != null) {
        double requestCpu = cores * 1e9 / raw.opsPerSecond();
        share = String.format(Locale.ROOT, "%.2f %% of %s us", 100 * added / requestCpu,
            fmt(requestCpu / 1000));
        bound = String.format(Locale.ROOT, ">= %.4fx raw", 1 / (1 + added / requestCpu));
      }
      out.println(row(String.valueOf(threads), "stub", fmt(stub.opsPerMicro()), fmt(stubCpu),
          bytes(stub), "", "", ""));
      out.println(row(String.valueOf(threads), "resilient (stub inside)",
          fmt(resilient.opsPerMicro()), fmt(resilientCpu), bytes(resilient),
          fmt(added) + " ns, " + addedBytes + " B", share, bound));
    }
    out.println();
  }

  // --- helpers ----------------------------------------------------------------------------

  private void maxRatio(String id, String target, double ours, double peer, double limit) {
    double ratio = ours / peer;
    targets.add(new String[] {id, target, fmtRatio(ratio), verdict(peer > 0 && ratio <= limit)});
  }

  private void minRatio(String id, String target, double ours, double peer, double limit) {
    double ratio = ours / peer;
    targets.add(new String[] {id, target, fmtRatio(ratio), verdict(peer > 0 && ratio >= limit)});
  }

  private void allocation(String id, Result ours) {
    Double bytes = ours.bytesPerOp;
    if (bytes == null) {
      targets.add(new String[] {id, "0 B/op", "not measured (run with -prof gc)", "—"});
      return;
    }
    // JMH's normalised allocation carries a little noise from the harness; below 0.5 B/op
    // no object was allocated per op.
    targets.add(new String[] {id, "0 B/op", fmt(bytes) + " B/op", verdict(bytes < 0.5)});
  }

  private static String verdict(boolean met) {
    return met ? "met" : "**not met**";
  }

  private void notRun(String id) {
    out.println("not run");
    out.println();
    targets.add(new String[] {id, "—", "not run", "—"});
  }

  private boolean has(String bench) {
    return results.stream().anyMatch(r -> r.benchmark.equals(bench));
  }

  /** Finds the result of {@code bench} in {@code mode} with the given parameter name/value pairs. */
  private Result find(String bench, String mode, String... params) {
    for (Result r : results) {
      if (!r.benchmark.equals(bench) || !r.mode.equals(mode)) {
        continue;
      }
      boolean matches = true;
      for (int i = 0; i < params.length; i += 2) {
        matches &= Objects.equals(r.params.get(params[i]), params[i + 1]);
      }
      if (matches) {
        return r;
      }
    }
    return null;
  }

  private static String row(String... cells) {
    return "| " + String.join(" | ", cells) + " |";
  }

  private static String bytes(Result r) {
    return r.bytesPerOp == null ? "—" : fmt(r.bytesPerOp);
  }

  static String fmt(double value) {
    if (Double.isNaN(value)) {
      return "—";
    }
    double abs = Math.abs(value);
    if (abs >= 100) {
      return String.format(Locale.ROOT, "%,.0f", value);
    }
    if (abs >= 10) {
      return String.format(Locale.ROOT, "%.1f", value);
    }
    return String.format(Locale.ROOT, "%.2f", value);
  }

  private static String fmtRatio(double ratio) {
    if (Double.isNaN(ratio) || Double.isInfinite(ratio)) {
      return "—";
    }
    return String.format(Locale.ROOT, "%.3fx", ratio);
  }

  /** One benchmark, mode and parameter set: its measurements merged over every pass. */
  static final class Result {
    final String benchmark;
    final String mode;
    final Map<String, String> params;
    final String unit;
    /** Every measurement iteration's score, in {@link #unit}. */
    private final List<Double> iterations = new ArrayList<>();
    /** Each pass's percentiles (sample mode), in {@link #unit}. */
    private final List<Map<String, Object>> percentiles = new ArrayList<>();
    private final List<Double> allocations = new ArrayList<>();
    /** Every measurement iteration's value of each secondary metric (JMH's aux counters). */
    final Map<String, List<Double>> secondaryIterations = new java.util.TreeMap<>();
    Double bytesPerOp;

    @SuppressWarnings("unchecked")
    private Result(Map<String, Object> json) {
      String full = (String) json.get("benchmark");
      int method = full.lastIndexOf('.');
      int type = full.lastIndexOf('.', method - 1);
      this.benchmark = full.substring(type + 1);
      this.mode = (String) json.get("mode");
      Map<String, String> p = new java.util.HashMap<>();
      Object rawParams = json.get("params");
      if (rawParams instanceof Map) {
        ((Map<String, Object>) rawParams).forEach((k, v) -> p.put(k, String.valueOf(v)));
      }
      this.params = p;
      this.unit = (String) ((Map<String, Object>) json.get("primaryMetric")).get("scoreUnit");
    }

    private boolean sameAs(Result other) {
      return benchmark.equals(other.benchmark) && mode.equals(other.mode)
          && params.equals(other.params) && unit.equals(other.unit);
    }

    /** Adds the results of one JMH JSON file to {@code all}, merging with those already there. */
    @SuppressWarnings("unchecked")
    static void mergeAll(List<Result> all, String json) {
      for (Object entry : (List<Object>) Json.parse(json)) {
        Map<String, Object> map = (Map<String, Object>) entry;
        Result fresh = new Result(map);
        Result target = all.stream().filter(fresh::sameAs).findFirst().orElse(null);
        if (target == null) {
          all.add(fresh);
          target = fresh;
        }
        target.add(map);
      }
    }

    @SuppressWarnings("unchecked")
    private void add(Map<String, Object> json) {
      Map<String, Object> primary = (Map<String, Object>) json.get("primaryMetric");
      Object raw = primary.get("rawData");
      if (raw instanceof List) {
        for (Object fork : (List<Object>) raw) {
          for (Object value : (List<Object>) fork) {
            iterations.add(number(value));
          }
        }
      } else {
        iterations.add(number(primary.get("score")));
      }
      Object pct = primary.get("scorePercentiles");
      if (pct instanceof Map) {
        percentiles.add((Map<String, Object>) pct);
      }
      Object secondary = json.get("secondaryMetrics");
      if (secondary instanceof Map) {
        for (Map.Entry<String, Object> e : ((Map<String, Object>) secondary).entrySet()) {
          // JMH names it "gc.alloc.rate.norm", older versions with a leading middle dot.
          Map<String, Object> metric = (Map<String, Object>) e.getValue();
          if (e.getKey().endsWith("gc.alloc.rate.norm")) {
            allocations.add(number(metric.get("score")));
          }
          if (metric.get("rawData") instanceof List) {
            List<Double> values =
                secondaryIterations.computeIfAbsent(e.getKey(), k -> new ArrayList<>());
            for (Object fork : (List<Object>) metric.get("rawData")) {
              for (Object value : (List<Object>) fork) {
                values.add(number(value));
              }
            }
          }
        }
      }
      bytesPerOp = allocations.isEmpty() ? null : median(allocations);
    }

    private static double number(Object value) {
      if (value instanceof Double) {
        return (Double) value;
      }
      if (value instanceof String) {
        try {
          return Double.parseDouble((String) value);
        } catch (NumberFormatException e) {
          return Double.NaN;
        }
      }
      return Double.NaN;
    }

    private static double median(List<Double> values) {
      List<Double> sorted = new ArrayList<>(values);
      sorted.sort(null);
      int n = sorted.size();
      return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private boolean isThroughput() {
      return unit.startsWith("ops/");
    }

    /** The best iteration: least time per op, or most ops per time. */
    private double best() {
      double best = isThroughput() ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
      for (double v : iterations) {
        best = isThroughput() ? Math.max(best, v) : Math.min(best, v);
      }
      return best;
    }

    /** Nanoseconds in one of the time unit this result's unit is expressed in. */
    private double nanosPerUnit(String timeUnit) {
      switch (timeUnit) {
        case "ns":
          return 1;
        case "us":
          return 1e3;
        case "ms":
          return 1e6;
        case "s":
          return 1e9;
        case "min":
          return 60e9;
        default:
          throw new IllegalArgumentException("unknown time unit " + timeUnit + " in " + unit);
      }
    }

    private double nanosPerTimeUnit() {
      return nanosPerUnit(unit.substring(0, unit.indexOf("/op")));
    }

    /** The best time per op, in nanoseconds. */
    double nanos() {
      return best() * nanosPerTimeUnit();
    }

    double medianNanos() {
      return median(iterations) * nanosPerTimeUnit();
    }

    /** The lowest value of {@code percentile} over the passes, in nanoseconds. */
    double percentileNanos(String percentile) {
      double lowest = Double.NaN;
      for (Map<String, Object> pass : percentiles) {
        double value = number(pass.get(percentile));
        if (!Double.isNaN(value) && (Double.isNaN(lowest) || value < lowest)) {
          lowest = value;
        }
      }
      return lowest * nanosPerTimeUnit();
    }

    /** Operations per nanosecond, for a throughput value in this result's unit. */
    private double perNano(double value) {
      return value / nanosPerUnit(unit.substring("ops/".length()));
    }

    double opsPerMicro() {
      return perNano(best()) * 1e3;
    }

    double medianOpsPerMicro() {
      return perNano(median(iterations)) * 1e3;
    }

    double opsPerSecond() {
      return perNano(best()) * 1e9;
    }

    double medianOpsPerSecond() {
      return perNano(median(iterations)) * 1e9;
    }
  }
}
