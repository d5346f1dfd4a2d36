package dev.resilienthttp.benchmarks;

import dev.resilienthttp.breaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * B3, contended breaker recording: 2 threads share one closed breaker; each op asks permission
 * and records an outcome, every other op of each thread a failure (50 %). Metric: ops/us
 * (throughput mode) and p99.9 (sample mode). Targets: ours at least 2x Resilience4j's default
 * count-based window (it is {@code synchronized}) and 3x Failsafe's.
 *
 * <ul>
 *   <li>{@code floor}: one volatile read (open?) and one atomic increment per outcome (calls, and
 *       failures too on a failure): the least a shared lock-free counter needs.
 *   <li>{@code ours}: {@code tryAcquirePermission()}, then {@code onSuccess()} or {@code
 *       onFailure()}.
 *   <li>{@code resilience4j}: {@code tryAcquirePermission()}, then {@code onSuccess(0, NANOSECONDS)}
 *       or {@code onError(0, NANOSECONDS, failure)} with a preallocated failure.
 *   <li>{@code failsafe}: {@code tryAcquirePermit()}, then {@code recordSuccess()} or {@code
 *       recordFailure()}.
 * </ul>
 *
 * <p>Fair configuration: every breaker keeps the last 20 outcomes and would open only at 100 %
 * failures (Failsafe: 20 failures of the last 20), so with two threads alternating outcomes it
 * stays closed and all of them measure recording, not transitions; ours has no consecutive-failure
 * rule in effect (threshold {@code Integer.MAX_VALUE}, which the run counter still holds: a window of
 * 20 with any threshold takes ours's one-long closed path, one compare-and-set per outcome). No
 * listeners or event consumers.
 *
 * <p>Run: {@code benchmarks/run ContendedBreakerBenchmark} (builds the jar, prints the report), or {@code java -jar
 * benchmarks/target/benchmarks.jar ContendedBreakerBenchmark -prof gc}
 */
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(2)
@State(Scope.Benchmark)
public class ContendedBreakerBenchmark {

  static final RuntimeException FAILURE = new IllegalStateException("backend failed");

  @Param({"floor", "ours", "resilience4j", "failsafe"})
  public String impl;

  /** One thread's alternation of outcomes, and a check that its breaker never refused. */
  @State(Scope.Thread)
  public static class Outcomes {
    boolean fail;
    long refused;

    boolean next() {
      fail = !fail;
      return fail;
    }

    @TearDown
    public void check() {
      if (refused != 0) {
        throw new IllegalStateException(
            "the breaker opened and refused " + refused + " calls: the benchmark measured transitions");
      }
    }
  }

  private Recorder recorder;

  /** Asks permission and records one outcome. */
  interface Recorder {
    boolean record(boolean failure);
  }

  @Setup
  public void setUp() {
    recorder = build(impl);
  }

  private static Recorder build(String impl) {
    switch (impl) {
      case "floor": {
        AtomicLong calls = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        return new Recorder() {
          volatile boolean isOpen;

          @Override
          public boolean record(boolean failure) {
            if (isOpen) {
              return false;
            }
            calls.incrementAndGet();
            if (failure) {
              failures.incrementAndGet();
            }
            return true;
          }
        };
      }
      case "ours": {
        CircuitBreaker breaker = CircuitBreaker.builder("bench")
            .consecutiveFailureThreshold(Integer.MAX_VALUE)
            .failureRateThreshold(100)
            .slidingWindowSize(20)
            .minimumNumberOfCalls(20)
            .openDuration(Duration.ofSeconds(30))
            .build();
        return failure -> {
          if (!breaker.tryAcquirePermission()) {
            return false;
          }
          if (failure) {
            breaker.onFailure();
          } else {
            breaker.onSuccess();
          }
          return true;
        };
      }
      case "resilience4j": {
        io.github.resilience4j.circuitbreaker.CircuitBreaker breaker =
            io.github.resilience4j.circuitbreaker.CircuitBreaker.of("bench",
                CircuitBreakerConfig.custom()
                    .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                    .slidingWindowSize(20)
                    .minimumNumberOfCalls(20)
                    .failureRateThreshold(100)
                    .waitDurationInOpenState(Duration.ofSeconds(30))
                    .build());
        return failure -> {
          if (!breaker.tryAcquirePermission()) {
            return false;
          }
          if (failure) {
            breaker.onError(0, TimeUnit.NANOSECONDS, FAILURE);
          } else {
            breaker.onSuccess(0, TimeUnit.NANOSECONDS);
          }
          return true;
        };
      }
      case "failsafe": {
        dev.failsafe.CircuitBreaker<Object> breaker = dev.failsafe.CircuitBreaker.builder()
            .withFailureThreshold(20, 20)
            .withDelay(Duration.ofSeconds(30))
            .build();
        return failure -> {
          if (!breaker.tryAcquirePermit()) {
            return false;
          }
          if (failure) {
            breaker.recordFailure();
          } else {
            breaker.recordSuccess();
          }
          return true;
        };
      }
      default:
        throw new IllegalArgumentException("impl must be one of the @Param values but was " + impl);
    }
  }

  @Benchmark
  public void record(Outcomes outcomes) {
    if (!recorder.record(outcomes.next())) {
      outcomes.refused++;
    }
  }
}
