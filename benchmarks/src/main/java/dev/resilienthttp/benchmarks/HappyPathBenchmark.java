package dev.resilienthttp.benchmarks;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.budget.RetryBudget;
import dev.resilienthttp.retry.CheckedSupplier;
import dev.resilienthttp.retry.FixedDelayRetrier;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * B1, the happy path: retry + circuit breaker (+ retry budget, ours only) wrapped around a call
 * that succeeds, costing {@code Blackhole.consumeCPU(tokens)}. Metric: ns/op above {@code bare},
 * and B/op with {@code -prof gc}. Targets: our overhead at most 0.5x Resilience4j's, 0.25x
 * Failsafe's and 1.5x the floor's; 0 B/op.
 *
 * <p>Every variant is built once in {@link #setUp()} as a {@code Supplier}; the benchmark calls
 * only that, so each fork (one per parameter combination) sees one implementation.
 *
 * <ul>
 *   <li>{@code bare}: the call alone.
 *   <li>{@code floor}: the least the work needs, written by hand: one volatile read (is the
 *       breaker open?), one {@code System.nanoTime()} (when the call started, as a retry
 *       deadline needs), the call, one atomic counter increment (the outcome, counted as a
 *       breaker shared between threads must).
 *   <li>{@code ours}: {@link Composed}: breaker permission and outcome around the attempt,
 *       {@code Retry.call} with a 3-attempt {@link FixedDelayRetrier}, the engine paying retries
 *       from the budget and crediting the first-attempt success to it ({@code
 *       Retry.Builder.retryBudget}).
 *   <li>{@code resilience4j}: {@code Retry.decorateSupplier(retry, CircuitBreaker
 *       .decorateSupplier(breaker, call))} decorated once.
 *   <li>{@code failsafe}: {@code Failsafe.with(retryPolicy, circuitBreaker)}, the executor built
 *       once, {@code executor.get(call)} per op.
 * </ul>
 *
 * <p>Fair configuration: every retry allows 3 attempts with a 100 ms fixed delay (never used
 * here). Every breaker opens at 50 % failures over a count window of 20 calls once 10 were
 * recorded (Failsafe's count-based equivalent: 10 failures out of the last 20), stays open 30 s
 * and closes after 1 successful probe; Resilience4j and Failsafe have no retry budget, so they do
 * slightly less work than ours. No listeners or event consumers are registered anywhere.
 *
 * <p>Run: {@code benchmarks/run HappyPathBenchmark} (builds the jar, prints the report), or {@code java -jar
 * benchmarks/target/benchmarks.jar HappyPathBenchmark -prof gc}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class HappyPathBenchmark {

  static final int ATTEMPTS = 3;
  static final Duration DELAY = Duration.ofMillis(100);
  static final Object RESULT = new Object();

  @Param({"bare", "floor", "ours", "resilience4j", "failsafe"})
  public String impl;

  @Param({"0", "100"})
  public int tokens;

  private Supplier<Object> subject;

  // The floor's state: a breaker flag and an outcome counter.
  private volatile boolean floorOpen;
  private final AtomicLong floorCalls = new AtomicLong();

  @Setup
  public void setUp() {
    int work = tokens;
    Supplier<Object> call = () -> {
      Blackhole.consumeCPU(work);
      return RESULT;
    };
    subject = build(impl, call);
  }

  private Supplier<Object> build(String impl, Supplier<Object> call) {
    switch (impl) {
      case "bare":
        return call;
      case "floor":
        return () -> {
          if (floorOpen) {
            throw new IllegalStateException("open");
          }
          long start = System.nanoTime();
          Object result = call.get();
          floorCalls.incrementAndGet();
          return start == 0 ? null : result;
        };
      case "ours": {
        Composed composed = new Composed(
            FixedDelayRetrier.of(ATTEMPTS, DELAY),
            dev.resilienthttp.time.TimeSource.system(),
            oursBreaker(),
            RetryBudget.ofDefaults());
        CheckedSupplier<Object, RuntimeException> guarded = composed.guard(call);
        return () -> composed.call(guarded);
      }
      case "resilience4j":
        return io.github.resilience4j.retry.Retry.decorateSupplier(
            r4jRetry(),
            io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateSupplier(r4jBreaker(), call));
      case "failsafe": {
        FailsafeExecutor<Object> executor = Failsafe.with(failsafeRetry(), failsafeBreaker());
        dev.failsafe.function.CheckedSupplier<Object> checked = call::get;
        return () -> executor.get(checked);
      }
      default:
        throw new IllegalArgumentException("impl must be one of the @Param values but was " + impl);
    }
  }

  @Benchmark
  public Object call() {
    return subject.get();
  }

  static CircuitBreaker oursBreaker() {
    return CircuitBreaker.builder("bench")
        .failureRateThreshold(50)
        .slidingWindowSize(20)
        .minimumNumberOfCalls(10)
        .openDuration(Duration.ofSeconds(30))
        .halfOpenProbes(1)
        .build();
  }

  static io.github.resilience4j.retry.Retry r4jRetry() {
    return io.github.resilience4j.retry.Retry.of("bench",
        RetryConfig.custom().maxAttempts(ATTEMPTS).waitDuration(DELAY).build());
  }

  static io.github.resilience4j.circuitbreaker.CircuitBreaker r4jBreaker() {
    return io.github.resilience4j.circuitbreaker.CircuitBreaker.of("bench",
        CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(20)
            .minimumNumberOfCalls(10)
            .failureRateThreshold(50)
            .waitDurationInOpenState(Duration.ofSeconds(30))
            .permittedNumberOfCallsInHalfOpenState(1)
            .build());
  }

  static dev.failsafe.RetryPolicy<Object> failsafeRetry() {
    return dev.failsafe.RetryPolicy.builder().withMaxAttempts(ATTEMPTS).withDelay(DELAY).build();
  }

  static dev.failsafe.CircuitBreaker<Object> failsafeBreaker() {
    return dev.failsafe.CircuitBreaker.builder()
        .withFailureThreshold(10, 20)
        .withDelay(Duration.ofSeconds(30))
        .withSuccessThreshold(1)
        .build();
  }
}
