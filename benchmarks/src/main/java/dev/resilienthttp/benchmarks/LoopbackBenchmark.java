package dev.resilienthttp.benchmarks;

import com.sun.net.httpserver.HttpServer;
import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.http.ResilientHttpClient;
import dev.resilienthttp.retry.ExponentialBackoffRetrier;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * B7, end to end over loopback: a GET of a 1 KB body over a kept-alive HTTP/1.1 connection,
 * through {@code java.net.http} directly ({@code raw}) and through {@link ResilientHttpClient}
 * wrapping the same kind of client ({@code resilient}), with 1 and with 16 calling threads
 * ({@link #c1()}, {@link #c16()}). Metric: requests/s (throughput mode) and p99 (sample mode).
 * Targets: resilient at least 0.99x raw throughput, and p99 at most 1.02x raw.
 *
 * <p>The server is the JDK's own {@code com.sun.net.httpserver} on 127.0.0.1 (an ephemeral
 * port), TCP_NODELAY on, 16 handler threads, started in {@link #setUp()}: every response is the
 * same preallocated 1,024 bytes with a Content-Length. Each fork has its own server and client.
 *
 * <p>Configuration of {@code resilient}: the library's full protection, as a user turning it all
 * on would have it: {@code ExponentialBackoffRetrier.ofDefaults()} (3 attempts), the per-backend
 * retry budget (on by default), a per-backend {@code CircuitBreaker.ofDefaults}, the Retry-After
 * gate (on by default). No request fails, so no retry is ever made: this measures what the
 * library adds to a successful call. Both clients read the body as a {@code byte[]}.
 *
 * <p>Run: {@code benchmarks/run LoopbackBenchmark} (builds the jar, prints the report), or {@code java -jar
 * benchmarks/target/benchmarks.jar LoopbackBenchmark -prof gc}
 */
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dsun.net.httpserver.nodelay=true"})
@State(Scope.Benchmark)
public class LoopbackBenchmark {

  static final int BODY_BYTES = 1024;

  @Param({"raw", "resilient"})
  public String client;

  private HttpServer server;
  private ExecutorService serverThreads;
  private HttpClient subject;
  private HttpRequest request;

  @Setup
  public void setUp() throws IOException, InterruptedException {
    System.setProperty("sun.net.httpserver.nodelay", "true");
    byte[] body = new byte[BODY_BYTES];
    Arrays.fill(body, (byte) 'x');
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
    server.createContext("/data", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    serverThreads = Executors.newFixedThreadPool(16, task -> {
      Thread thread = new Thread(task, "loopback-server");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(serverThreads);
    server.start();

    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    subject = client.equals("raw")
        ? http
        : ResilientHttpClient.newBuilder(http)
            .retrier(ExponentialBackoffRetrier.ofDefaults())
            .circuitBreakers(CircuitBreaker::ofDefaults)
            .build();
    if (!client.equals("raw") && !client.equals("resilient")) {
      throw new IllegalArgumentException("client must be raw or resilient but was " + client);
    }
    request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/data"))
        .GET()
        .build();
    if (get() != BODY_BYTES) {
      throw new IllegalStateException("the loopback server did not answer 1 KB");
    }
  }

  @TearDown
  public void tearDown() {
    server.stop(0);
    serverThreads.shutdownNow();
  }

  @Benchmark
  @Threads(1)
  public int c1() throws IOException, InterruptedException {
    return get();
  }

  @Benchmark
  @Threads(16)
  public int c16() throws IOException, InterruptedException {
    return get();
  }

  private int get() throws IOException, InterruptedException {
    HttpResponse<byte[]> response = subject.send(request, BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("status " + response.statusCode());
    }
    return response.body().length;
  }
}
