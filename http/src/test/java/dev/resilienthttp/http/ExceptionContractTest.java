package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.breaker.CallNotPermittedException;
import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.http.Harness.Outcome;
import dev.resilienthttp.http.Harness.Path;
import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServerExtension;
import dev.resilienthttp.testing.VirtualTime;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Regression (issue failure 10): what a call fails with is what {@code HttpClient}'s contract
 * allows, on both paths: a deadline is a {@link HttpTimeoutException} every time, an interrupt
 * during a retry wait an {@link InterruptedException}, an open breaker an {@link
 * java.io.IOException} ({@link CallRejectedException}) caused by the breaker's refusal. Against a
 * real server, in virtual time.
 */
@ExtendWith(FaultServerExtension.class)
@Timeout(60) // a hang guard for the whole class, not a timing assertion
class ExceptionContractTest {

  private final Harness h = new Harness();

  @AfterEach
  void clearInterruptFlag() {
    Thread.interrupted();
  }

  @Test
  @Timeout(60)
  void anAsyncCallWhoseDeadlinePassesDuringASlowAttemptFailsWithHttpTimeoutExceptionEveryTime(FaultServer server)
      throws Exception {
    // The server holds every answer far longer than the test runs; only virtual time passes.
    server.script("GET", "/slow", Fault.ok("late").delay(Duration.ofMinutes(5)));
    ResilientHttpClient client = h.client(FixedDelayRetrier.of(3, Duration.ofSeconds(1)))
        .callTimeout(Duration.ofSeconds(5))
        .build();

    for (int i = 1; i <= 20; i++) {
      CompletableFuture<HttpResponse<String>> call =
          h.sendAsync(client, Harness.get(server, "/slow"), BodyHandlers.ofString());
      assertThat(server.awaitRequestCount(i, Duration.ofSeconds(10))).as("attempt of call " + i).isEqualTo(i);
      h.time.advance(Duration.ofSeconds(5));

      assertThat(call).as("call " + i).isCompletedExceptionally();
      Throwable failure = failureOf(call);
      assertThat(failure).as("call " + i + " failed with").isInstanceOf(HttpTimeoutException.class);
      assertThat(failure.getMessage()).contains("deadline");
    }
    assertThat(server.requestCount("GET", "/slow")).isEqualTo(20);
  }

  @Test
  @Timeout(30)
  void aSyncCallInterruptedDuringARetryWaitThrowsInterruptedException(FaultServer server) throws Exception {
    server.script("GET", "/api", Fault.status(503), Fault.ok("never"));
    VirtualTime time = VirtualTime.withBlockingSleeps();
    ResilientHttpClient client = ResilientHttpClient.newBuilder(h.http)
        .retrier(FixedDelayRetrier.of(3, Duration.ofSeconds(10)))
        .timeSource(time)
        .build();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicReference<HttpResponse<String>> returned = new AtomicReference<>();
    Thread caller = new Thread(() -> {
      try {
        returned.set(client.send(Harness.get(server, "/api"), BodyHandlers.ofString()));
      } catch (Throwable failure) {
        thrown.set(failure);
      }
    }, "sync-caller");
    caller.setDaemon(true);
    caller.start();

    AuthFixture.awaitTrue(() -> time.pendingTasks() == 1, "the caller sleeps in its retry wait");
    assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(10));
    caller.interrupt();
    caller.join(10_000);

    assertThat(caller.isAlive()).as("the caller returned").isFalse();
    assertThat(returned.get()).isNull();
    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    assertThat(server.requestCount("GET", "/api")).isEqualTo(1);
    time.advance(Duration.ofMinutes(1));
    assertThat(server.requestCount("GET", "/api")).as("no attempt after the interrupt").isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void anOpenBreakerFailsTheCallWithCallRejectedCausedByTheBreakersRefusal(Path path, FaultServer server) {
    server.script("GET", "/api", Fault.status(503), Fault.ok());
    ResilientHttpClient client = h.client(Retrier.none())
        .circuitBreakers(name -> CircuitBreaker.builder(name)
            .consecutiveFailureThreshold(1)
            .openDuration(Duration.ofSeconds(30))
            .timeSource(h.time)
            .build())
        .build();
    assertThat(h.call(path, client, Harness.get(server, "/api")).response().statusCode()).isEqualTo(503);

    Outcome<String> refused = h.call(path, client, Harness.get(server, "/api"));

    CallRejectedException rejected = refused.failure(CallRejectedException.class);
    assertThat(rejected.getCause()).isInstanceOf(CallNotPermittedException.class);
    assertThat(rejected.backend()).isEqualTo("http://127.0.0.1:" + server.port());
    assertThat(server.requestCount("GET", "/api")).isEqualTo(1);
  }

  private static Throwable failureOf(CompletableFuture<?> future) {
    try {
      future.join();
      throw new AssertionError("expected the future to fail");
    } catch (CompletionException e) {
      return e.getCause();
    }
  }
}
