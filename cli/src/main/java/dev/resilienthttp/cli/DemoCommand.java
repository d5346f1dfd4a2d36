package dev.resilienthttp.cli;

import dev.resilienthttp.http.ResilientHttpClient;
import dev.resilienthttp.retry.ExponentialBackoffRetrier;
import dev.resilienthttp.testing.FaultServer;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code resilient-http demo}: the same workload against the same flaky local server, first
 * through a plain {@link HttpClient}, then through a {@link ResilientHttpClient}, side by side.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    header = "Shows a plain HttpClient and a ResilientHttpClient against the same flaky server.",
    description = {
      "Starts a flaky HTTP server on 127.0.0.1 (503s, 429s with Retry-After, connection resets,"
          + " slow and unanswered requests), sends the same GET calls through a plain"
          + " java.net.http.HttpClient, then through a ResilientHttpClient with default-style"
          + " settings, and prints a side-by-side summary.",
      "Progress goes to standard error, the summary to standard output."
    })
final class DemoCommand implements Callable<Integer> {

  /** Loggers silenced to warnings while the demo runs; held so the setting sticks. */
  private static final List<Logger> QUIETED = new ArrayList<>();

  private static final int LABEL_WIDTH = 30;
  private static final int COLUMN_WIDTH = 22;

  /** Requests each client sends before its run, so neither pays the JVM's warm-up. */
  private static final int WARM_UP_REQUESTS = 100;

  @Spec private CommandSpec spec;

  @Option(names = "--calls", defaultValue = "200", paramLabel = "N",
      description = "Number of GET calls in the workload (default: ${DEFAULT-VALUE}).")
  int calls;

  @Option(names = "--concurrency", defaultValue = "8", paramLabel = "N",
      description = "Calls in flight at once (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--seed", defaultValue = "42", paramLabel = "SEED",
      description = "Seed of the server's fault mix: same seed, same faults"
          + " (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--no-progress", description = "Do not show the progress line.")
  boolean noProgress;

  @Override
  public Integer call() throws InterruptedException {
    if (calls < 1 || calls > 100_000) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--calls must be in [1, 100000] but was " + calls);
    }
    if (concurrency < 1 || concurrency > 256) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--concurrency must be in [1, 256] but was " + concurrency);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    quietServerLogging();

    FaultPlan plan = FaultPlan.of(seed, calls);
    Progress progress = new Progress(err, !noProgress);
    Workload.Result plain;
    Workload.Result resilient;
    try (FaultServer server = FaultServer.start()) {
      out.printf(Locale.ROOT, "resilient-http demo: %d GET calls, %d at a time, to a flaky"
          + " server on %s (seed %d)%n", calls, concurrency, server.uri("/"), seed);
      out.print(describe(plan));
      out.println("Fair comparison: each call has its own path and scripted faults, replayed from"
          + " the start for each client, so call #i meets the same faults in both runs.");
      out.println();
      out.flush();

      HttpClient plainClient = newDelegate();
      Workload.RetryCounter retries = new Workload.RetryCounter();
      HttpClient resilientClient = ResilientHttpClient.newBuilder(newDelegate())
          .retrier(ExponentialBackoffRetrier.ofDefaults())
          .listener(retries)
          .build();
      Workload.warmUp(plainClient, server, WARM_UP_REQUESTS, concurrency);
      Workload.warmUp(resilientClient, server, WARM_UP_REQUESTS, concurrency);

      plan.scriptOn(server);
      plain = Workload.run("plain", plainClient, null, server, plan, concurrency, progress);

      plan.scriptOn(server); // Restarts every path's count: the same faults, call by call.
      resilient = Workload.run(
          "resilient", resilientClient, retries, server, plan, concurrency, progress);
    }

    out.print(summary(plain, resilient));
    out.println();
    out.println("ResilientHttpClient: ExponentialBackoffRetrier.ofDefaults() (3 attempts, 100 ms,"
        + " x2, 5 s cap, full jitter), other settings default:");
    out.println("  a Retry-After delays the retry and holds back every new call to the server"
        + " until it passes (most of the extra run time); a per-server retry budget caps"
        + " retries.");
    out.println("Latency: per call, all attempts and waits included, failed calls too;"
        + " each client warmed up first."
        + " Both clients: HTTP/1.1, request timeout " + FaultPlan.REQUEST_TIMEOUT.toSeconds()
        + " s.");
    out.println("Attempts include java.net.http's own silent resend of a GET after a reset.");
    out.flush();
    return CommandLine.ExitCode.OK;
  }

  /** The plain client, and the one the resilient client sends every attempt through. */
  private static HttpClient newDelegate() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(FaultPlan.REQUEST_TIMEOUT)
        .build();
  }

  /** MockWebServer logs every connection at INFO: keep the demo's output to the point. */
  private static synchronized void quietServerLogging() {
    if (QUIETED.isEmpty()) {
      for (String name : List.of("mockwebserver3", "okhttp3")) {
        Logger logger = Logger.getLogger(name);
        logger.setLevel(Level.WARNING);
        QUIETED.add(logger);
      }
    }
  }

  /** The server's script, as a count of calls per kind of fault sequence. */
  private static String describe(FaultPlan plan) {
    StringBuilder text = new StringBuilder("The server's script, per call:")
        .append(System.lineSeparator());
    int width = String.valueOf(plan.calls().size()).length();
    plan.countByKind().forEach((kind, count) -> {
      if (count > 0) {
        text.append(String.format(Locale.ROOT, "  %" + width + "d  %s%n", count,
            kind.description));
      }
    });
    return text.toString();
  }

  /** The side-by-side table. Rows are "label  value  value", columns two spaces or more apart. */
  static String summary(Workload.Result plain, Workload.Result resilient) {
    StringBuilder table = new StringBuilder();
    row(table, "", "plain HttpClient", "ResilientHttpClient");
    row(table, "calls that succeeded (2xx)", plain, resilient,
        r -> String.format(Locale.ROOT, "%d/%d (%.1f%%)", r.succeeded(), r.calls(),
            100.0 * r.succeeded() / r.calls()));
    for (String reason : reasons(plain.failuresByReason(), resilient.failuresByReason())) {
      row(table, "  failed: " + reason, plain, resilient,
          r -> String.valueOf(r.failuresByReason().getOrDefault(reason, 0)));
    }
    row(table, "attempts the server saw", plain, resilient,
        r -> String.valueOf(r.serverAttempts()));
    row(table, "retries", plain, resilient, r -> String.valueOf(r.retries()));
    for (String reason : reasons(plain.retriesByReason(), resilient.retriesByReason())) {
      row(table, "  retried: " + reason, plain, resilient,
          r -> String.valueOf(r.retriesByReason().getOrDefault(reason, 0)));
    }
    row(table, "calls refused a retry (budget)", plain, resilient,
        r -> String.valueOf(r.refusedByBudget()));
    row(table, "latency p50 (ms)", plain, resilient, r -> millis(r.latencyPercentileNanos(50)));
    row(table, "latency p99 (ms)", plain, resilient, r -> millis(r.latencyPercentileNanos(99)));
    row(table, "run time (s)", plain, resilient,
        r -> String.format(Locale.ROOT, "%.1f", r.wallNanos() / 1e9));
    return table.toString();
  }

  /** The usual reasons first, then any other seen in either map. */
  private static Set<String> reasons(Map<String, Integer> a, Map<String, Integer> b) {
    Set<String> reasons = new LinkedHashSet<>(Workload.REASONS);
    reasons.addAll(a.keySet());
    reasons.addAll(b.keySet());
    return reasons;
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
  }

  private static void row(StringBuilder table, String label, Workload.Result plain,
      Workload.Result resilient, Function<Workload.Result, String> value) {
    row(table, label, value.apply(plain), value.apply(resilient));
  }

  private static void row(StringBuilder table, String label, String plain, String resilient) {
    table.append(String.format(Locale.ROOT, "%-" + LABEL_WIDTH + "s  %-" + COLUMN_WIDTH + "s  %s",
        label, plain, resilient).stripTrailing()).append(System.lineSeparator());
  }
}
