package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.http.Harness.Outcome;
import dev.resilienthttp.http.Harness.Path;
import dev.resilienthttp.http.auth.AccessToken;
import dev.resilienthttp.http.auth.TokenSource;
import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.retry.RetryScope;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServerExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bearer-token regressions from the issue (failures 5, 7, 8 and 18, and "tokens only where the
 * user says"), against a real server in virtual time, down both paths: how often a refused
 * request is sent, a token endpoint that never answers, the shared fetch ignoring the caller's
 * scope, the token endpoint's secrets kept out of messages, and where a token goes.
 */
@ExtendWith(FaultServerExtension.class)
@Timeout(60) // a hang guard for the whole class, not a timing assertion
class BearerTokenRegressionTest {

  private static final String SECRET = "SECRET123";
  private static final String REFRESH = "R456";

  private AuthFixture f;

  @AfterEach
  void close() {
    if (f != null) {
      f.close();
    }
  }

  private AuthFixture fixture(FaultServer server) {
    f = new AuthFixture(server);
    return f;
  }

  private static void numberedTokens(FaultServer server) {
    server.script("POST", AuthFixture.TOKEN_PATH, index -> Fault.ok("t" + (index + 1)));
  }

  private HttpRequest post(String path) {
    return HttpRequest.newBuilder(f.server.uri(path)).POST(BodyPublishers.ofString("{\"order\":1}")).build();
  }

  // ---- failure 5: how often a refused request is sent ------------------------------------------

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aPostAnswered403IsSentExactlyOnce(Path path, FaultServer server) {
    AuthFixture f = fixture(server);
    numberedTokens(server);
    server.script("POST", "/api", Fault.status(403).body("forbidden"));
    ResilientHttpClient client = f.client(Retrier.none()).build();

    Outcome<String> outcome = f.call(path, client, post("/api"));

    assertThat(outcome.response().statusCode()).isEqualTo(403);
    assertThat(server.requestCount("POST", "/api")).isEqualTo(1);
    assertThat(f.tokenRequests()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aPostAnswered401IsSentTwiceTheSecondTimeWithAFreshToken(Path path, FaultServer server) {
    AuthFixture f = fixture(server);
    numberedTokens(server);
    server.script("POST", "/api", Fault.status(401).body("unauthorized"));
    ResilientHttpClient client = f.client(Retrier.none()).build();

    Outcome<String> outcome = f.call(path, client, post("/api"));

    assertThat(outcome.response().statusCode()).isEqualTo(401);
    assertThat(server.requestCount("POST", "/api")).isEqualTo(2);
    assertThat(f.authorizations("/api")).containsExactly("Bearer t1", "Bearer t2");
    assertThat(server.requests().stream().filter(call -> call.path().equals("/api")))
        .allSatisfy(call -> assertThat(call.bodyAsString()).isEqualTo("{\"order\":1}"));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aGetAnswered403IsSentOncePlusThreeAuthFailureRetries(Path path, FaultServer server) {
    AuthFixture f = fixture(server);
    numberedTokens(server);
    server.script("GET", "/api", Fault.status(403).body("forbidden"));
    ResilientHttpClient client = f.client(Retrier.none()).build();

    Outcome<String> outcome = f.call(path, client, f.get("/api"));

    assertThat(outcome.response().statusCode()).isEqualTo(403);
    assertThat(server.requestCount("GET", "/api")).isEqualTo(1 + 3);
    assertThat(f.tokenRequests()).isEqualTo(1);
  }

  // ---- failure 7: a token endpoint that never answers ------------------------------------------

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  @Timeout(60)
  void aTokenFetchThatNeverAnswersFailsItsWaitingCallersAtTheFetchTimeoutAndTheNextCallFetchesAnew(
      Path path, FaultServer server) throws Exception {
    AuthFixture f = fixture(server);
    server.script("POST", AuthFixture.TOKEN_PATH, Fault.ok("t1").delay(Duration.ofHours(1)), Fault.ok("t2"));
    ResilientHttpClient client = f.client(Retrier.none()).tokenFetchTimeout(Duration.ofSeconds(5)).build();

    List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
    List<Thread> syncCallers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      waiting.add(startJoiningTheFlight(path, client, f.get("/api"), syncCallers));
    }
    assertThat(server.awaitRequestCount(1, Duration.ofSeconds(10))).isEqualTo(1);
    for (Thread caller : syncCallers) {
      AuthFixture.awaitTrue(() -> waitsInAnAttempt(caller), "sync caller " + caller.getName() + " waits for the token");
    }
    assertThat(waiting).noneMatch(CompletableFuture::isDone);

    f.time.advance(Duration.ofSeconds(5));

    for (CompletableFuture<HttpResponse<String>> call : waiting) {
      Throwable failure = AuthFixture.outcome(call).failure(TokenUnavailableException.class);
      assertThat(failure.getCause()).isInstanceOf(TimeoutException.class);
    }
    assertThat(f.tokenRequests()).as("one fetch for the three waiting callers").isEqualTo(1);
    assertThat(server.requestCount("GET", "/api")).isZero();

    Outcome<String> later = f.call(path, client, f.get("/api"));

    assertThat(later.response().statusCode()).isEqualTo(200);
    assertThat(f.tokenRequests()).as("the later call started a new fetch").isEqualTo(2);
    assertThat(f.authorizations("/api")).containsExactly("Bearer t2");
  }

  /**
   * Starts a call that will wait for the token flight. An asynchronous one has joined it when
   * {@code sendAsync} returns; a synchronous one runs on a thread of its own, listed in {@code
   * threads}, and has joined it once it waits in its attempt.
   */
  private CompletableFuture<HttpResponse<String>> startJoiningTheFlight(
      Path path, ResilientHttpClient client, HttpRequest request, List<Thread> threads) {
    if (path == Path.ASYNC) {
      return client.sendAsync(request, BodyHandlers.ofString());
    }
    CompletableFuture<HttpResponse<String>> result = new CompletableFuture<>();
    Thread caller = new Thread(() -> {
      try {
        result.complete(client.send(request, BodyHandlers.ofString()));
      } catch (Throwable failure) {
        result.completeExceptionally(failure);
      }
    }, "sync-caller-" + threads.size());
    caller.setDaemon(true);
    threads.add(caller);
    caller.start();
    return result;
  }

  private static boolean waitsInAnAttempt(Thread caller) {
    if (caller.getState() != Thread.State.WAITING && caller.getState() != Thread.State.TIMED_WAITING) {
      return false;
    }
    return Arrays.stream(caller.getStackTrace()).anyMatch(frame -> frame.getMethodName().equals("attemptSync"));
  }

  // ---- failure 8: the shared fetch ignores the caller's RetryScope -----------------------------

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aTokenFetchStartedInsideARetryScopeOfNoRetriesStillGetsTheTokenRoutesRetries(Path path, FaultServer server) {
    AuthFixture f = fixture(server);
    server.script("POST", AuthFixture.TOKEN_PATH, Fault.status(503), Fault.ok("t1"));
    ResilientHttpClient client = f.client(Harness.backoff(3, Duration.ofMillis(100)))
        .route(Route.post(AuthFixture.TOKEN_PATH).idempotent(), Harness.backoff(3, Duration.ofMillis(100)))
        .build();

    CompletableFuture<HttpResponse<String>> call = startInScope(path, Retrier.none(), client, f.get("/api"));
    f.drive(() -> true, call);
    Outcome<String> outcome = AuthFixture.outcome(call);

    assertThat(outcome.response().statusCode()).isEqualTo(200);
    assertThat(f.tokenRequests()).as("the token route's retry was made").isEqualTo(2);
    assertThat(f.authorizations("/api")).containsExactly("Bearer t1");
  }

  /** Starts a call inside {@code RetryScope.open(scoped)}, on the thread that makes the call. */
  private static CompletableFuture<HttpResponse<String>> startInScope(
      Path path, Retrier scoped, ResilientHttpClient client, HttpRequest request) {
    if (path == Path.ASYNC) {
      try (RetryScope scope = RetryScope.open(scoped)) {
        return client.sendAsync(request, BodyHandlers.ofString());
      }
    }
    CompletableFuture<HttpResponse<String>> result = new CompletableFuture<>();
    Thread caller = new Thread(() -> {
      try (RetryScope scope = RetryScope.open(scoped)) {
        result.complete(client.send(request, BodyHandlers.ofString()));
      } catch (Throwable failure) {
        result.completeExceptionally(failure);
      }
    }, "sync-caller-in-scope");
    caller.setDaemon(true);
    caller.start();
    return result;
  }

  // ---- failure 18: the token endpoint's secrets stay out of messages ---------------------------

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aTokenEndpointsSecretsInItsErrorBodyNeverReachTheMessagesOfTokenUnavailable(Path path, FaultServer server) {
    AuthFixture f = fixture(server);
    server.script("POST", AuthFixture.TOKEN_PATH, Fault.status(500)
        .header("Content-Type", "application/json")
        .body("{\"access_token\":\"" + SECRET + "\",\"refresh_token\":\"" + REFRESH + "\"}"));
    List<Throwable> sourcesOwn = new java.util.concurrent.CopyOnWriteArrayList<>();
    // A token source as many are written: its error quotes what the endpoint answered.
    TokenSource quoting = tokenClient -> tokenClient
        .sendAsync(HttpRequest.newBuilder(server.uri(AuthFixture.TOKEN_PATH))
            .POST(BodyPublishers.ofString("grant_type=client_credentials")).build(), BodyHandlers.ofString())
        .thenApply(response -> {
          if (response.statusCode() != 200) {
            IOException failure = new IOException(
                "token endpoint answered " + response.statusCode() + ": " + response.body());
            sourcesOwn.add(failure);
            throw new CompletionException(failure);
          }
          return AccessToken.of(response.body(), Duration.ofHours(1));
        });
    ResilientHttpClient client = f.client(FixedDelayRetrier.of(3, Duration.ofSeconds(1)), quoting)
        .route(Route.post(AuthFixture.TOKEN_PATH).idempotent(), Retrier.none())
        .build();

    Outcome<String> outcome = f.call(path, client, f.get("/api"));

    TokenUnavailableException unavailable = outcome.failure(TokenUnavailableException.class);
    assertThat(sourcesOwn).as("the source's own errors quote the secrets").isNotEmpty()
        .allSatisfy(own -> assertThat(own).hasMessageContaining(SECRET).hasMessageContaining(REFRESH));
    // The source's own exception is the user's text, which the library cannot rewrite; every
    // other message in the chain, the library's, must not quote it.
    List<String> texts = new ArrayList<>();
    for (Throwable t : chain(unavailable)) {
      if (sourcesOwn.stream().noneMatch(own -> own == t)) {
        texts.add(t.getClass().getName() + ": " + t.getMessage() + " | " + t);
      }
    }
    assertThat(unavailable.getMessage()).doesNotContain(SECRET).doesNotContain(REFRESH);
    assertThat(texts).isNotEmpty().allSatisfy(text -> assertThat(text).doesNotContain(SECRET).doesNotContain(REFRESH));
  }

  /**
   * The class description of {@link TokenUnavailableException}: the fetch already had the token
   * route's retries, and retrying each waiting call would multiply token requests.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aCallWhoseTokenIsUnavailableIsNotRetriedByItsRetrier(Path path, FaultServer server) {
    AuthFixture f = fixture(server);
    server.script("POST", AuthFixture.TOKEN_PATH, Fault.status(500), Fault.ok("t2"));
    ResilientHttpClient client = f.client(FixedDelayRetrier.of(3, Duration.ofSeconds(1)))
        .route(Route.post(AuthFixture.TOKEN_PATH).idempotent(), Retrier.none())
        .build();

    Outcome<String> outcome = f.call(path, client, f.get("/api"));

    outcome.failure(TokenUnavailableException.class);
    assertThat(f.tokenRequests()).as("token requests").isEqualTo(1);
    assertThat(f.events.attemptsStarted).as("attempts started (token fetch and call)").containsExactly(1, 1);
    assertThat(server.requestCount("GET", "/api")).isZero();
    assertThat(f.time.elapsed()).isZero();
  }

  /** {@code failure}, its causes and suppressed exceptions, recursively, each once. */
  static List<Throwable> chain(Throwable failure) {
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    List<Throwable> out = new ArrayList<>();
    collect(failure, seen, out);
    return out;
  }

  private static void collect(Throwable t, Map<Throwable, Boolean> seen, List<Throwable> out) {
    if (t == null || seen.put(t, Boolean.TRUE) != null || out.size() > 100) {
      return;
    }
    out.add(t);
    collect(t.getCause(), seen, out);
    for (Throwable suppressed : t.getSuppressed()) {
      collect(suppressed, seen, out);
    }
  }

  // ---- tokens only where the user says ----------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aTokenForOneHostNameIsNotSentToAnotherNameOfTheSameServer(Path path, FaultServer server) {
    AuthFixture f = fixture(server);
    numberedTokens(server);
    ResilientHttpClient client = f.client(Retrier.none())
        .bearerTokens(f.tokenEndpoint(Duration.ofHours(1)), "127.0.0.1")
        .build();
    URI viaLocalhost = URI.create("http://localhost:" + server.port() + "/api");

    Outcome<String> toLocalhost = f.call(path, client, HttpRequest.newBuilder(viaLocalhost).build());
    Outcome<String> toTheNamedHost = f.call(path, client, f.get("/api"));

    assertThat(toLocalhost.response().statusCode()).isEqualTo(200);
    assertThat(toTheNamedHost.response().statusCode()).isEqualTo(200);
    assertThat(f.authorizations("/api")).as("localhost first, then 127.0.0.1")
        .containsExactly("(none)", "Bearer t1");
    assertThat(server.requests().stream().filter(call -> call.path().equals("/api"))
        .map(call -> call.header("Host").orElse("")).collect(Collectors.toList()))
        .containsExactly("localhost:" + server.port(), "127.0.0.1:" + server.port());
    assertThat(f.tokenRequests()).as("no token was fetched for localhost").isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aTokenOfZeroLifetimeServesTheCallAtHandAndIsNotCached(Path path, FaultServer server) {
    AuthFixture f = fixture(server);
    numberedTokens(server);
    ResilientHttpClient client = f.client(Retrier.none(), f.tokenEndpoint(Duration.ZERO)).build();

    assertThat(f.call(path, client, f.get("/api")).response().statusCode()).isEqualTo(200);
    assertThat(f.call(path, client, f.get("/api")).response().statusCode()).isEqualTo(200);

    assertThat(f.authorizations("/api")).containsExactly("Bearer t1", "Bearer t2");
    assertThat(f.tokenRequests()).isEqualTo(2);
    assertThat(f.clientTime.scheduledRefreshes()).as("no refresh timer for a token never cached").isZero();
  }
}
