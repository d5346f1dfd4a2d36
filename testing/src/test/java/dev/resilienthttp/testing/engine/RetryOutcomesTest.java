package dev.resilienthttp.testing.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.retry.Retry;
import dev.resilienthttp.retry.RetryContext;
import dev.resilienthttp.retry.RetryExhaustedException;
import dev.resilienthttp.testing.VirtualTime;
import dev.resilienthttp.testing.engine.EnginePath.Outcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How a call ends: exhausted, declined, not retried at all, or with the no-op default. */
class RetryOutcomesTest {

  private final VirtualTime time = VirtualTime.create();
  private final RecordingListener listener = new RecordingListener();
  /** Every failure the scenario's attempts threw, in order. */
  private final List<Throwable> thrown = new CopyOnWriteArrayList<>();

  @AfterEach
  void leaveTheInterruptFlagClear() {
    Thread.interrupted();
  }

  private Retry retry(Retrier retrier) {
    return Retry.builder().retrier(retrier).timeSource(time).listener(listener).build();
  }

  private <X extends Throwable> X thrown(X failure) {
    thrown.add(failure);
    return failure;
  }

  /** A retrier that says yes to everything, even what the engine must never retry. */
  private static Retrier retriesEverything() {
    return new Retrier() {
      @Override
      public int maxAttempts() {
        return 5;
      }

      @Override
      public boolean shouldRetry(RetryContext context, Throwable failure, int attempt) {
        return true;
      }

      @Override
      public Duration delay(RetryContext context, Throwable failure, int attempt) {
        return Duration.ofSeconds(1);
      }
    };
  }

  @BothPaths
  void exhaustionReportsTheLastFailureAsCauseAndTheEarlierOnesAsSuppressed(EnginePath path) {
    Retry retry = retry(FixedDelayRetrier.of(3, Duration.ofMillis(100)));

    Outcome<String> outcome = path.run(retry, time, attempt -> {
      throw thrown(new IOException("boom " + attempt));
    });

    assertThat(outcome.attempts()).isEqualTo(3);
    assertThat(outcome.failure())
        .isExactlyInstanceOf(RetryExhaustedException.class)
        .hasMessage("max retry attempts (3) reached: boom 3");
    RetryExhaustedException exhausted = (RetryExhaustedException) outcome.failure();
    assertThat(exhausted.getCause()).isSameAs(thrown.get(2));
    assertThat(exhausted.getSuppressed()).containsExactly(thrown.get(0), thrown.get(1));
    assertThat(exhausted.attempts()).isEqualTo(3);
    assertThat(exhausted.reason()).isEqualTo(GiveUpReason.MAX_ATTEMPTS);
  }

  @BothPaths
  void everyDistinctEarlierFailureIsSuppressedOldestFirstHoweverMany(EnginePath path) {
    Retry retry = retry(FixedDelayRetrier.of(8, Duration.ofMillis(100)));

    Outcome<String> outcome = path.run(retry, time, attempt -> {
      throw thrown(new IOException("boom " + attempt));
    });

    assertThat(outcome.attempts()).isEqualTo(8);
    assertThat(outcome.failure().getCause()).isSameAs(thrown.get(7));
    assertThat(outcome.failure().getSuppressed()).containsExactlyElementsOf(thrown.subList(0, 7));
  }

  @BothPaths
  void oneInstanceFailingSeveralTimesInARowIsSuppressedOnce(EnginePath path) {
    Retry retry = retry(FixedDelayRetrier.of(6, Duration.ofMillis(100)));
    IOException repeated = new IOException("same instance");
    IOException other = new IOException("another");

    // attempts 1-3 throw `repeated`, 4 `other`, 5 `repeated` again, 6 (the last) `other`
    Outcome<String> outcome = path.run(retry, time, attempt -> {
      throw attempt <= 3 || attempt == 5 ? repeated : other;
    });

    assertThat(outcome.attempts()).isEqualTo(6);
    assertThat(outcome.failure()).hasMessage("max retry attempts (6) reached: another");
    assertThat(outcome.failure().getCause()).isSameAs(other);
    // The run of three is remembered once, and again after `other` broke the run; `other` is the
    // cause, so it is not suppressed as well.
    assertThat(outcome.failure().getSuppressed()).containsExactly(repeated, repeated);
  }

  @BothPaths
  void aCallRethrowingOnePreallocatedFailureGetsItAsCauseAndNothingSuppressed(EnginePath path) {
    Retry retry = retry(FixedDelayRetrier.of(3, Duration.ofMillis(100)));
    UncheckedIOException preallocated = new UncheckedIOException("backend failed", new IOException());

    Outcome<String> outcome = path.run(retry, time, attempt -> {
      throw preallocated;
    });

    assertThat(outcome.attempts()).isEqualTo(3);
    assertThat(outcome.failure()).hasMessage("max retry attempts (3) reached: backend failed");
    assertThat(outcome.failure().getCause()).isSameAs(preallocated);
    assertThat(outcome.failure().getSuppressed()).isEmpty();
    assertThat(preallocated.getSuppressed()).isEmpty();
  }

  @BothPaths
  void theShippedRetriersByDefaultCallAProgrammingErrorOnceAndRethrowItAsItIs(EnginePath path) {
    for (Retrier retrier : List.of(
        dev.resilienthttp.retry.ExponentialBackoffRetrier.ofDefaults(),
        FixedDelayRetrier.of(3, Duration.ofMillis(100)))) {
      NullPointerException bug = new NullPointerException("bug");

      Outcome<String> outcome = path.run(retry(retrier), time, attempt -> {
        throw bug;
      });

      assertThat(outcome.attempts()).as("%s", retrier).isEqualTo(1);
      assertThat(outcome.failure()).isSameAs(bug);
    }
    assertThat(listener.events()).containsExactly(
        "attempt 1 started", "gave up NOT_RETRYABLE after 1 (bug)",
        "attempt 1 started", "gave up NOT_RETRYABLE after 1 (bug)");
    assertThat(path.waits(time)).isEmpty();
  }

  @BothPaths
  void exhaustionNamesTheFailureTypeWhenTheLastFailureHasNoMessage(EnginePath path) {
    Retry retry = retry(FixedDelayRetrier.of(2, Duration.ofMillis(100)));

    Outcome<String> outcome = path.run(retry, time, attempt -> {
      throw new IOException();
    });

    assertThat(outcome.failure()).hasMessage("max retry attempts (2) reached: java.io.IOException");
  }

  @BothPaths
  void aDeclinedFailureIsRethrownUnwrappedWithTheEarlierFailuresSuppressed(EnginePath path) {
    Retry retry = retry(FixedDelayRetrier.of(5, Duration.ofMillis(100))
        .retryIf(failure -> failure instanceof IllegalStateException));

    Outcome<String> outcome = path.run(retry, time, attempt -> {
      if (attempt == 1) {
        throw thrown(new IllegalStateException("transient"));
      }
      throw thrown(new IOException("permanent"));
    });

    assertThat(outcome.attempts()).isEqualTo(2);
    assertThat(outcome.failure()).isSameAs(thrown.get(1));
    assertThat(outcome.failure().getSuppressed()).containsExactly(thrown.get(0));
    assertThat(listener.events()).last().isEqualTo("gave up NOT_RETRYABLE after 2 (permanent)");
  }

  @BothPaths
  void aFailureDeclinedAtOnceIsRethrownAsItIs(EnginePath path) {
    Retry retry = retry(FixedDelayRetrier.of(5, Duration.ofMillis(100))
        .retryIf(failure -> failure instanceof IllegalStateException));

    Outcome<String> outcome = path.run(retry, time, attempt -> {
      throw thrown(new UncheckedIOException(new IOException("disk")));
    });

    assertThat(outcome.attempts()).isEqualTo(1);
    assertThat(outcome.failure()).isSameAs(thrown.get(0));
    assertThat(outcome.failure().getSuppressed()).isEmpty();
    assertThat(path.waits(time)).isEmpty();
  }

  @Test
  void aSynchronousCallRethrowsTheCallsOwnCheckedExceptionType() {
    Retry retry = retry(FixedDelayRetrier.of(3, Duration.ofMillis(100))
        .retryIf(failure -> failure instanceof IllegalStateException));
    IOException declined = new IOException("not found");

    // Compiles only because call(...) infers E = IOException from the lambda: no catch (Exception).
    class Repository {
      String read() throws IOException {
        throw declined;
      }

      String fetch() throws IOException {
        return retry.call(() -> read());
      }
    }

    assertThatThrownBy(new Repository()::fetch).isSameAs(declined);
  }

  @BothPaths
  void withNothingConfiguredAFailingCallMakesExactlyOneAttempt(EnginePath path) {
    Retry retry = Retry.builder().timeSource(time).listener(listener).build();

    Outcome<String> outcome = path.run(retry, time, attempt -> {
      throw thrown(new IOException("boom"));
    });

    assertThat(outcome.attempts()).isEqualTo(1);
    assertThat(outcome.failure()).isSameAs(thrown.get(0));
    assertThat(path.waits(time)).isEmpty();
    assertThat(time.elapsed()).isZero();
  }

  @BothPaths
  void withNothingConfiguredASucceedingCallMakesExactlyOneAttempt(EnginePath path) {
    Retry retry = Retry.builder().timeSource(time).build();

    Outcome<String> outcome = path.run(retry, time, attempt -> "ok");

    assertThat(outcome.value()).isEqualTo("ok");
    assertThat(outcome.attempts()).isEqualTo(1);
  }

  @BothPaths
  void theNoOpRetrierMakesExactlyOneAttemptWhateverTheFailure(EnginePath path) {
    Retry retry = Retry.builder().retrier(Retrier.none()).timeSource(time).build();

    for (Throwable failure : List.of(new IOException("io"), new IllegalStateException("state"),
        new AssertionError("error"))) {
      Outcome<String> outcome = path.run(retry, time, attempt -> {
        throw sneaky(failure);
      });
      assertThat(outcome.attempts()).isEqualTo(1);
      assertThat(outcome.failure()).isSameAs(failure);
    }
    assertThat(time.elapsed()).isZero();
  }

  @BothPaths
  void anInterruptionIsNeverRetriedWhateverTheRetrierSays(EnginePath path) {
    Retry retry = retry(retriesEverything());

    Outcome<String> outcome = path.run(retry, time, attempt -> {
      throw thrown(new InterruptedException("stop"));
    });

    assertThat(outcome.attempts()).isEqualTo(1);
    assertThat(outcome.failure()).isSameAs(thrown.get(0));
    assertThat(path.waits(time)).isEmpty();
    assertThat(listener.events()).containsExactly("attempt 1 started", "gave up CANCELLED after 1 (stop)");
  }

  @BothPaths
  void aCancellationIsNeverRetriedWhateverTheRetrierSays(EnginePath path) {
    Retry retry = retry(retriesEverything());

    Outcome<String> outcome = path.run(retry, time, attempt -> {
      if (attempt == 1) {
        throw thrown(new IOException("boom"));
      }
      throw thrown(new CancellationException("cancelled"));
    });

    assertThat(outcome.attempts()).isEqualTo(2);
    assertThat(outcome.failure()).isSameAs(thrown.get(1));
    assertThat(outcome.failure().getSuppressed()).containsExactly(thrown.get(0));
    assertThat(listener.events()).last().isEqualTo("gave up CANCELLED after 2 (cancelled)");
  }

  @BothPaths
  void aRetrierThatThrowsFailsTheCallWithItsException(EnginePath path) {
    IllegalStateException broken = new IllegalStateException("retrier bug");
    Retry retry = retry(new Retrier() {
      @Override
      public int maxAttempts() {
        return 3;
      }

      @Override
      public boolean shouldRetry(RetryContext context, Throwable failure, int attempt) {
        throw broken;
      }

      @Override
      public Duration delay(RetryContext context, Throwable failure, int attempt) {
        return Duration.ZERO;
      }
    });

    Outcome<String> outcome = path.run(retry, time, attempt -> {
      throw new IOException("boom");
    });

    assertThat(outcome.attempts()).isEqualTo(1);
    assertThat(outcome.failure()).isSameAs(broken);
  }

  @BothPaths
  void aZeroTimeoutIsRejectedNamingTheValueAndTheRange(EnginePath path) {
    Retry retry = retry(retriesEverything());

    Outcome<String> outcome = path.run(retry, time, Duration.ZERO, attempt -> "never");

    assertThat(outcome.attempts()).isZero();
    assertThat(outcome.failure())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be in (0, PT2562047H47M16.854775807S] but was PT0S");
  }

  @SuppressWarnings("unchecked")
  private static <X extends Throwable> X sneaky(Throwable failure) throws X {
    throw (X) failure;
  }
}
