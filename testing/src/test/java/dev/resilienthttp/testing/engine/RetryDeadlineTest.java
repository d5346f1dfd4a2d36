package dev.resilienthttp.testing.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.retry.Retry;
import dev.resilienthttp.retry.RetryContext;
import dev.resilienthttp.retry.RetryExhaustedException;
import dev.resilienthttp.testing.VirtualTime;
import dev.resilienthttp.testing.engine.EnginePath.Outcome;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A call with a timeout has a deadline: the engine never starts a wait that would end after it,
 * never retries once it has passed, and says so.
 */
class RetryDeadlineTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  private final VirtualTime time = VirtualTime.create();
  private final RecordingListener listener = new RecordingListener();

  private Retry retry(Retrier retrier) {
    return Retry.builder().retrier(retrier).timeSource(time).listener(listener).build();
  }

  private static RetryExhaustedException exhausted(Outcome<?> outcome) {
    assertThat(outcome.failure()).isExactlyInstanceOf(RetryExhaustedException.class);
    return (RetryExhaustedException) outcome.failure();
  }

  /** A retrier that always says yes, waiting {@code delay}; only the deadline stops it. */
  private static Retrier retriesEverything(Duration delay) {
    return new Retrier() {
      @Override
      public int maxAttempts() {
        return 1_000;
      }

      @Override
      public boolean shouldRetry(RetryContext context, Throwable failure, int attempt) {
        return true;
      }

      @Override
      public Duration delay(RetryContext context, Throwable failure, int attempt) {
        return delay;
      }
    };
  }

  @BothPaths
  void aWaitThatWouldEndAfterTheDeadlineIsNotStartedAndTheCallGivesUpAtOnce(EnginePath path) {
    Retry retry = retry(FixedDelayRetrier.of(5, Duration.ofSeconds(2)));

    Outcome<String> outcome = path.run(retry, time, TIMEOUT, attempt -> {
      throw new IOException("boom " + attempt);
    });

    RetryExhaustedException exhausted = exhausted(outcome);
    assertThat(exhausted.reason()).isEqualTo(GiveUpReason.DEADLINE);
    assertThat(exhausted)
        .hasMessage("deadline of 1 s would pass before attempt 2 (wait 2 s, 1 s left): boom 1");
    assertThat(exhausted.attempts()).isEqualTo(1);
    assertThat(outcome.attempts()).isEqualTo(1);
    assertThat(listener.delays()).isEmpty();
    assertThat(time.sleeps()).isEmpty();
    assertThat(time.elapsed()).isZero();
    assertThat(time.pendingTasks()).as("the deadline timer is cancelled").isZero();
    assertThat(listener.events()).last().isEqualTo("gave up DEADLINE after 1 (boom 1)");
  }

  @BothPaths
  void theEngineRetriesWhileWaitsFitAndStopsBeforeTheFirstThatDoesNot(EnginePath path) {
    Retry retry = retry(retriesEverything(Duration.ofMillis(300)));

    Outcome<String> outcome = path.run(retry, time, TIMEOUT, attempt -> {
      throw new IOException("boom " + attempt);
    });

    assertThat(listener.delays())
        .containsExactly(Duration.ofMillis(300), Duration.ofMillis(300), Duration.ofMillis(300));
    assertThat(time.elapsed()).isEqualTo(Duration.ofMillis(900));
    assertThat(outcome.attempts()).isEqualTo(4);
    assertThat(exhausted(outcome))
        .hasMessage("deadline of 1 s would pass before attempt 5 (wait 300 ms, 100 ms left): boom 4");
    assertThat(exhausted(outcome).getSuppressed()).hasSize(3);
  }

  @BothPaths
  void aWaitEndingExactlyAtTheDeadlineIsNotStartedEither(EnginePath path) {
    // The attempt after it would start with no time left; on the asynchronous path the
    // deadline timer and the end of the wait would race.
    Retry retry = retry(retriesEverything(Duration.ofMillis(500)));

    Outcome<String> outcome = path.run(retry, time, TIMEOUT, attempt -> {
      throw new IOException("boom " + attempt);
    });

    assertThat(outcome.attempts()).isEqualTo(2);
    assertThat(listener.delays()).containsExactly(Duration.ofMillis(500));
    assertThat(time.elapsed()).isEqualTo(Duration.ofMillis(500));
    assertThat(exhausted(outcome).reason()).isEqualTo(GiveUpReason.DEADLINE);
    assertThat(exhausted(outcome))
        .hasMessage("deadline of 1 s would pass before attempt 3 (wait 500 ms, 500 ms left): boom 2");
  }

  @BothPaths
  void aFailureAfterTheDeadlinePassedIsNotRetriedWhateverTheRetrierSays(EnginePath path) {
    Retry retry = retry(retriesEverything(Duration.ofMillis(1)));

    Outcome<String> outcome = path.run(retry, time, TIMEOUT, attempt -> {
      time.advance(Duration.ofSeconds(2)); // a slow attempt
      throw new IOException("boom " + attempt);
    });

    assertThat(outcome.attempts()).isEqualTo(1);
    assertThat(exhausted(outcome).reason()).isEqualTo(GiveUpReason.DEADLINE);
    assertThat(exhausted(outcome).getMessage()).startsWith("deadline of 1 s passed ");
    assertThat(listener.delays()).isEmpty();
  }

  @BothPaths
  void aCallThatSucceedsInTimeLeavesNoTimerBehind(EnginePath path) {
    Retry retry = retry(FixedDelayRetrier.of(3, Duration.ofMillis(100)));

    Outcome<String> outcome = path.run(retry, time, TIMEOUT, attempt -> {
      if (attempt == 1) {
        throw new IOException("boom");
      }
      return "ok";
    });

    assertThat(outcome.value()).isEqualTo("ok");
    assertThat(time.pendingTasks()).isZero();
  }

  @BothPaths
  void theRetrierSeesTheTimeLeft(EnginePath path) {
    List<Optional<Duration>> seen = new CopyOnWriteArrayList<>();
    Retry retry = retry(new Retrier() {
      @Override
      public int maxAttempts() {
        return 3;
      }

      @Override
      public boolean shouldRetry(RetryContext context, Throwable failure, int attempt) {
        seen.add(context.remaining());
        return true;
      }

      @Override
      public Duration delay(RetryContext context, Throwable failure, int attempt) {
        return Duration.ofMillis(100);
      }
    });

    path.run(retry, time, TIMEOUT, attempt -> {
      throw new IOException("boom");
    });
    path.run(retry, time, attempt -> {
      throw new IOException("boom");
    });

    assertThat(seen).containsExactly(
        Optional.of(Duration.ofMillis(1000)), Optional.of(Duration.ofMillis(900)),
        Optional.of(Duration.ofMillis(800)),
        Optional.empty(), Optional.empty(), Optional.empty());
  }

  @Test
  void asyncTheDeadlinePassingDuringAnAttemptFailsTheCallAndCancelsTheAttempt() {
    Retry retry = retry(FixedDelayRetrier.of(5, Duration.ofMillis(100)));
    List<CompletableFuture<String>> attempts = new CopyOnWriteArrayList<>();
    IOException first = new IOException("boom 1");

    CompletableFuture<String> call = retry.callAsync(TIMEOUT, () -> {
      CompletableFuture<String> attempt =
          attempts.isEmpty() ? CompletableFuture.failedFuture(first) : new CompletableFuture<>();
      attempts.add(attempt);
      return attempt;
    });
    time.drive(call);

    assertThat(time.elapsed()).isEqualTo(TIMEOUT);
    assertThat(attempts).hasSize(2);
    assertThat(attempts.get(1)).isCancelled();
    Throwable failure = call.handle((value, thrown) -> thrown).join();
    assertThat(failure).isExactlyInstanceOf(RetryExhaustedException.class)
        .hasMessage("deadline of 1 s passed during attempt 2: boom 1")
        .hasCause(first);
    assertThat(((RetryExhaustedException) failure).reason()).isEqualTo(GiveUpReason.DEADLINE);
    assertThat(((RetryExhaustedException) failure).attempts()).isEqualTo(2);
    assertThat(time.pendingTasks()).isZero();
  }

  @Test
  void asyncTheDeadlinePassingDuringTheFirstAttemptFailsTheCallWithNoCause() {
    Retry retry = retry(FixedDelayRetrier.of(5, Duration.ofMillis(100)));
    CompletableFuture<String> never = new CompletableFuture<>();

    CompletableFuture<String> call = retry.callAsync(TIMEOUT, () -> never);
    time.drive(call);

    assertThat(never).isCancelled();
    Throwable failure = call.handle((value, thrown) -> thrown).join();
    assertThat(failure).isExactlyInstanceOf(RetryExhaustedException.class)
        .hasMessage("deadline of 1 s passed during attempt 1")
        .hasNoCause();
    assertThat(listener.events())
        .containsExactly("attempt 1 started", "gave up DEADLINE after 1 (no failure)");
  }
}
