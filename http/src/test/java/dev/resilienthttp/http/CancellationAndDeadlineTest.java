package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.http.Harness.Outcome;
import dev.resilienthttp.http.Harness.Path;
import dev.resilienthttp.retry.ExponentialBackoffRetrier;
import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.retry.Jitter;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.retry.RetryCancelledException;
import dev.resilienthttp.retry.RetryContext;
import dev.resilienthttp.retry.RetryListener;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServerExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Cancelling a call during a wait and during an attempt, and a call timeout bounding the whole
 * call, against a real server. Asynchronous calls are cancelled through their future,
 * synchronous ones by interrupting the calling thread. The clock is virtual and, where the
 * test needs the call caught mid-way, not driven: the test waits for the server or the engine
 * to reach the point, then acts.
 */
@ExtendWith(FaultServerExtension.class)
class CancellationAndDeadlineTest {

  private static final Duration LONG_WAIT = Duration.ofSeconds(10);

  private final Harness h = new Harness();

  @AfterEach
  void clearInterruptFlag() {
    Thread.interrupted();
  }

  // ---- cancelled during a wait ---------------------------------------------------------------

  @Test
  void asyncCancelledDuringAWaitCancelsTheWaitAndSendsNothingMore(FaultServer server) throws Exception {
    server.script("GET", "/r", Fault.status(503));
    ResilientHttpClient client = h.client(FixedDelayRetrier.of(3, LONG_WAIT)).build();

    CompletableFuture<HttpResponse<String>> future =
        h.sendAsync(client, Harness.get(server, "/r"), BodyHandlers.ofString());
    Harness.awaitCondition(h.events.retryScheduled, () -> h.time.pendingTasks() == 1,
        "the wait after the first attempt is scheduled");
    assertThat(server.requestCount()).isEqualTo(1);

    assertThat(future.cancel(true)).isTrue();

    assertThat(future).isCancelled();
    Harness.eventually(() -> h.time.pendingTasks() == 0, "the pending wait is cancelled");
    h.time.advance(Duration.ofMinutes(10));
    assertThat(server.requestCount()).isEqualTo(1);
    assertThat(h.events.attemptsStarted).containsExactly(1);
  }

  @Test
  void syncInterruptedDuringAWaitStopsWithCancelledDuringRetryWait(FaultServer server) {
    server.script("GET", "/r", Fault.status(503));
    // VirtualTime's sleep does not block: interrupt the caller as its wait is about to start,
    // which is what an interrupt during a real wait looks like to the engine.
    RetryListener interruptOnWait = new RetryListener() {
      @Override
      public void onRetryScheduled(RetryContext context, int attempt, Duration delay, Throwable failure) {
        Thread.currentThread().interrupt();
      }
    };
    ResilientHttpClient client =
        h.client(FixedDelayRetrier.of(3, LONG_WAIT)).listener(interruptOnWait).build();

    Outcome<String> outcome = h.call(Path.SYNC, client, Harness.get(server, "/r"));

    InterruptedException interrupted = outcome.failure(InterruptedException.class);
    assertThat(interrupted.getMessage()).isEqualTo("cancelled during retry wait");
    RetryCancelledException cancelled = (RetryCancelledException) interrupted.getCause();
    assertThat(cancelled.getCause()).isInstanceOf(InterruptedException.class);
    assertThat(cancelled.attempts()).isEqualTo(1);
    assertThat(cancelled.getSuppressed()).singleElement().isInstanceOf(ServerUnavailableException.class);
    assertThat(Thread.interrupted()).as("the interrupt is the exception thrown: the flag is clear").isFalse();
    assertThat(h.time.elapsed()).isZero();
    assertThat(h.events.giveUps).containsExactly(GiveUpReason.CANCELLED);
    h.time.advance(Duration.ofMinutes(10));
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void asyncCancelledWhileHeldByTheBackendsRetryAfterGateSendsNothing(FaultServer server) throws Exception {
    // The first call's 503 with Retry-After: 30 holds back new calls to the backend for 30 s
    // (a gate applies only where a retrier is configured: one of a single attempt here).
    server.script("GET", "/r", Fault.status(503).header("Retry-After", "30"), Fault.ok("late"));
    ResilientHttpClient client = h.client(FixedDelayRetrier.of(1, Duration.ofMillis(1))).build();
    assertThat(h.call(Path.ASYNC, client, Harness.get(server, "/r")).response().statusCode()).isEqualTo(503);

    CompletableFuture<HttpResponse<String>> held =
        h.sendAsync(client, Harness.get(server, "/r"), BodyHandlers.ofString());
    assertThat(held).isNotDone();
    assertThat(held.cancel(true)).isTrue();
    h.time.advance(Duration.ofMinutes(1));

    assertThat(held).isCancelled();
    assertThat(server.requestCount()).isEqualTo(1);
    assertThat(h.time.pendingTasks()).isZero();
  }

  // ---- cancelled during an attempt ---------------------------------------------------------

  @Test
  void asyncCancelledDuringAnAttemptCancelsTheExchangeAndSendsNothingMore(FaultServer server)
      throws Exception {
    // The server holds its answer for 2 s of real time; the test cancels long before that.
    server.script("GET", "/slow", Fault.status(503).delay(Duration.ofSeconds(2)));
    RecordingHttpClient delegate = new RecordingHttpClient(h.http);
    ResilientHttpClient client = h.client(delegate, FixedDelayRetrier.of(3, Duration.ofSeconds(1))).build();

    CompletableFuture<HttpResponse<String>> future =
        h.sendAsync(client, Harness.get(server, "/slow"), BodyHandlers.ofString());
    assertThat(server.awaitRequestCount(1, Duration.ofSeconds(10))).isEqualTo(1);

    assertThat(future.cancel(true)).isTrue();

    assertThat(future).isCancelled();
    assertThat(delegate.asyncAttempts).singleElement().satisfies(CancellationAndDeadlineTest::assertCancelled);
    assertThat(h.time.pendingTasks()).isZero();
    h.time.advance(Duration.ofMinutes(10));
    assertThat(server.requestCount()).isEqualTo(1);
    assertThat(h.events.attemptsStarted).containsExactly(1);
    assertThat(h.events.retryDelays).isEmpty();
  }

  @Test
  void syncInterruptedDuringAnAttemptThrowsInterruptedAndSendsNothingMore(FaultServer server)
      throws Exception {
    server.script("GET", "/slow", Fault.status(503).delay(Duration.ofSeconds(2)));
    ResilientHttpClient client = h.client(FixedDelayRetrier.of(3, Duration.ofSeconds(1))).build();
    AtomicReference<Outcome<String>> outcome = new AtomicReference<>();

    Thread caller = new Thread(
        () -> outcome.set(h.call(Path.SYNC, client, Harness.get(server, "/slow"))), "sync-caller");
    caller.start();
    assertThat(server.awaitRequestCount(1, Duration.ofSeconds(10))).isEqualTo(1);
    caller.interrupt();
    caller.join(10_000);

    assertThat(caller.isAlive()).as("the caller returned").isFalse();
    assertThat(outcome.get().failure()).isInstanceOf(InterruptedException.class);
    assertThat(h.events.giveUps).containsExactly(GiveUpReason.CANCELLED);
    h.time.advance(Duration.ofMinutes(10));
    assertThat(server.requestCount()).isEqualTo(1);
    assertThat(h.events.attemptsStarted).containsExactly(1);
  }

  // ---- the call timeout bounds the whole call ------------------------------------------------

  static Stream<Arguments> deadlineCases() {
    Retrier fixed = FixedDelayRetrier.of(10, Duration.ofSeconds(2));
    Retrier exponential = ExponentialBackoffRetrier.builder()
        .maxAttempts(10).initialDelay(Duration.ofSeconds(1)).maxDelay(Duration.ofSeconds(30))
        .jitter(Jitter.NONE).build();
    return Stream.of(Path.values()).flatMap(path -> Stream.of(
        // Waits 2, 2 (t = 4 s); the next 2 s wait would end at 6 s > 5 s.
        Arguments.of(path, "fixed 2 s", fixed, 3, Duration.ofSeconds(4),
            "deadline of 5 s would pass before attempt 4 (wait 2 s, 1 s left)"),
        // Waits 1, 2 (t = 3 s); the next 4 s wait would end at 7 s > 5 s.
        Arguments.of(path, "exponential 1 s", exponential, 3, Duration.ofSeconds(3),
            "deadline of 5 s would pass before attempt 4 (wait 4 s, 2 s left)")));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("deadlineCases")
  void aCallTimeoutEndsRetriesRatherThanStartAWaitPastIt(Path path, String name, Retrier retrier,
      int attempts, Duration elapsed, String detail, FaultServer server) {
    server.script("GET", "/r", Fault.status(503));
    ResilientHttpClient client = h.client(retrier)
        .callTimeout(Duration.ofSeconds(5)).resultMode(ResultMode.THROW).build();

    Outcome<String> outcome = h.call(path, client, Harness.get(server, "/r"));

    java.net.http.HttpTimeoutException timeout = outcome.failure(java.net.http.HttpTimeoutException.class);
    assertThat(timeout).hasCauseInstanceOf(ServerUnavailableException.class);
    assertThat(timeout.getMessage()).isEqualTo(detail + ": server unavailable (status code 503)");
    assertThat(h.events.attemptsStarted).hasSize(attempts);

    assertThat(timeout.getSuppressed()).hasSize(attempts - 1);
    assertThat(server.requestCount("GET", "/r")).isEqualTo(attempts);
    assertThat(h.time.elapsed()).isEqualTo(elapsed);
    assertThat(h.events.giveUps).containsExactly(GiveUpReason.DEADLINE);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aCallTimeoutInReturnModeGivesTheLastResponse(Path path, FaultServer server) {
    server.script("GET", "/r", Fault.status(503).body("still down"));
    ResilientHttpClient client = h.client(FixedDelayRetrier.of(10, Duration.ofSeconds(2)))
        .callTimeout(Duration.ofSeconds(5)).build();

    Outcome<String> outcome = h.call(path, client, Harness.get(server, "/r"));

    assertThat(outcome.response().statusCode()).isEqualTo(503);
    assertThat(outcome.response().body()).isEqualTo("still down");
    assertThat(server.requestCount("GET", "/r")).isEqualTo(3);
    assertThat(h.time.elapsed()).isEqualTo(Duration.ofSeconds(4));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void eachAttemptsRequestTimeoutIsCutToTheTimeLeft(Path path, FaultServer server) {
    server.script("GET", "/r", Fault.status(503), Fault.status(503), Fault.ok("third"));
    RecordingHttpClient delegate = new RecordingHttpClient(h.http);
    ResilientHttpClient client = h.client(delegate, FixedDelayRetrier.of(5, Duration.ofSeconds(2)))
        .callTimeout(Duration.ofSeconds(5)).build();
    HttpRequest get = HttpRequest.newBuilder(server.uri("/r")).timeout(Duration.ofSeconds(4)).build();

    Outcome<String> outcome = h.call(path, client, get);

    assertThat(outcome.response().body()).isEqualTo("third");
    // Its own 4 s until less than 4 s is left: 5 - 2 = 3 s, then 5 - 4 = 1 s.
    assertThat(delegate.requests).extracting(HttpRequest::timeout).containsExactly(
        Optional.of(Duration.ofSeconds(4)), Optional.of(Duration.ofSeconds(3)), Optional.of(Duration.ofSeconds(1)));
  }

  @Test
  void anAsyncCallFailsAtItsDeadlineDuringAnAttemptAndCancelsIt(FaultServer server) throws Exception {
    server.script("GET", "/slow", Fault.status(200).delay(Duration.ofSeconds(2)));
    RecordingHttpClient delegate = new RecordingHttpClient(h.http);
    ResilientHttpClient client = h.client(delegate, FixedDelayRetrier.of(3, Duration.ofSeconds(1)))
        .callTimeout(Duration.ofSeconds(5)).build();

    CompletableFuture<HttpResponse<String>> future =
        h.sendAsync(client, Harness.get(server, "/slow"), BodyHandlers.ofString());
    assertThat(server.awaitRequestCount(1, Duration.ofSeconds(10))).isEqualTo(1);
    h.time.advance(Duration.ofSeconds(5)); // Virtual time passes while the attempt is in flight.

    assertThat(future).isCompletedExceptionally();
    Throwable failure = catchCompletion(future);
    assertThat(failure).isInstanceOf(java.net.http.HttpTimeoutException.class)
        .hasMessage("deadline of 5 s passed during attempt 1");
    assertThat(delegate.asyncAttempts).singleElement().satisfies(CancellationAndDeadlineTest::assertCancelled);
    assertThat(h.time.pendingTasks()).isZero();
    assertThat(server.requestCount()).isEqualTo(1);
  }

  /** The JDK's own future of an attempt ended by cancellation (java.net.http aborts the exchange). */
  private static void assertCancelled(CompletableFuture<?> attempt) {
    assertThat(attempt).isDone();
    Throwable failure;
    try {
      attempt.join();
      throw new AssertionError("expected the attempt to be cancelled but it completed: " + attempt);
    } catch (CancellationException | CompletionException e) {
      failure = e;
    }
    assertThat(failure).satisfiesAnyOf(
        f -> assertThat(f).isInstanceOf(CancellationException.class),
        f -> assertThat(f).hasCauseInstanceOf(CancellationException.class));
  }

  private static Throwable catchCompletion(CompletableFuture<?> future) {
    try {
      future.join();
      throw new AssertionError("expected the future to fail");
    } catch (CompletionException e) {
      return e.getCause();
    }
  }
}
