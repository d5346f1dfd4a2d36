package dev.resilienthttp.http;

import dev.resilienthttp.time.TimeSource;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * B6, second half: the cost of reading a valid cached bearer token, against a volatile read.
 * Target: at most 1.2x a volatile read.
 *
 * <ul>
 *   <li>{@code volatile_read}: one volatile read of a field holding the token, returned. The
 *       field is in an object the benchmark reaches through a field of its own, as {@code ours}
 *       reaches its {@code BearerTokens} (and a call its client's), so that the two arms differ
 *       only in the operation. (Until the refresh task came, the field was in the benchmark's
 *       state itself: one load fewer, worth about 0.1 ns, which is 1.28x on its own here.)
 *   <li>{@code ours}: {@code BearerTokens.fresh()}, what every call of a {@link
 *       ResilientHttpClient} with bearer tokens does before attaching the token: the cached
 *       token, or {@code null} once a task on the client's time source has dropped it at its
 *       refresh point: one volatile read (the call then checks it for null). It used to compare
 *       the token's refresh time with the caller's clock reading too: 1.85x the volatile read.
 * </ul>
 *
 * <p>White-box: {@code BearerTokens} is package-private, so this class lives in the http
 * module's package (on the class path), as the module's own white-box tests do. The token is
 * fetched once in {@link #setUp()}, with a lifetime of a day so it stays fresh (its refresh
 * task waits on the system timer, far beyond the run).
 *
 * <p>Run: {@code benchmarks/run TokenReadBenchmark}, or {@code java -jar
 * benchmarks/target/benchmarks.jar TokenReadBenchmark -f 2 -wi 3 -i 5 -r 1s}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class TokenReadBenchmark {

  @Param({"volatile_read", "ours"})
  public String impl;

  private BearerTokens tokens;
  private Holder holder;
  private boolean ours;

  @Setup
  public void setUp() {
    TimeSource time = TimeSource.system();
    tokens = new BearerTokens(
        client -> CompletableFuture.completedFuture(AccessToken.of("token", Duration.ofDays(1))),
        request -> true, Duration.ofSeconds(30), time, new AuthListener() {});
    tokens.refresh(null).join();
    Object token = tokens.fresh();
    if (token == null) {
      throw new IllegalStateException("the token is not fresh");
    }
    holder = new Holder(token);
    ours = impl.equals("ours");
    if (!ours && !impl.equals("volatile_read")) {
      throw new IllegalArgumentException("impl must be volatile_read or ours but was " + impl);
    }
  }

  @Benchmark
  public Object read() {
    return ours ? tokens.fresh() : holder.held;
  }

  /** An object holding the token in a volatile field, as {@code BearerTokens} does. */
  static final class Holder {
    volatile Object held;

    Holder(Object held) {
      this.held = held;
    }
  }
}
