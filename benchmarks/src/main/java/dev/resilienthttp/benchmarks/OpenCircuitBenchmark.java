package dev.resilienthttp.benchmarks;

import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.resilienthttp.breaker.CallNotPermittedException;
import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.budget.RetryBudget;
import dev.resilienthttp.retry.CheckedSupplier;
import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.time.TimeSource;
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

/**
 * B2, the open circuit: a call made while the breaker is open, rejected without running. The
 * benchmark returns what the caller gets (the rejection). Metric: ns/op, and B/op with {@code
 * -prof gc}. Targets: ours at most 0.05x Resilience4j's and Failsafe's defaults (they fill in a
 * stack trace), and at most 2x the floor.
 *
 * <ul>
 *   <li>{@code floor}: one volatile read (open?), one {@code System.nanoTime()} (how long until
 *       the next probe), one atomic increment (a rejection counter), and a preallocated
 *       rejection returned.
 *   <li>{@code ours}: the breaker-guarded call of {@link Composed#guard}: {@code
 *       acquirePermission()} throws a {@link CallNotPermittedException} (no stack trace; its
 *       message is formatted only if read), caught and returned.
 *   <li>{@code ours_try}: the breaker's exception-free API: {@code tryAcquirePermission()}
 *       returns {@code false} and a preallocated rejection is returned, as in the floor.
 *   <li>{@code ours_retry}: the whole {@link Composed} stack of B1 (retry + breaker + budget):
 *       the engine sees the refusal and rethrows it without retrying.
 *   <li>{@code resilience4j}: {@code CircuitBreaker.decorateSupplier(breaker, call)}; its default
 *       {@code CallNotPermittedException} has a writable stack trace.
 *   <li>{@code failsafe}: {@code Failsafe.with(circuitBreaker).get(call)}; its {@code
 *       CircuitBreakerOpenException} has a stack trace.
 * </ul>
 *
 * <p>Fair configuration: the breakers of B1 (50 % over 20 calls, at least 10, open 30 s), each
 * forced open in {@link #setUp()} and left open (30 s is longer than a fork's measurement) —
 * no state change happens while measuring. No listeners or event consumers.
 *
 * <p>Run: {@code benchmarks/run OpenCircuitBenchmark} (builds the jar, prints the report), or {@code java -jar
 * benchmarks/target/benchmarks.jar OpenCircuitBenchmark -prof gc}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class OpenCircuitBenchmark {

  static final Object RESULT = new Object();

  @Param({"floor", "ours", "ours_try", "ours_retry", "resilience4j", "failsafe"})
  public String impl;

  private Supplier<Object> subject;

  private volatile boolean floorOpen = true;
  private volatile long floorProbeAt;
  private final AtomicLong floorRejections = new AtomicLong();
  private static final Object FLOOR_REJECTION = new Object();

  @Setup
  public void setUp() {
    Supplier<Object> call = () -> RESULT;
    floorProbeAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    subject = build(impl, call);
    Object outcome = subject.get();
    if (outcome == RESULT) {
      throw new IllegalStateException(impl + ": the breaker did not reject the call");
    }
  }

  private Supplier<Object> build(String impl, Supplier<Object> call) {
    switch (impl) {
      case "floor":
        return () -> {
          if (floorOpen) {
            floorRejections.incrementAndGet();
            long untilProbe = floorProbeAt - System.nanoTime();
            return untilProbe == Long.MIN_VALUE ? null : FLOOR_REJECTION;
          }
          return call.get();
        };
      case "ours":
      case "ours_try":
      case "ours_retry": {
        CircuitBreaker breaker = HappyPathBenchmark.oursBreaker();
        for (int i = 0; i < 10; i++) {
          breaker.tryAcquirePermission();
          breaker.onFailure();
        }
        Composed composed = new Composed(
            FixedDelayRetrier.of(HappyPathBenchmark.ATTEMPTS, HappyPathBenchmark.DELAY),
            TimeSource.system(), breaker, RetryBudget.ofDefaults());
        CheckedSupplier<Object, RuntimeException> guarded = composed.guard(call);
        if (impl.equals("ours_try")) {
          return () -> breaker.tryAcquirePermission() ? call.get() : FLOOR_REJECTION;
        }
        if (impl.equals("ours")) {
          return () -> {
            try {
              return guarded.get();
            } catch (CallNotPermittedException rejected) {
              return rejected;
            }
          };
        }
        return () -> {
          try {
            return composed.call(guarded);
          } catch (CallNotPermittedException rejected) {
            return rejected;
          }
        };
      }
      case "resilience4j": {
        io.github.resilience4j.circuitbreaker.CircuitBreaker breaker =
            HappyPathBenchmark.r4jBreaker();
        breaker.transitionToOpenState();
        Supplier<Object> decorated =
            io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateSupplier(breaker, call);
        return () -> {
          try {
            return decorated.get();
          } catch (io.github.resilience4j.circuitbreaker.CallNotPermittedException rejected) {
            return rejected;
          }
        };
      }
      case "failsafe": {
        dev.failsafe.CircuitBreaker<Object> breaker = HappyPathBenchmark.failsafeBreaker();
        breaker.open();
        FailsafeExecutor<Object> executor = Failsafe.with(breaker);
        dev.failsafe.function.CheckedSupplier<Object> checked = call::get;
        return () -> {
          try {
            return executor.get(checked);
          } catch (CircuitBreakerOpenException rejected) {
            return rejected;
          }
        };
      }
      default:
        throw new IllegalArgumentException("impl must be one of the @Param values but was " + impl);
    }
  }

  @Benchmark
  public Object reject() {
    return subject.get();
  }
}
