package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServerExtension;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Regression (issue failure 11): an asynchronous call its caller ends while it waits, at a
 * backend's Retry-After gate or between attempts, sends nothing more and leaves no timer
 * behind. Against a real server, in virtual time.
 */
@ExtendWith(FaultServerExtension.class)
@Timeout(60) // a hang guard for the whole class, not a timing assertion
class GateAndWaitCancellationTest {

  private final Harness h = new Harness();

  /**
   * A client whose retrier allows one attempt: a 429 with Retry-After sets the backend's gate
   * (only calls with a retrier wait at it) and ends its own call at once.
   */
  private ResilientHttpClient gatedClient() {
    return h.client(Harness.backoff(1, Duration.ofMillis(100))).gateReleaseSpread(Duration.ZERO).build();
  }

  private void closeTheGateFor5Seconds(ResilientHttpClient client, FaultServer server) {
    server.script("GET", "/api", Fault.status(429).header("Retry-After", "5"), Fault.ok("after the gate"));
    assertThat(h.call(Harness.Path.ASYNC, client, Harness.get(server, "/api")).response().statusCode()).isEqualTo(429);
    assertThat(h.time.pendingTasks()).isZero();
  }

  @Test
  void aCallCancelledWhileHeldAtARetryAfterGateSendsNothingAndLeavesNoTimer(FaultServer server) {
    ResilientHttpClient client = gatedClient();
    closeTheGateFor5Seconds(client, server);

    CompletableFuture<HttpResponse<String>> held =
        h.sendAsync(client, Harness.get(server, "/api"), BodyHandlers.ofString());
    assertThat(held).isNotDone();
    assertThat(h.time.pendingTasks()).as("the held call's timer").isEqualTo(1);
    assertThat(h.time.scheduledDelays()).containsExactly(Duration.ofSeconds(5));

    assertThat(held.cancel(true)).isTrue();

    assertThat(h.time.pendingTasks()).as("timers left").isZero();
    h.time.advance(Duration.ofMinutes(1));
    assertThat(held).isCancelled();
    assertThat(server.requestCount("GET", "/api")).as("requests the server saw").isEqualTo(1);
  }

  @Test
  void aThousandCallsCancelledWhileHeldAtTheGateSendNothingAndLeaveNoTimer(FaultServer server) {
    ResilientHttpClient client = gatedClient();
    closeTheGateFor5Seconds(client, server);

    List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      held.add(h.sendAsync(client, Harness.get(server, "/api"), BodyHandlers.ofString()));
    }
    assertThat(held).noneMatch(CompletableFuture::isDone);
    assertThat(h.time.pendingTasks()).isEqualTo(1_000);

    held.forEach(call -> call.cancel(true));

    assertThat(h.time.pendingTasks()).as("timers left").isZero();
    h.time.advance(Duration.ofMinutes(1));
    assertThat(held).allMatch(CompletableFuture::isCancelled);
    assertThat(server.requestCount("GET", "/api")).isEqualTo(1);

    // The gate itself still works for the calls that follow.
    assertThat(h.call(Harness.Path.ASYNC, client, Harness.get(server, "/api")).response().body())
        .isEqualTo("after the gate");
  }

  @Test
  void aCallTheCallerCompletesDuringARetryWaitMakesNoFurtherAttempt(FaultServer server) throws Exception {
    server.script("GET", "/api", Fault.status(503), Fault.ok("never"));
    ResilientHttpClient client = h.client(Harness.backoff(3, Duration.ofSeconds(1))).build();

    CompletableFuture<HttpResponse<String>> call =
        h.sendAsync(client, Harness.get(server, "/api"), BodyHandlers.ofString());
    Harness.awaitCondition(h.events.retryScheduled, () -> h.time.pendingTasks() == 1,
        "the wait after the first attempt is scheduled");
    assertThat(server.requestCount("GET", "/api")).isEqualTo(1);

    // What orTimeout does when its time is up, without its wall-clock timer.
    assertThat(call.completeExceptionally(new TimeoutException("caller's own timeout"))).isTrue();

    Harness.eventually(() -> h.time.pendingTasks() == 0, "the retry wait is cancelled");
    h.time.advance(Duration.ofMinutes(1));
    assertThat(server.requestCount("GET", "/api")).as("requests the server saw").isEqualTo(1);
    assertThat(h.events.attemptsStarted).containsExactly(1);
  }
}
