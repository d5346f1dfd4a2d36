package dev.resilienthttp.cli;

import dev.resilienthttp.http.HttpStatusException;
import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.retry.RetryContext;
import dev.resilienthttp.retry.RetryListener;
import dev.resilienthttp.testing.FaultServer;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Sends the demo's calls through one client, {@code concurrency} at a time, and measures. */
final class Workload {

  /** The reasons a call fails or an attempt is retried, in the order the summary shows them. */
  static final List<String> REASONS = List.of("503", "429", "reset/IO", "timeout");

  private Workload() {}

  /** What one run of the workload through one client gave. */
  record Result(
      String label,
      int calls,
      int succeeded,
      Map<String, Integer> failuresByReason,
      int serverAttempts,
      Map<String, Integer> retriesByReason,
      int refusedByBudget,
      long[] sortedLatencyNanos,
      long wallNanos) {

    int retries() {
      return retriesByReason.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The nearest-rank percentile of the calls' latencies, in nanoseconds. */
    long latencyPercentileNanos(double percentile) {
      if (sortedLatencyNanos.length == 0) {
        return 0;
      }
      int rank = (int) Math.ceil(percentile / 100.0 * sortedLatencyNanos.length);
      return sortedLatencyNanos[Math.max(0, Math.min(rank, sortedLatencyNanos.length) - 1)];
    }
  }

  /**
   * Counts the retries a client schedules, by reason, and the calls whose retries the backend's
   * retry budget refused. Thread-safe.
   */
  static final class RetryCounter implements RetryListener {
    private final Map<String, LongAdder> byReason = new ConcurrentHashMap<>();
    private final LongAdder refusedByBudget = new LongAdder();

    @Override
    public void onRetryScheduled(
        RetryContext context, int attempt, Duration delay, Throwable failure) {
      byReason.computeIfAbsent(reason(failure), r -> new LongAdder()).increment();
    }

    @Override
    public void onGiveUp(
        RetryContext context, GiveUpReason reason, int attempts, Throwable failure) {
      if (reason == GiveUpReason.BUDGET_EXHAUSTED) {
        refusedByBudget.increment();
      }
    }

    int refusedByBudget() {
      return refusedByBudget.intValue();
    }

    Map<String, Integer> snapshot() {
      Map<String, Integer> counts = new TreeMap<>();
      byReason.forEach((reason, count) -> counts.put(reason, count.intValue()));
      return counts;
    }
  }

  /** "503", "429" (any status code), "timeout" or "reset/IO": why an attempt or a call failed. */
  static String reason(Throwable failure) {
    if (failure instanceof HttpStatusException) {
      return String.valueOf(((HttpStatusException) failure).statusCode());
    }
    if (failure instanceof HttpTimeoutException) {
      return "timeout";
    }
    if (failure instanceof IOException) {
      return "reset/IO";
    }
    return failure.getClass().getSimpleName();
  }

  /**
   * Sends one GET per call of {@code plan} through {@code client}, {@code concurrency} at a
   * time, reporting progress as calls complete. The server must have been scripted with the
   * plan just before.
   */
  static Result run(
      String label,
      HttpClient client,
      RetryCounter retries,
      FaultServer server,
      FaultPlan plan,
      int concurrency,
      Progress progress)
      throws InterruptedException {
    List<FaultPlan.Call> calls = plan.calls();
    int requestsBefore = server.requestCount();
    AtomicInteger done = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency, daemonThreads(label));
    long start = System.nanoTime();
    List<Future<Outcome>> futures = new ArrayList<>(calls.size());
    try {
      for (FaultPlan.Call call : calls) {
        HttpRequest request = HttpRequest.newBuilder(server.uri(call.path()))
            .timeout(FaultPlan.REQUEST_TIMEOUT)
            .GET()
            .build();
        futures.add(pool.submit(() -> {
          try {
            return send(client, request);
          } finally {
            done.incrementAndGet();
          }
        }));
      }
      pool.shutdown();
      progress.update(label, done.get(), calls.size());
      while (!pool.awaitTermination(100, TimeUnit.MILLISECONDS)) {
        progress.update(label, done.get(), calls.size());
      }
    } finally {
      pool.shutdownNow();
    }
    long wall = System.nanoTime() - start;
    progress.finish(label, done.get(), calls.size());

    int succeeded = 0;
    Map<String, Integer> failures = new TreeMap<>();
    long[] latencies = new long[calls.size()];
    for (int i = 0; i < futures.size(); i++) {
      Outcome outcome;
      try {
        outcome = futures.get(i).get();
      } catch (ExecutionException e) {
        throw new IllegalStateException("call " + i + " failed unexpectedly: " + e.getCause(),
            e.getCause());
      }
      latencies[i] = outcome.latencyNanos;
      if (outcome.failure == null) {
        succeeded++;
      } else {
        failures.merge(outcome.failure, 1, Integer::sum);
      }
    }
    Arrays.sort(latencies);
    int serverAttempts = server.requestCount() - requestsBefore;
    Map<String, Integer> retried = retries == null ? Map.of() : retries.snapshot();
    int refused = retries == null ? 0 : retries.refusedByBudget();
    return new Result(label, calls.size(), succeeded, failures, serverAttempts, retried, refused,
        latencies, wall);
  }

  /**
   * Sends {@code requests} quick GETs that the server answers 200 at once, so that neither run
   * pays for the JVM's warm-up (class loading, JIT) in its latencies. Not counted anywhere.
   */
  static void warmUp(HttpClient client, FaultServer server, int requests, int concurrency)
      throws InterruptedException {
    String path = "/warm-up";
    server.script("GET", path, dev.resilienthttp.testing.Fault.ok());
    HttpRequest request = HttpRequest.newBuilder(server.uri(path))
        .timeout(FaultPlan.REQUEST_TIMEOUT)
        .GET()
        .build();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency, daemonThreads("warm-up"));
    try {
      for (int i = 0; i < requests; i++) {
        pool.execute(() -> send(client, request));
      }
      pool.shutdown();
      pool.awaitTermination(30, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
  }

  /** How one call ended: {@code failure} is null for a 2xx, else the reason. */
  private record Outcome(String failure, long latencyNanos) {}

  private static Outcome send(HttpClient client, HttpRequest request) {
    long start = System.nanoTime();
    String failure;
    try {
      HttpResponse<String> response = client.send(request, BodyHandlers.ofString());
      int status = response.statusCode();
      failure = status >= 200 && status < 300 ? null : String.valueOf(status);
    } catch (IOException e) {
      failure = reason(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = "interrupted";
    }
    return new Outcome(failure, System.nanoTime() - start);
  }

  private static ThreadFactory daemonThreads(String label) {
    AtomicInteger number = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "demo-" + label + "-" + number.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
