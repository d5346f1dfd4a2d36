package dev.resilienthttp.benchmarks;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.resilienthttp.retry.CheckedSupplier;
import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.internal.RetryImpl;
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

/**
 * B4, retrying a failing call: every attempt throws the same preallocated exception (so the
 * call itself costs next to nothing and allocates nothing), 3 attempts in all, zero delay: each
 * delay is computed and the wait skipped. The benchmark returns what the caller gets. Metric:
 * ns/op (the report divides by 3 for ns per attempt), and B/op with {@code -prof gc}. Targets:
 * ours at most 0.5x Resilience4j and 0.3x Failsafe.
 *
 * <ul>
 *   <li>{@code floor}: a hand-written loop of 3 attempts, each followed by one volatile read
 *       (may it retry?), one {@code System.nanoTime()} and one atomic increment (attempts
 *       counted); the last failure is returned.
 *   <li>{@code ours}: {@code Retry} with {@code FixedDelayRetrier.of(3, Duration.ZERO)} and a
 *       time source whose {@code sleep} returns at once; the caller gets a {@code
 *       RetryExhaustedException} (message {@code max retry attempts (3) reached: ...}, the last
 *       failure as cause).
 *   <li>{@code resilience4j}: {@code Retry} with {@code maxAttempts(3)}, {@code
 *       waitDuration(Duration.ZERO)}, and its sleep hook {@code RetryImpl.setSleepFunction}
 *       set to do nothing; it rethrows the last failure itself.
 *   <li>{@code failsafe}: {@code RetryPolicy} with {@code withMaxAttempts(3)} and no delay; it
 *       rethrows the last failure itself. Failsafe has no hook to skip its synchronous wait:
 *       it calls {@code Thread.sleep(0)} between attempts, which is part of its cost here.
 * </ul>
 *
 * <p>Every peer retries every exception. No listeners or event consumers.
 *
 * <p>Run: {@code benchmarks/run RetryFailingBenchmark} (builds the jar, prints the report), or {@code java -jar
 * benchmarks/target/benchmarks.jar RetryFailingBenchmark -prof gc}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class RetryFailingBenchmark {

  static final int ATTEMPTS = 3;
  static final RuntimeException FAILURE = new IllegalStateException("backend failed");

  @Param({"floor", "ours", "resilience4j", "failsafe"})
  public String impl;

  private Supplier<Object> subject;

  private volatile boolean floorRetryable = true;
  private final AtomicLong floorAttempts = new AtomicLong();

  @Setup
  public void setUp() {
    Supplier<Object> call = () -> {
      throw FAILURE;
    };
    subject = build(impl, call);
    Object outcome = subject.get();
    if (!(outcome instanceof RuntimeException)) {
      throw new IllegalStateException(impl + ": expected a failure but got " + outcome);
    }
  }

  private Supplier<Object> build(String impl, Supplier<Object> call) {
    switch (impl) {
      case "floor":
        return () -> {
          RuntimeException last = null;
          for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
              return call.get();
            } catch (RuntimeException failure) {
              last = failure;
            }
            if (!floorRetryable) {
              break;
            }
            long now = System.nanoTime();
            if (floorAttempts.incrementAndGet() == now) {
              break;
            }
          }
          return last;
        };
      case "ours": {
        Retry retry = Retry.builder()
            .retrier(FixedDelayRetrier.of(ATTEMPTS, Duration.ZERO))
            .timeSource(NoWaitTimeSource.INSTANCE)
            .build();
        CheckedSupplier<Object, RuntimeException> checked = call::get;
        return () -> {
          try {
            return retry.call(checked);
          } catch (RuntimeException exhausted) {
            return exhausted;
          }
        };
      }
      case "resilience4j": {
        RetryImpl.setSleepFunction(millis -> { });
        Supplier<Object> decorated = io.github.resilience4j.retry.Retry.decorateSupplier(
            io.github.resilience4j.retry.Retry.of("bench",
                RetryConfig.custom().maxAttempts(ATTEMPTS).waitDuration(Duration.ZERO).build()),
            call);
        return () -> {
          try {
            return decorated.get();
          } catch (RuntimeException last) {
            return last;
          }
        };
      }
      case "failsafe": {
        FailsafeExecutor<Object> executor = Failsafe.with(
            dev.failsafe.RetryPolicy.builder().withMaxAttempts(ATTEMPTS).build());
        dev.failsafe.function.CheckedSupplier<Object> checked = call::get;
        return () -> {
          try {
            return executor.get(checked);
          } catch (RuntimeException last) {
            return last;
          }
        };
      }
      default:
        throw new IllegalArgumentException("impl must be one of the @Param values but was " + impl);
    }
  }

  @Benchmark
  public Object retryFailing() {
    return subject.get();
  }
}
