package dev.resilienthttp.benchmarks;

import dev.resilienthttp.http.auth.AccessToken;
import dev.resilienthttp.http.ResilientHttpClient;
import dev.resilienthttp.time.ScheduledTask;
import dev.resilienthttp.time.TimeSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * B6, first half: a token refresh storm. A {@link ResilientHttpClient} with {@code
 * bearerTokens(source, host)} holds a token that has just expired; 1,000 callers (8 threads released
 * at once, 125 {@code sendAsync} calls each) then send a GET. The token source takes 1 ms to
 * answer, so every caller arrives while the fetch is in flight. Metric: token requests per
 * expiry (the {@code tokenFetches} counter, one storm per iteration); target exactly 1. The
 * time of a whole storm is printed too. Every response is checked to have gone out with a new
 * token, never the expired one.
 *
 * <p>The client wraps a {@link StubHttpClient} (no network: what is measured is the token
 * machinery, not a server) and a time source whose clock the benchmark moves past the token's
 * expiry before each storm, running the tasks that fall due on the way (the client drops a token
 * by such a task at its refresh point). Only this library has a bearer-token cache; Resilience4j and
 * Failsafe have none, so there are no peers here. The second half of B6, the cost of reading a
 * valid token, is {@code dev.resilienthttp.http.TokenReadBenchmark}.
 *
 * <p>Run: {@code benchmarks/run TokenStormBenchmark}, or {@code java -jar
 * benchmarks/target/benchmarks.jar TokenStormBenchmark}
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, batchSize = 1)
@Measurement(iterations = 20, batchSize = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class TokenStormBenchmark {

  static final int CALLERS = 1000;
  static final int THREADS = 8;
  static final Duration LIFETIME = Duration.ofSeconds(60);

  /** How many token requests the last storm made, read by JMH per iteration. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Counters {
    public long tokenFetches;
  }

  private final AtomicLong clock = new AtomicLong();
  /** Tasks scheduled on {@link #clock}, run when {@link #expire()} moves it past them. */
  private final List<Timer> timers = new ArrayList<>();
  private final AtomicInteger fetches = new AtomicInteger();
  private final AtomicInteger issued = new AtomicInteger();
  /** The Authorization header of the token before the expiry. */
  private String expired;
  private ExecutorService callers;
  private HttpClient client;
  private HttpRequest request;

  @Setup(Level.Trial)
  public void setUp() {
    byte[] body = new byte[LoopbackBenchmark.BODY_BYTES];
    Arrays.fill(body, (byte) 'x');
    TimeSource time = new TimeSource() {
      @Override
      public long nanoTime() {
        return clock.get();
      }

      @Override
      public void sleep(long nanos) {
        clock.addAndGet(nanos);
      }

      @Override
      public ScheduledTask schedule(Runnable task, long delayNanos) {
        if (delayNanos <= 0) {
          return TimeSource.system().schedule(task, delayNanos);
        }
        Timer timer = new Timer(clock.get() + delayNanos, task);
        synchronized (timers) {
          timers.add(timer);
        }
        return () -> {
          synchronized (timers) {
            return timers.remove(timer);
          }
        };
      }
    };
    client = ResilientHttpClient.newBuilder(new StubHttpClient(body))
        .timeSource(time)
        .bearerTokens(tokenClient -> {
          fetches.incrementAndGet();
          int n = issued.incrementAndGet();
          return CompletableFuture.supplyAsync(
              () -> AccessToken.of("token-" + n, LIFETIME),
              CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS));
        }, "127.0.0.1")
        .build();
    request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:8080/data")).GET().build();
    callers = Executors.newFixedThreadPool(THREADS);
    expired = client.sendAsync(request, BodyHandlers.discarding()).join()
        .request().headers().firstValue("Authorization").orElseThrow();
  }

  /**
   * Moves the clock past the token's expiry and runs the tasks due by then, so the next call
   * finds it expired.
   */
  @Setup(Level.Iteration)
  public void expire() {
    long now = clock.addAndGet(LIFETIME.toNanos() + 1);
    List<Timer> due = new ArrayList<>();
    synchronized (timers) {
      for (Iterator<Timer> it = timers.iterator(); it.hasNext(); ) {
        Timer timer = it.next();
        if (now - timer.dueNanos >= 0) {
          due.add(timer);
          it.remove();
        }
      }
    }
    due.forEach(timer -> timer.task.run());
    fetches.set(0);
  }

  /** A task scheduled on the benchmark's clock. */
  private static final class Timer {
    final long dueNanos;
    final Runnable task;

    Timer(long dueNanos, Runnable task) {
      this.dueNanos = dueNanos;
      this.task = task;
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    callers.shutdownNow();
  }

  @Benchmark
  public int storm(Counters counters) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<CompletableFuture<List<CompletableFuture<HttpResponse<Void>>>>> batches = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      batches.add(CompletableFuture.supplyAsync(() -> {
        List<CompletableFuture<HttpResponse<Void>>> sent = new ArrayList<>(CALLERS / THREADS);
        try {
          start.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
        for (int i = 0; i < CALLERS / THREADS; i++) {
          sent.add(client.sendAsync(request, BodyHandlers.discarding()));
        }
        return sent;
      }, callers));
    }
    start.countDown();
    String expected = null;
    int ok = 0;
    for (CompletableFuture<List<CompletableFuture<HttpResponse<Void>>>> batch : batches) {
      for (CompletableFuture<HttpResponse<Void>> call : batch.get(10, TimeUnit.SECONDS)) {
        HttpResponse<Void> response = call.get(10, TimeUnit.SECONDS);
        String authorization = response.request().headers().firstValue("Authorization").orElse("");
        if (expected == null) {
          expected = authorization;
        }
        // A second token in one storm is not an error here: it is what tokenFetches counts.
        if (response.statusCode() != 200 || authorization.equals(expired)) {
          throw new IllegalStateException("a caller went out with '" + authorization
              + "', the expired token, or got status " + response.statusCode());
        }
        ok++;
      }
    }
    counters.tokenFetches += fetches.get();
    expired = expected;
    return ok;
  }
}
