package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.resilienthttp.breaker.CallNotPermittedException;
import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.retry.ExponentialBackoffRetrier;
import dev.resilienthttp.retry.Jitter;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServerExtension;
import dev.resilienthttp.testing.VirtualTime;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Retry budgets, circuit breakers and the Retry-After gate, against a real loopback server in
 * virtual time: what keeps a retrying client from turning a brownout into an outage.
 */
@ExtendWith(FaultServerExtension.class)
class ServerProtectionTest {

  /* The Retry-After gate applies only when a retrier is configured: one of a single attempt
   * turns it on without retrying. */
  private static Retrier oneAttempt() {
    return FixedDelayRetrier.of(1, Duration.ofMillis(1));
  }

  private static final int CALLS = 1_000;
  /** With Fault.randomly(20261122L, 0.10, ...): calls that succeed, and attempts they take. */
  private static final int SEEDED_SUCCESSES = 1_000;
  private static final int SEEDED_ATTEMPTS = 1_110;
  private static HttpClient jdk;

  private final VirtualTime time = VirtualTime.create();

  @BeforeAll
  static void startClient() {
    jdk = HttpClient.newHttpClient();
  }

  @AfterAll
  static void dropClient() {
    jdk = null;
  }

  private static Retrier threeAttempts() {
    return ExponentialBackoffRetrier.builder().maxAttempts(3).jitter(Jitter.NONE).build();
  }

  private int statusOf(ResilientHttpClient client, FaultServer server) throws Exception {
    return client.send(HttpRequest.newBuilder(server.uri("/api")).build(), BodyHandlers.discarding()).statusCode();
  }

  @Test
  void aTotalOutageCostsTheServerAbout1point1AttemptsPerCallWithTheDefaultBudget(FaultServer server)
      throws Exception {
    ResilientHttpClient client =
        ResilientHttpClient.newBuilder(jdk).retrier(threeAttempts()).timeSource(time).build();
    server.scriptAll(Fault.status(503));

    for (int i = 0; i < CALLS; i++) {
      assertThat(statusOf(client, server)).isEqualTo(503);
    }

    // 500 tokens at 5 per retry: 100 retries, then none until successes earn tokens back.
    assertThat(server.requestCount()).isEqualTo(1_100);

    server.scriptAll(Fault.ok("back"));
    for (int i = 0; i < CALLS; i++) {
      assertThat(statusOf(client, server)).isEqualTo(200);
    }
    assertThat(server.requestCount()).isEqualTo(2_100);
    assertThat(client.retryBudget(server.uri("/")).orElseThrow().available()).isEqualTo(500.0);
  }

  @Test
  void withoutABudgetTheSameOutageCostsThreeAttemptsPerCall(FaultServer server) throws Exception {
    ResilientHttpClient client =
        ResilientHttpClient.newBuilder(jdk).retrier(threeAttempts()).timeSource(time).noRetryBudget().build();
    server.scriptAll(Fault.status(503));

    for (int i = 0; i < CALLS; i++) {
      assertThat(statusOf(client, server)).isEqualTo(503);
    }

    assertThat(server.requestCount()).isEqualTo(3_000);
  }

  @Test
  void tenPercentRandom503sLeaveAtLeast999Of1000CallsSucceeding(FaultServer server) throws Exception {
    AttemptCounter attempts = new AttemptCounter();
    ResilientHttpClient client =
        ResilientHttpClient.newBuilder(jdk).retrier(threeAttempts()).timeSource(time).listener(attempts).build();
    server.scriptAll(Fault.randomly(20261122L, 0.10, Fault.status(503), Fault.ok()));

    int succeeded = 0;
    for (int i = 0; i < CALLS; i++) {
      if (statusOf(client, server) == 200) {
        succeeded++;
      }
    }

    // The seed fixes which requests get a 503, and the calls go one after another.
    assertThat(succeeded).isEqualTo(SEEDED_SUCCESSES);
    assertThat(attempts.attempts()).isEqualTo(SEEDED_ATTEMPTS);
    assertThat(server.requestCount()).as("a 503 is never resent by java.net.http").isEqualTo(SEEDED_ATTEMPTS);
  }

  @Test
  void theBreakerOpensDuringAnOutageProbesOnceAndClosesOnRecovery(FaultServer server) throws Exception {
    ResilientHttpClient client =
        ResilientHttpClient.newBuilder(jdk)
            .timeSource(time)
            .circuitBreakers(backend -> CircuitBreaker.builder(backend)
                .consecutiveFailureThreshold(5)
                .openDuration(Duration.ofSeconds(30))
                .halfOpenProbes(1)
                .timeSource(time)
                .build())
            .build();
    server.scriptAll(Fault.status(503));

    for (int i = 0; i < 5; i++) {
      assertThat(statusOf(client, server)).isEqualTo(503);
    }
    CircuitBreaker breaker = client.circuitBreaker(server.uri("/")).orElseThrow();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);

    for (int i = 0; i < 100; i++) {
      assertThatThrownBy(() -> statusOf(client, server))
          .isInstanceOf(CallRejectedException.class)
          .hasCauseInstanceOf(CallNotPermittedException.class)
          .hasMessageContaining(server.uri("/").getPort() + "")
          .hasMessageContaining("OPEN");
    }
    assertThat(server.requestCount()).as("rejected calls never reach the server").isEqualTo(5);

    time.advance(Duration.ofSeconds(30));
    server.scriptAll(Fault.ok());
    assertThat(statusOf(client, server)).isEqualTo(200);
    assertThat(server.requestCount()).as("exactly one probe").isEqualTo(6);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);

    for (int i = 0; i < 10; i++) {
      assertThat(statusOf(client, server)).isEqualTo(200);
    }
    assertThat(server.requestCount()).isEqualTo(16);
  }

  @Test
  void theCallWhose503OpensTheBreakerGetsThat503AndSendsNothingMore(FaultServer server) throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    List<dev.resilienthttp.retry.GiveUpReason> giveUps = new java.util.concurrent.CopyOnWriteArrayList<>();
    ResilientHttpClient client = ResilientHttpClient.newBuilder(jdk)
        .retrier(threeAttempts())
        .timeSource(time)
        .circuitBreakers(name -> CircuitBreaker.builder(name).consecutiveFailureThreshold(1).timeSource(time).build())
        .listener(new dev.resilienthttp.retry.RetryListener() {
          @Override
          public void onAttemptStarted(dev.resilienthttp.retry.RetryContext context, int attempt) {
            attempts.incrementAndGet();
          }

          @Override
          public void onGiveUp(dev.resilienthttp.retry.RetryContext context,
              dev.resilienthttp.retry.GiveUpReason reason, int made, Throwable failure) {
            giveUps.add(reason);
          }
        })
        .build();
    server.scriptAll(Fault.status(503));

    assertThat(statusOf(client, server)).as("the caller gets the 503 that opened the breaker").isEqualTo(503);
    assertThat(server.requestCount()).isEqualTo(1);
    assertThat(attempts).hasValue(1);
    assertThat(giveUps).containsExactly(dev.resilienthttp.retry.GiveUpReason.CIRCUIT_OPEN);
  }

  @Test
  void aRetryAfterHoldsBackNewCallsToTheSameBackend(FaultServer server) throws Exception {
    ResilientHttpClient client =
        ResilientHttpClient.newBuilder(jdk).retrier(oneAttempt()).timeSource(time).gateReleaseSpread(Duration.ZERO).build();
    server.script("GET", "/api", Fault.status(429).header("Retry-After", "5"), Fault.ok());

    assertThat(statusOf(client, server)).isEqualTo(429);
    assertThat(statusOf(client, server)).isEqualTo(200);

    assertThat(time.elapsed()).as("the second call waited for the gate").isEqualTo(Duration.ofSeconds(5));
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void callsHeldByAGateAreReleasedSpreadOverTheSpreadNotAllInOneInstant(FaultServer server) throws Exception {
    AtomicInteger draws = new AtomicInteger();
    ResilientHttpClient client = ResilientHttpClient.newBuilder(jdk).retrier(oneAttempt())
        .timeSource(time)
        .random(() -> draws.getAndIncrement() / 10.0) // 0.0, 0.1, ..., 0.9
        .build();
    server.script("GET", "/api", index -> index == 0 ? Fault.status(429).header("Retry-After", "5") : Fault.ok());
    assertThat(statusOf(client, server)).isEqualTo(429);

    List<CompletableFuture<HttpResponse<Void>>> held = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      held.add(client.sendAsync(HttpRequest.newBuilder(server.uri("/api")).build(), BodyHandlers.discarding()));
    }
    time.drive(CompletableFuture.allOf(held.toArray(CompletableFuture[]::new))).join();

    List<Duration> expected = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      expected.add(Duration.ofMillis(5_000 + 100 * i)); // the gate, plus 0 to 0.9 of the 1 s default spread
    }
    assertThat(time.scheduledDelays()).containsExactlyElementsOf(expected);
    assertThat(held).allSatisfy(call -> assertThat(call.join().statusCode()).isEqualTo(200));
    assertThat(server.requestCount()).isEqualTo(11);
  }

  @Test
  void aShortGateIsStretchedAtMostByItsOwnLength(FaultServer server) throws Exception {
    ResilientHttpClient client =
        ResilientHttpClient.newBuilder(jdk).retrier(oneAttempt()).timeSource(time).random(() -> 0.5).build();
    server.script("GET", "/api", Fault.status(429).header("Retry-After", "5"), Fault.ok());
    assertThat(statusOf(client, server)).isEqualTo(429);

    time.advance(Duration.ofMillis(4_600));
    assertThat(statusOf(client, server)).isEqualTo(200);

    // 400 ms left on the gate: the extra is half of min(1 s spread, 400 ms), not half of 1 s.
    assertThat(time.sleeps()).containsExactly(Duration.ofMillis(600));
  }

  @Test
  void theSpreadTakesAtMostHalfOfWhatACallHasLeftAfterTheGate(FaultServer server) throws Exception {
    ResilientHttpClient client = ResilientHttpClient.newBuilder(jdk).retrier(oneAttempt())
        .timeSource(time)
        .callTimeout(Duration.ofSeconds(6))
        .random(() -> 0.99)
        .build();
    server.script("GET", "/api", Fault.status(503).header("Retry-After", "5"), Fault.ok());
    assertThat(statusOf(client, server)).isEqualTo(503);

    assertThat(statusOf(client, server)).isEqualTo(200);

    // 990 ms drawn, but 1 s is left after the 5 s gate: the extra is cut to 500 ms.
    assertThat(time.sleeps()).containsExactly(Duration.ofMillis(5_500));
  }

  @Test
  void aNegativeSpreadOrAMissingRandomSourceIsRefusedWhenTheClientIsBuilt() {
    assertThatThrownBy(() -> ResilientHttpClient.newBuilder(jdk).gateReleaseSpread(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("gateReleaseSpread must be in [PT0S, PT2562047H47M16.854775807S] but was PT-0.001S");
    assertThatThrownBy(() -> ResilientHttpClient.newBuilder(jdk).random(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("random");
  }

  @Test
  void aRandomSourceDrawingOutsideZeroToOneFailsTheHeldCallSayingSo(FaultServer server) throws Exception {
    ResilientHttpClient client =
        ResilientHttpClient.newBuilder(jdk).retrier(oneAttempt()).timeSource(time).random(() -> 1.0).build();
    server.script("GET", "/api", Fault.status(429).header("Retry-After", "5"), Fault.ok());
    assertThat(statusOf(client, server)).isEqualTo(429);

    assertThatThrownBy(() -> statusOf(client, server))
        .isInstanceOf(java.io.IOException.class)
        .hasRootCauseInstanceOf(IllegalStateException.class)
        .hasRootCauseMessage("random must return a draw in [0, 1) but returned 1.0");
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void aCallWhoseDeadlineComesBeforeTheGateOpensFailsAtOnce(FaultServer server) throws Exception {
    ResilientHttpClient client =
        ResilientHttpClient.newBuilder(jdk).retrier(oneAttempt()).timeSource(time).callTimeout(Duration.ofSeconds(1)).build();
    server.script("GET", "/api", Fault.status(503).header("Retry-After", "30"), Fault.ok());

    assertThat(statusOf(client, server)).isEqualTo(503);
    assertThatThrownBy(() -> statusOf(client, server))
        .isInstanceOf(HttpTimeoutException.class)
        .hasMessageContaining("Retry-After")
        .hasMessageContaining("deadline");

    assertThat(server.requestCount()).isEqualTo(1);
    assertThat(time.elapsed()).isEqualTo(Duration.ZERO);
  }

  @Test
  void aRetryAfterBeyondTheCapHoldsTheBackendForTheCapAtMost(FaultServer server) throws Exception {
    ResilientHttpClient client = ResilientHttpClient.newBuilder(jdk).retrier(oneAttempt())
        .timeSource(time)
        .retryAfterCap(Duration.ofSeconds(60))
        .gateReleaseSpread(Duration.ZERO)
        .build();
    server.script("GET", "/api", Fault.status(429).header("Retry-After", "100"), Fault.ok());

    assertThat(statusOf(client, server)).isEqualTo(429);
    assertThat(statusOf(client, server)).as("held by the gate for the cap, not the 100 s asked").isEqualTo(200);
    assertThat(time.elapsed()).isEqualTo(Duration.ofSeconds(60));
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void turningTheGateOffLetsNewCallsThrough(FaultServer server) throws Exception {
    ResilientHttpClient client =
        ResilientHttpClient.newBuilder(jdk).retrier(oneAttempt()).timeSource(time).gateOnRetryAfter(false).build();
    server.script("GET", "/api", Fault.status(429).header("Retry-After", "5"), Fault.ok());

    assertThat(statusOf(client, server)).isEqualTo(429);
    HttpResponse<Void> second = client.send(HttpRequest.newBuilder(server.uri("/api")).build(), BodyHandlers.discarding());

    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(time.elapsed()).isEqualTo(Duration.ZERO);
  }
}
