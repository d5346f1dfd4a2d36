package dev.resilienthttp.testing.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.retry.Retry;
import dev.resilienthttp.retry.RetryCancelledException;
import dev.resilienthttp.retry.RetryContext;
import dev.resilienthttp.retry.RetryListener;
import dev.resilienthttp.testing.VirtualTime;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Stopping a call while it waits: an interrupt on the synchronous path, cancelling the future on
 * the asynchronous one. Either way no further attempt starts.
 */
class RetryCancellationTest {

  private final VirtualTime time = VirtualTime.create();
  private final RecordingListener listener = new RecordingListener();
  private final AtomicInteger attempts = new AtomicInteger();

  @AfterEach
  void leaveTheInterruptFlagClear() {
    Thread.interrupted();
  }

  private Retry.Builder retry() {
    return Retry.builder()
        .retrier(FixedDelayRetrier.of(5, Duration.ofSeconds(1)))
        .timeSource(time)
        .listener(listener);
  }

  @Test
  void syncAnInterruptDuringAWaitEndsTheCallAndRestoresTheInterruptFlag() {
    RetryListener interruptsTheWait = new RetryListener() {
      @Override
      public void onRetryScheduled(RetryContext context, int attempt, Duration delay, Throwable failure) {
        Thread.currentThread().interrupt(); // the virtual sleep that follows then throws
      }
    };
    Retry retry = retry().listener(interruptsTheWait).build();
    IOException first = new IOException("boom 1");

    Throwable thrown = catchThrowable(() -> retry.call(() -> {
      attempts.incrementAndGet();
      throw first;
    }));
    boolean interruptFlag = Thread.interrupted();

    assertThat(interruptFlag).as("interrupt flag restored").isTrue();
    assertThat(thrown)
        .isExactlyInstanceOf(RetryCancelledException.class)
        .hasMessage("cancelled during retry wait")
        .hasCauseInstanceOf(InterruptedException.class);
    assertThat(thrown.getSuppressed()).containsExactly(first);
    assertThat(((RetryCancelledException) thrown).attempts()).isEqualTo(1);
    assertThat(attempts).hasValue(1);
    assertThat(time.elapsed()).isZero();
    assertThat(listener.events()).containsExactly(
        "attempt 1 started", "attempt 1 failed (boom 1), retry in PT1S", "gave up CANCELLED after 1 (boom 1)");
  }

  @Test
  void syncAThreadInterruptedBeforeTheCallMakesOneAttemptThenStops() {
    Retry retry = retry().build();
    Thread.currentThread().interrupt();

    Throwable thrown = catchThrowable(() -> retry.call(() -> {
      attempts.incrementAndGet();
      throw new IOException("boom");
    }));

    assertThat(Thread.interrupted()).isTrue();
    assertThat(thrown).isExactlyInstanceOf(RetryCancelledException.class);
    assertThat(attempts).hasValue(1);
  }

  @Test
  void asyncCancellingTheFutureDuringAWaitCancelsTheWaitAndStopsFurtherAttempts() {
    Retry retry = retry().build();

    CompletableFuture<String> call = retry.callAsync(() -> {
      attempts.incrementAndGet();
      return CompletableFuture.failedFuture(new IOException("boom"));
    });
    assertThat(call).isNotDone();
    assertThat(time.pendingTasks()).as("the wait before attempt 2").isEqualTo(1);

    assertThat(call.cancel(true)).isTrue();

    assertThat(time.pendingTasks()).as("the wait was cancelled").isZero();
    time.advance(Duration.ofMinutes(10));
    assertThat(attempts).hasValue(1);
    assertThat(call).isCancelled();
  }

  @Test
  void asyncCancellingTheFutureDuringAnAttemptCancelsTheAttemptAndStopsFurtherAttempts() {
    Retry retry = retry().build();
    List<CompletableFuture<String>> inFlight = new CopyOnWriteArrayList<>();

    CompletableFuture<String> call = retry.callAsync(() -> {
      attempts.incrementAndGet();
      CompletableFuture<String> attempt = new CompletableFuture<>();
      inFlight.add(attempt);
      return attempt;
    });
    inFlight.get(0).completeExceptionally(new IOException("boom")); // attempt 1 fails
    time.runNext(); // the wait ends, attempt 2 starts and hangs
    assertThat(attempts).hasValue(2);

    call.cancel(true);

    assertThat(inFlight.get(1)).isCancelled();
    assertThat(time.pendingTasks()).isZero();
    time.advance(Duration.ofMinutes(10));
    assertThat(attempts).hasValue(2);
  }

  @Test
  void asyncCancellingACallWithATimeoutAlsoCancelsItsDeadlineTimer() {
    Retry retry = retry().build();

    CompletableFuture<String> call = retry.callAsync(Duration.ofMinutes(1), () -> {
      attempts.incrementAndGet();
      return CompletableFuture.failedFuture(new IOException("boom"));
    });
    assertThat(time.pendingTasks()).as("the wait and the deadline timer").isEqualTo(2);

    call.cancel(true);

    assertThat(time.pendingTasks()).isZero();
    time.advance(Duration.ofMinutes(10));
    assertThat(attempts).hasValue(1);
  }

  @BothPaths
  void cancellingDuringAWaitIsReportedAsAGiveUp(EnginePath path) {
    // On the synchronous path by interrupting the waiting thread, on the asynchronous one by
    // cancelling the future; listeners hear the same thing either way.
    Retry retry = retry().build();

    if (path == EnginePath.SYNC) {
      Thread.currentThread().interrupt();
      catchThrowable(() -> retry.call(() -> {
        throw new IOException("boom");
      }));
      Thread.interrupted();
    } else {
      retry.callAsync(() -> CompletableFuture.failedFuture(new IOException("boom"))).cancel(true);
    }

    assertThat(listener.events()).containsExactly(
        "attempt 1 started", "attempt 1 failed (boom), retry in PT1S", "gave up CANCELLED after 1 (boom)");
  }
}
