package dev.resilienthttp.testing.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.retry.Retry;
import dev.resilienthttp.retry.RetryContext;
import dev.resilienthttp.retry.RetryDecision;
import dev.resilienthttp.retry.RetryExhaustedException;
import dev.resilienthttp.testing.VirtualTime;
import dev.resilienthttp.testing.engine.EnginePath.Outcome;
import dev.resilienthttp.time.TimeSource;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;

/**
 * The two custom retriers users asked for, written as a user would, and run through the engine
 * in virtual time on both paths.
 */
class CustomRetrierExamplesTest {

  private final VirtualTime time = VirtualTime.create();
  private final RecordingListener listener = new RecordingListener();

  /**
   * Example 1: retry I/O failures after a fixed 250 ms, four attempts in all. A retrier only
   * answers; the engine does the waiting.
   */
  static final class FixedDelayOnIoFailures implements Retrier {
    @Override
    public int maxAttempts() {
      return 4;
    }

    @Override
    public boolean shouldRetry(RetryContext context, Throwable failure, int attempt) {
      return failure instanceof IOException;
    }

    @Override
    public Duration delay(RetryContext context, Throwable failure, int attempt) {
      return Duration.ofMillis(250);
    }
  }

  /**
   * A circuit breaker small enough to read at a glance: three failures in a row open it for
   * 30 s, and each failure after that (a probe once it has cooled down) opens it for 30 s
   * more; a success closes it. Thread-safe.
   */
  static final class TinyCircuitBreaker {
    private static final int FAILURES_TO_OPEN = 3;
    private static final long OPEN_FOR_NANOS = Duration.ofSeconds(30).toNanos();

    private final TimeSource time;
    private int failuresInARow;
    private boolean opened;
    private long openedAt;

    TinyCircuitBreaker(TimeSource time) {
      this.time = time;
    }

    synchronized void recordSuccess() {
      failuresInARow = 0;
      opened = false;
    }

    synchronized void recordFailure() {
      failuresInARow++;
      if (failuresInARow >= FAILURES_TO_OPEN) {
        opened = true;
        openedAt = time.nanoTime();
      }
    }

    synchronized boolean isOpen() {
      return opened && time.nanoTime() - openedAt < OPEN_FOR_NANOS;
    }
  }

  /**
   * Example 2: retry like any backoff retrier, but refuse to retry while the breaker is open,
   * giving up with {@link GiveUpReason#CIRCUIT_OPEN} instead of hammering a backend that is down.
   */
  static final class BreakerAwareRetrier implements Retrier {
    private final TinyCircuitBreaker breaker;

    BreakerAwareRetrier(TinyCircuitBreaker breaker) {
      this.breaker = breaker;
    }

    @Override
    public int maxAttempts() {
      return 5;
    }

    @Override
    public boolean shouldRetry(RetryContext context, Throwable failure, int attempt) {
      return failure instanceof IOException;
    }

    @Override
    public Duration delay(RetryContext context, Throwable failure, int attempt) {
      return Duration.ofSeconds(1);
    }

    @Override
    public RetryDecision decide(RetryContext context, Throwable failure, int attempt) {
      if (breaker.isOpen()) {
        return RetryDecision.giveUp(GiveUpReason.CIRCUIT_OPEN, "circuit open, not retrying");
      }
      return Retrier.super.decide(context, failure, attempt);
    }
  }

  /** A backend that fails while told to, feeding the breaker as it goes. */
  static final class Backend {
    private final TinyCircuitBreaker breaker;
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger failuresLeft = new AtomicInteger();

    Backend(TinyCircuitBreaker breaker) {
      this.breaker = breaker;
    }

    /** Makes the next {@code failures} calls fail. */
    Backend failNext(int failures) {
      failuresLeft.set(failures);
      return this;
    }

    String call() throws IOException {
      int call = calls.incrementAndGet();
      if (failuresLeft.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
        breaker.recordFailure();
        throw new IOException("backend down (call " + call + ")");
      }
      breaker.recordSuccess();
      return "stock: 7";
    }

    int calls() {
      return calls.get();
    }
  }

  private Retry retry(Retrier retrier) {
    return Retry.builder().retrier(retrier).timeSource(time).listener(listener).build();
  }

  @Nested
  class FixedDelay {

    private final Retry retry = retry(new FixedDelayOnIoFailures());

    @BothPaths
    void retriesIoFailures250msApart(EnginePath path) {
      Outcome<String> outcome = path.run(retry, time, attempt -> {
        if (attempt < 3) {
          throw new IOException("timeout " + attempt);
        }
        return "ok";
      });

      assertThat(outcome.value()).isEqualTo("ok");
      assertThat(listener.delays()).containsExactly(Duration.ofMillis(250), Duration.ofMillis(250));
      assertThat(time.elapsed()).isEqualTo(Duration.ofMillis(500));
    }

    @BothPaths
    void givesUpAfterFourAttempts(EnginePath path) {
      Outcome<String> outcome = path.run(retry, time, attempt -> {
        throw new IOException("timeout " + attempt);
      });

      assertThat(outcome.attempts()).isEqualTo(4);
      assertThat(outcome.failure()).hasMessage("max retry attempts (4) reached: timeout 4");
      assertThat(time.elapsed()).isEqualTo(Duration.ofMillis(750));
    }

    @BothPaths
    void leavesOtherFailuresAlone(EnginePath path) {
      IllegalArgumentException bug = new IllegalArgumentException("bad request");

      Outcome<String> outcome = path.run(retry, time, attempt -> {
        throw bug;
      });

      assertThat(outcome.attempts()).isEqualTo(1);
      assertThat(outcome.failure()).isSameAs(bug);
    }
  }

  @Nested
  class CircuitBreakerAware {

    private final TinyCircuitBreaker breaker = new TinyCircuitBreaker(time);
    private final Retry retry = retry(new BreakerAwareRetrier(breaker));

    @BothPaths
    void retriesNormallyWhileTheBreakerIsClosed(EnginePath path) {
      Backend backend = new Backend(breaker).failNext(2);

      Outcome<String> outcome = path.run(retry, time, attempt -> backend.call());

      assertThat(outcome.value()).isEqualTo("stock: 7");
      assertThat(outcome.attempts()).isEqualTo(3);
      assertThat(breaker.isOpen()).isFalse();
    }

    @BothPaths
    void stopsRetryingOnceItsBreakerOpens(EnginePath path) {
      Backend backend = new Backend(breaker).failNext(Integer.MAX_VALUE);

      Outcome<String> outcome = path.run(retry, time, attempt -> backend.call());

      // The third failure in a row opens the breaker: no fourth and fifth attempt.
      assertThat(outcome.attempts()).isEqualTo(3);
      assertThat(outcome.failure()).isExactlyInstanceOf(RetryExhaustedException.class)
          .hasMessage("circuit open, not retrying: backend down (call 3)");
      assertThat(((RetryExhaustedException) outcome.failure()).reason()).isEqualTo(GiveUpReason.CIRCUIT_OPEN);
      assertThat(time.elapsed()).isEqualTo(Duration.ofSeconds(2));
    }

    @BothPaths
    void whileOpenACallGetsOneAttemptAndNoRetry(EnginePath path) {
      Backend backend = new Backend(breaker).failNext(Integer.MAX_VALUE);
      path.run(retry, time, attempt -> backend.call()); // opens the breaker
      Duration openedAfter = time.elapsed();

      Outcome<String> whileOpen = path.run(retry, time, attempt -> backend.call());

      assertThat(whileOpen.attempts()).isEqualTo(1);
      assertThat(((RetryExhaustedException) whileOpen.failure()).reason()).isEqualTo(GiveUpReason.CIRCUIT_OPEN);
      assertThat(time.elapsed()).as("no wait while open").isEqualTo(openedAfter);
    }

    @BothPaths
    void retriesAgainOnceTheBreakerHasCooledDownAndAProbeSucceeded(EnginePath path) {
      Backend backend = new Backend(breaker).failNext(Integer.MAX_VALUE);
      path.run(retry, time, attempt -> backend.call()); // opens the breaker
      time.advance(Duration.ofSeconds(30));
      backend.failNext(0); // the backend is back

      Outcome<String> probe = path.run(retry, time, attempt -> backend.call());
      assertThat(probe.value()).isEqualTo("stock: 7");
      assertThat(breaker.isOpen()).isFalse();

      backend.failNext(2); // a transient blip: retried as usual again
      Outcome<String> afterRecovery = path.run(retry, time, attempt -> backend.call());
      assertThat(afterRecovery.value()).isEqualTo("stock: 7");
      assertThat(afterRecovery.attempts()).isEqualTo(3);
    }

    @BothPaths
    void aFailedProbeOpensTheBreakerAgainAtOnce(EnginePath path) {
      Backend backend = new Backend(breaker).failNext(Integer.MAX_VALUE);
      path.run(retry, time, attempt -> backend.call()); // opens the breaker
      time.advance(Duration.ofSeconds(30));
      int callsBefore = backend.calls();

      Outcome<String> probe = path.run(retry, time, attempt -> backend.call());

      assertThat(backend.calls() - callsBefore).isEqualTo(1);
      assertThat(((RetryExhaustedException) probe.failure()).reason()).isEqualTo(GiveUpReason.CIRCUIT_OPEN);
    }
  }
}
