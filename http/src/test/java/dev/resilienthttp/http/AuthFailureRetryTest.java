package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.http.Harness.Outcome;
import dev.resilienthttp.http.Harness.Path;
import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.retry.RetryContext;
import dev.resilienthttp.retry.RetryListener;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServerExtension;
import dev.resilienthttp.testing.VirtualTime;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * When a call is still refused after its token was replaced: auth-failure retries with backoff
 * (100, 200, 400 ms), a per-backend auth circuit breaker, and backoff waits that the callers of
 * one backend share while each keeps its own deadline and cancellation. Against a real server,
 * down both paths, in virtual time.
 */
@ExtendWith(FaultServerExtension.class)
class AuthFailureRetryTest {

  private static final Duration MS_100 = Duration.ofMillis(100);

  private AuthFixture f;

  @AfterEach
  void close() {
    if (f != null) {
      f.close();
    }
    Thread.interrupted();
  }

  private AuthFixture fixture(FaultServer server, VirtualTime time) {
    f = new AuthFixture(server, time);
    server.script("POST", AuthFixture.TOKEN_PATH, index -> Fault.ok("t" + (index + 1)));
    return f;
  }

  private AuthFixture fixture(FaultServer server) {
    return fixture(server, VirtualTime.create());
  }

  // ---- one caller --------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aCallStillRefusedAfterTheReplayIsRetriedAfter100Then200Then400MsThenGivesUp(Path path, FaultServer server) {
    AuthFixture f = fixture(server);
    server.script("GET", "/api", Fault.status(401).body("denied"));
    ResilientHttpClient client = f.client(Retrier.none()).resultMode(ResultMode.THROW).build();

    Outcome<String> outcome = f.call(path, client, f.get("/api"));

    RetriesExhaustedException exhausted = outcome.failure(RetriesExhaustedException.class);
    assertThat(exhausted.reason()).isEqualTo(GiveUpReason.MAX_ATTEMPTS);
    assertThat(exhausted).hasMessage(
        "max auth-failure retries (3) reached after 5 attempts: authentication failed (status code 401)");
    assertThat(exhausted.getCause()).isInstanceOf(AuthenticationFailedException.class);
    assertThat(exhausted.getSuppressed()).hasSize(4);
    assertThat(f.authorizations("/api"))
        .containsExactly("Bearer t1", "Bearer t2", "Bearer t2", "Bearer t2", "Bearer t2");
    assertThat(f.tokenRequests()).as("one refresh only").isEqualTo(2);
    assertThat(f.events.retryDelays).containsExactly(Duration.ZERO, MS_100, MS_100.multipliedBy(2), MS_100.multipliedBy(4));
    assertThat(f.time.elapsed()).isEqualTo(Duration.ofMillis(700));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void inReturnModeTheCallerGetsTheLastRefusalAsAResponse(Path path, FaultServer server) {
    AuthFixture f = fixture(server);
    server.script("GET", "/api", Fault.status(401).body("first"), Fault.status(401).body("denied"));
    ResilientHttpClient client = f.client(Retrier.none()).build();

    Outcome<String> outcome = f.call(path, client, f.get("/api"));

    assertThat(outcome.response().statusCode()).isEqualTo(401);
    assertThat(outcome.response().body()).isEqualTo("denied");
    assertThat(server.requestCount("GET", "/api")).isEqualTo(5);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void a403IsRetriedWithBackoffWithoutReplacingTheToken(Path path, FaultServer server) {
    AuthFixture f = fixture(server);
    server.script("GET", "/api", Fault.status(403), Fault.status(403), Fault.ok("propagated"));
    ResilientHttpClient client = f.client(Retrier.none()).build();

    Outcome<String> outcome = f.call(path, client, f.get("/api"));

    assertThat(outcome.response().body()).isEqualTo("propagated");
    assertThat(f.authorizations("/api")).containsExactly("Bearer t1", "Bearer t1", "Bearer t1");
    assertThat(f.tokenRequests()).isEqualTo(1);
    assertThat(f.auth.rejected).isEmpty();
    assertThat(f.events.retryDelays).containsExactly(MS_100, MS_100.multipliedBy(2));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void theRetriesAreSettableAndZeroMeansNone(Path path, FaultServer server) {
    AuthFixture f = fixture(server);
    server.script("GET", "/api", Fault.status(403));
    ResilientHttpClient none = f.client(Retrier.none()).authFailureRetries(0, MS_100).build();
    ResilientHttpClient two = f.client(Retrier.none()).authFailureRetries(2, Duration.ofSeconds(1)).build();

    f.call(path, none, f.get("/api"));
    int withNone = server.requestCount("GET", "/api");
    f.call(path, two, f.get("/api"));

    assertThat(withNone).isEqualTo(1);
    assertThat(server.requestCount("GET", "/api") - withNone).isEqualTo(3);
    assertThat(f.events.retryDelays).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
  }

  // ---- the auth circuit breaker ------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void theAuthBreakerOpensAfterFiveExhaustedSequencesProbesAfter30sAndClosesOnSuccess(Path path, FaultServer server) {
    AuthFixture f = fixture(server);
    server.script("GET", "/api", Fault.status(401));
    ResilientHttpClient client = f.client(Retrier.none()).resultMode(ResultMode.THROW).build();
    String backend = "http://127.0.0.1:" + server.port();

    for (int i = 0; i < 5; i++) {
      assertThat(f.call(path, client, f.get("/api")).failure(RetriesExhaustedException.class).reason())
          .isEqualTo(GiveUpReason.MAX_ATTEMPTS);
    }
    CircuitBreaker breaker = client.authCircuitBreaker(server.uri("/")).orElseThrow();
    assertThat(breaker.name()).isEqualTo(backend);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(f.auth.transitions).containsExactly("CLOSED -> OPEN");
    assertThat(server.requestCount("GET", "/api")).isEqualTo(25);

    // Open: the 401 still gets its one replay with a new token, but no auth-failure retries.
    RetriesExhaustedException refused =
        f.call(path, client, f.get("/api")).failure(RetriesExhaustedException.class);
    assertThat(refused.reason()).isEqualTo(GiveUpReason.CIRCUIT_OPEN);
    assertThat(refused).hasMessage("no auth-failure retries for backend " + backend + ": auth circuit breaker '"
        + backend + "' is OPEN; next probe in 30.0 s, after 2 attempts: authentication failed (status code 401)");
    assertThat(server.requestCount("GET", "/api")).isEqualTo(27);

    f.time.advance(Duration.ofSeconds(30));
    server.script("GET", "/api", Fault.status(401), Fault.status(401), Fault.ok("back"));
    Outcome<String> probe = f.call(path, client, f.get("/api"));

    assertThat(probe.response().body()).isEqualTo("back");
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(f.auth.transitions).containsExactly("CLOSED -> OPEN", "OPEN -> HALF_OPEN", "HALF_OPEN -> CLOSED");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aSequenceThatRecoversBreaksTheRunOfExhaustedOnes(Path path, FaultServer server) {
    AuthFixture f = fixture(server);
    ResilientHttpClient client = f.client(Retrier.none()).build();

    server.script("GET", "/api", Fault.status(403));
    for (int i = 0; i < 4; i++) {
      f.call(path, client, f.get("/api"));
    }
    server.script("GET", "/api", Fault.status(403), Fault.ok("once"));
    assertThat(f.call(path, client, f.get("/api")).response().body()).isEqualTo("once");
    server.script("GET", "/api", Fault.status(403));
    for (int i = 0; i < 4; i++) {
      f.call(path, client, f.get("/api"));
    }

    assertThat(client.authCircuitBreaker(server.uri("/")).orElseThrow().state())
        .as("4 exhausted, 1 recovered, 4 exhausted: never 5 in a row").isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(f.auth.transitions).isEmpty();
    assertThat(server.requestCount("GET", "/api")).isEqualTo(8 * 4 + 2);
  }

  @Test
  void eachBackendHasItsOwnAuthBreakerUnlessTheUserNamesBackendsTogether(FaultServer server) throws Exception {
    AuthFixture f = fixture(server);
    server.script("GET", "/api", Fault.status(403));
    try (FaultServer other = FaultServer.start()) {
      ResilientHttpClient perHost = f.client(Retrier.none()).build();
      ResilientHttpClient named = f.client(Retrier.none()).backendKey(uri -> "api").build();
      for (int i = 0; i < 5; i++) {
        perHost.send(f.get("/api"), BodyHandlers.discarding());
        named.send(f.get("/api"), BodyHandlers.discarding());
      }
      perHost.send(java.net.http.HttpRequest.newBuilder(other.uri("/api")).build(), BodyHandlers.discarding());
      named.send(java.net.http.HttpRequest.newBuilder(other.uri("/api")).build(), BodyHandlers.discarding());

      assertThat(perHost.authCircuitBreaker(server.uri("/")).orElseThrow().state()).isEqualTo(CircuitBreaker.State.OPEN);
      assertThat(perHost.authCircuitBreaker(other.uri("/")).orElseThrow().state()).isEqualTo(CircuitBreaker.State.CLOSED);
      CircuitBreaker shared = named.authCircuitBreaker(other.uri("/")).orElseThrow();
      assertThat(shared.name()).isEqualTo("api");
      assertThat(shared).isSameAs(named.authCircuitBreaker(server.uri("/")).orElseThrow());
      assertThat(shared.state()).isEqualTo(CircuitBreaker.State.OPEN);
    }
  }

  // ---- callers of one backend share each wait, and each keeps its own deadline ------------------

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aCallerReachingARetryDuringAnothersWaitJoinsItAndBothRetryAtOnce(Path path, FaultServer server) {
    AuthFixture f = fixture(server, VirtualTime.withBlockingSleeps());
    server.script("GET", "/api", Fault.status(401));
    AttemptTimes times = new AttemptTimes(f.time);
    ResilientHttpClient client = f.client(Retrier.none()).listener(times).build();

    CompletableFuture<HttpResponse<String>> a = f.start(path, client, f.get("/api"));
    stepUntil(f, () -> f.events.retryDelays.contains(MS_100) && f.pendingCallTimers() == 1, "a waits 100 ms");
    f.time.advance(Duration.ofMillis(40));
    CompletableFuture<HttpResponse<String>> c = f.start(path, client, f.get("/api"));
    stepUntil(f, () -> f.events.retryDelays.contains(Duration.ofMillis(60)) && f.pendingCallTimers() == 2,
        "c joins a's wait, which has 60 ms left");
    f.drive(() -> f.pendingCallTimers() >= unfinished(a, c), a, c);

    assertThat(AuthFixture.outcome(a).response().statusCode()).isEqualTo(401);
    assertThat(AuthFixture.outcome(c).response().statusCode()).isEqualTo(401);
    // Each caller's attempts, in ms of virtual time: the retries of both go together.
    assertThat(times.ofCallsWithAttempts(5)).containsExactlyInAnyOrder(
        List.of(0L, 0L, 100L, 300L, 700L),
        List.of(40L, 40L, 100L, 300L, 700L));
    assertThat(server.requestCount("GET", "/api")).isEqualTo(10);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aCallerWhoseOwnDeadlineComesBeforeTheSharedWaitEndsReturnsAtOnce(Path path, FaultServer server) {
    AuthFixture f = fixture(server, VirtualTime.withBlockingSleeps());
    server.script("GET", "/api", Fault.status(401), Fault.status(401), Fault.status(401), Fault.status(401),
        Fault.ok("patient"));
    ResilientHttpClient client = f.client(Retrier.none())
        .authFailureRetries(3, Duration.ofMillis(400))
        .resultMode(ResultMode.THROW)
        .build();

    CompletableFuture<HttpResponse<String>> patient = f.start(path, client, f.get("/api"));
    stepUntil(f, () -> f.pendingCallTimers() == 1 && f.events.retryDelays.contains(Duration.ofMillis(400)),
        "the patient caller waits 400 ms");
    CompletableFuture<HttpResponse<String>> hurried =
        f.start(path, client, ResilientRequests.callTimeout(f.get("/api"), Duration.ofMillis(50)));
    stepUntil(f, hurried::isDone, "the hurried caller returns");

    CallTimeoutException late = AuthFixture.outcome(hurried).failure(CallTimeoutException.class);
    assertThat(late).hasCauseInstanceOf(AuthenticationFailedException.class);
    assertThat(late).hasMessage("deadline of 50 ms would pass before attempt 3 (wait 400 ms, 50 ms left)"
        + ": authentication failed (status code 401)");
    assertThat(f.time.elapsed()).as("returned at once, well within its 50 ms").isZero();
    assertThat(patient).isNotDone();

    f.drive(() -> true, patient);

    assertThat(AuthFixture.outcome(patient).response().body()).isEqualTo("patient");
    assertThat(f.time.elapsed()).isEqualTo(Duration.ofMillis(400));
    assertThat(server.requestCount("GET", "/api")).as("the hurried caller sent no retry").isEqualTo(5);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aCallerCancelledDuringTheSharedWaitReturnsAtOnceAndTheOthersGoOn(Path path, FaultServer server)
      throws Exception {
    AuthFixture f = fixture(server, VirtualTime.withBlockingSleeps());
    server.script("GET", "/api", Fault.status(401), Fault.status(401), Fault.status(401), Fault.status(401),
        Fault.ok("patient"));
    ResilientHttpClient client = f.client(Retrier.none()).authFailureRetries(3, Duration.ofMillis(400)).build();

    CompletableFuture<HttpResponse<String>> patient = f.start(path, client, f.get("/api"));
    stepUntil(f, () -> f.pendingCallTimers() == 1 && f.events.retryDelays.contains(Duration.ofMillis(400)),
        "the patient caller waits 400 ms");
    CompletableFuture<HttpResponse<String>> leaving;
    Thread leavingThread = null;
    if (path == Path.ASYNC) {
      leaving = client.sendAsync(f.get("/api"), BodyHandlers.ofString());
    } else {
      CompletableFuture<HttpResponse<String>> outcome = new CompletableFuture<>();
      leavingThread = new Thread(() -> {
        try {
          outcome.complete(client.send(f.get("/api"), BodyHandlers.ofString()));
        } catch (Throwable t) {
          outcome.completeExceptionally(t);
        }
      });
      leavingThread.start();
      leaving = outcome;
    }
    stepUntil(f, () -> f.events.retryDelays.size() == 4 && f.pendingCallTimers() == 2,
        "the second caller joins the wait");
    assertThat(f.events.retryDelays).containsExactly(Duration.ZERO, Duration.ofMillis(400), Duration.ZERO,
        Duration.ofMillis(400));

    f.time.advance(Duration.ofMillis(50));
    if (path == Path.ASYNC) {
      assertThat(leaving.cancel(true)).isTrue();
    } else {
      leavingThread.interrupt();
    }
    AuthFixture.awaitTrue(leaving::isDone, "the cancelled caller returns");

    assertThat(f.time.elapsed()).as("returned at its cancellation").isEqualTo(Duration.ofMillis(50));
    Throwable failure = AuthFixture.outcome(leaving).failure();
    if (path == Path.ASYNC) {
      assertThat(failure).isInstanceOf(CancellationException.class);
    } else {
      assertThat(failure).isInstanceOf(InterruptedException.class).hasMessage("cancelled during retry wait");
    }
    assertThat(f.pendingCallTimers()).as("only the patient caller's wait is left").isEqualTo(1);

    f.drive(() -> true, patient);

    assertThat(AuthFixture.outcome(patient).response().body()).isEqualTo("patient");
    assertThat(f.time.elapsed()).isEqualTo(Duration.ofMillis(400));
    assertThat(server.requestCount("GET", "/api")).as("the cancelled caller sent no retry").isEqualTo(5);
  }

  // ---- helpers --------------------------------------------------------------------------------

  private static int unfinished(CompletableFuture<?>... calls) {
    int count = 0;
    for (CompletableFuture<?> call : calls) {
      if (!call.isDone()) {
        count++;
      }
    }
    return count;
  }

  /**
   * Runs the timers due now (an asynchronous replay is one, due at once) without moving the
   * clock, until {@code condition} holds. The bound stops a broken test from hanging; it is not
   * a timing assertion.
   */
  static void stepUntil(AuthFixture f, BooleanSupplier condition, String what) {
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean() && System.nanoTime() - giveUp < 0) {
      f.time.advance(Duration.ZERO);
      Thread.yield();
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }

  /** The virtual time (ms) each attempt of each call started at, by call. */
  static final class AttemptTimes implements RetryListener {
    private final VirtualTime time;
    private final Map<RetryContext, List<Long>> byCall = new ConcurrentHashMap<>();

    AttemptTimes(VirtualTime time) {
      this.time = time;
    }

    @Override
    public void onAttemptStarted(RetryContext context, int attempt) {
      byCall.computeIfAbsent(context, c -> new CopyOnWriteArrayList<>()).add(time.elapsed().toMillis());
    }

    List<List<Long>> ofCallsWithAttempts(int attempts) {
      return byCall.values().stream()
          .filter(times -> times.size() == attempts)
          .map(ArrayList::new)
          .collect(Collectors.toList());
    }
  }
}
