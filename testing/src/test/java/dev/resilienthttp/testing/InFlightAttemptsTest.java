package dev.resilienthttp.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.retry.Retry;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InFlightAttemptsTest {

  private final VirtualTime time = VirtualTime.create();
  private final InFlightAttempts inFlight = new InFlightAttempts(time);
  private final Retry retry = Retry.builder()
      .retrier(FixedDelayRetrier.of(3, Duration.ofMillis(100)))
      .timeSource(time)
      .listener(inFlight)
      .build();

  @Test
  void countsAnAttemptFromItsStartUntilItEnds() {
    CompletableFuture<String> attempt = new CompletableFuture<>();
    assertThat(inFlight.none()).isTrue();

    CompletableFuture<String> call = retry.callAsync(() -> attempt);
    assertThat(inFlight.none()).isFalse();

    attempt.complete("ok");
    assertThat(call).isCompletedWithValue("ok");
    assertThat(inFlight.none()).isTrue();
  }

  @Test
  void anAttemptEndsWhenItFailsAndAgainWhenTheCallGivesUp() {
    CompletableFuture<String> call =
        retry.callAsync(() -> CompletableFuture.failedFuture(new IOException("boom")));
    assertThat(inFlight.none()).as("attempt 1 failed, a wait is pending").isTrue();

    time.drive(call, inFlight::none);

    assertThat(call).isCompletedExceptionally();
    assertThat(inFlight.none()).isTrue();
  }

  @Test
  void anAttemptCancelledWithItsCallEnds() {
    CompletableFuture<String> call = retry.callAsync(CompletableFuture::new);
    assertThat(inFlight.none()).isFalse();

    call.cancel(true);

    assertThat(inFlight.none()).as("else a later drive(future, inFlight::none) never moves the clock").isTrue();
  }

  @Test
  void theClockDoesNotMoveWhileAnAttemptCompletesOnAnotherThread() throws InterruptedException {
    // With a one-second deadline timer pending, driving freely would fire it at once. Driving
    // only while no attempt is in flight waits for the other thread's answer instead.
    CompletableFuture<String> answer = new CompletableFuture<>();
    AtomicInteger attempts = new AtomicInteger();
    CompletableFuture<String> call = retry.callAsync(Duration.ofSeconds(1), () -> {
      attempts.incrementAndGet();
      return answer;
    });
    Thread server = new Thread(() -> answer.complete("ok"), "fake-server");
    server.start();

    time.drive(call, inFlight::none);
    server.join();

    assertThat(call).isCompletedWithValue("ok");
    assertThat(time.elapsed()).isZero();
    assertThat(attempts).hasValue(1);
  }
}
