package dev.resilienthttp.testing.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.retry.ExponentialBackoffRetrier;
import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.retry.Jitter;
import dev.resilienthttp.retry.Retry;
import dev.resilienthttp.retry.RetryExhaustedException;
import dev.resilienthttp.testing.InFlightAttempts;
import dev.resilienthttp.testing.VirtualTime;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Regression: an asynchronous call whose attempts complete on another thread reports each retry
 * there while the test thread drives the virtual clock. The wait's task used to queue itself
 * again whenever it ran before the report was over, and the clock recorded each of those as one
 * more wait of zero (14 of 40 runs, up to 20,518 of them). The clock must record exactly the
 * waits the engine asked for, every time.
 */
class AsyncScheduleRecordingTest {

  private static final int RUNS = 200;
  private static final List<Duration> BACKOFF =
      List.of(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400));

  private final ExecutorService transport = Executors.newFixedThreadPool(2, runnable -> {
    Thread thread = new Thread(runnable, "transport");
    thread.setDaemon(true);
    return thread;
  });

  @AfterEach
  void stopTheTransport() throws InterruptedException {
    transport.shutdownNow();
    assertThat(transport.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  private CompletableFuture<String> failingElsewhere(int attempt) {
    return CompletableFuture.supplyAsync(() -> {
      throw new CompletionException(new IOException("down " + attempt));
    }, transport);
  }

  private static Retry.Builder retry(VirtualTime time) {
    return Retry.builder()
        .retrier(ExponentialBackoffRetrier.builder().maxAttempts(4).jitter(Jitter.NONE).build())
        .timeSource(time);
  }

  @Test
  void drivenWheneverATaskIsQueuedTheClockRecordsExactlyTheBackoff() {
    for (int run = 0; run < RUNS; run++) {
      VirtualTime time = VirtualTime.create();
      RecordingListener listener = new RecordingListener();
      int[] attempts = {0};

      CompletableFuture<String> call = retry(time).listener(listener).build()
          .callAsync(() -> failingElsewhere(++attempts[0]));
      time.drive(call);

      assertExhaustedAfterTheBackoff(run, call, listener);
      assertThat(time.scheduledDelays()).as("run %d", run).isEqualTo(BACKOFF);
      assertThat(time.elapsed()).as("run %d", run).isEqualTo(Duration.ofMillis(700));
      assertThat(time.pendingTasks()).as("run %d", run).isZero();
    }
  }

  @Test
  void drivenWhileNoAttemptIsInFlightWithADeadlineTheClockNeverJumpsToTheDeadline() {
    for (int run = 0; run < RUNS; run++) {
      VirtualTime time = VirtualTime.create();
      RecordingListener listener = new RecordingListener();
      InFlightAttempts inFlight = new InFlightAttempts(time);
      int[] attempts = {0};

      CompletableFuture<String> call = retry(time).listener(inFlight).listener(listener).build()
          .callAsync(Duration.ofSeconds(10), () -> failingElsewhere(++attempts[0]));
      time.drive(call, inFlight::none);

      assertExhaustedAfterTheBackoff(run, call, listener);
      assertThat(time.scheduledDelays()).as("run %d: the deadline timer, then the backoff", run)
          .containsExactly(Duration.ofSeconds(10), BACKOFF.get(0), BACKOFF.get(1), BACKOFF.get(2));
      assertThat(time.elapsed()).as("run %d", run).isEqualTo(Duration.ofMillis(700));
    }
  }

  private static void assertExhaustedAfterTheBackoff(
      int run, CompletableFuture<String> call, RecordingListener listener) {
    Throwable failure = call.handle((value, thrown) -> thrown).join();
    assertThat(failure).as("run %d", run).isExactlyInstanceOf(RetryExhaustedException.class);
    assertThat(((RetryExhaustedException) failure).reason()).as("run %d", run)
        .isEqualTo(GiveUpReason.MAX_ATTEMPTS);
    assertThat(listener.delays()).as("run %d", run).isEqualTo(BACKOFF);
  }
}
