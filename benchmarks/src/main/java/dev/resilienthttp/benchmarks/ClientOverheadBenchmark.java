package dev.resilienthttp.benchmarks;

import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.http.ResilientHttpClient;
import dev.resilienthttp.retry.ExponentialBackoffRetrier;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.Arrays;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * B7's explanation: what {@link ResilientHttpClient} adds to one successful GET, with the network
 * taken out. Both clients send the request of {@link LoopbackBenchmark} to a {@link
 * StubHttpClient} that answers at once on the calling thread with the same 1 KB body through the
 * caller's body handler: {@code stub} calls it directly, {@code resilient} through the library
 * configured as in B7 (retrier defaults, retry budget, circuit breaker, Retry-After gate). The
 * difference of the two is the library's CPU time and allocation per call, with 1 and with 16
 * calling threads ({@link #c1()}, {@link #c16()}: with 16, contention on the per-backend state
 * shows); divided by the CPU time of one loopback request (B7) it bounds how much the library can
 * cost B7's throughput on a quiet machine. No target of its own.
 *
 * <p>Run: {@code benchmarks/run ClientOverheadBenchmark}, or {@code java -jar
 * benchmarks/target/benchmarks.jar ClientOverheadBenchmark -prof gc}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class ClientOverheadBenchmark {

  @Param({"stub", "resilient"})
  public String client;

  private HttpClient subject;
  private HttpRequest request;

  @Setup
  public void setUp() {
    byte[] body = new byte[LoopbackBenchmark.BODY_BYTES];
    Arrays.fill(body, (byte) 'x');
    HttpClient stub = new StubHttpClient(body);
    switch (client) {
      case "stub":
        subject = stub;
        break;
      case "resilient":
        subject = ResilientHttpClient.newBuilder(stub)
            .retrier(ExponentialBackoffRetrier.ofDefaults())
            .circuitBreakers(CircuitBreaker::ofDefaults)
            .build();
        break;
      default:
        throw new IllegalArgumentException("client must be stub or resilient but was " + client);
    }
    request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:8080/data")).GET().build();
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
