package dev.resilienthttp.http;

import dev.resilienthttp.http.auth.AccessToken;
import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.http.Harness.Outcome;
import dev.resilienthttp.http.Harness.Path;
import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServerExtension;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bearer tokens against a real server, down both paths: fetched once and reused, refreshed
 * before they expire, replaced and replayed once after a 401, fetched through the client under
 * the token route's policy, and never attached where they do not belong.
 */
@ExtendWith(FaultServerExtension.class)
class BearerTokenTest {

  private AuthFixture f;

  private AuthFixture fixture(FaultServer server) {
    f = new AuthFixture(server);
    return f;
  }

  @AfterEach
  void close() {
    if (f != null) {
      f.close();
    }
  }

  private static void tokens(FaultServer server) {
    server.script("POST", AuthFixture.TOKEN_PATH, index -> Fault.ok("t" + (index + 1)));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aTokenIsFetchedOnceAttachedAndReused(Path path, FaultServer server) {
    AuthFixture f = fixture(server);
    tokens(server);
    ResilientHttpClient client = f.client(Retrier.none()).build();

    for (int i = 0; i < 3; i++) {
      assertThat(f.call(path, client, f.get("/api")).response().statusCode()).isEqualTo(200);
    }

    assertThat(f.tokenRequests()).isEqualTo(1);
    assertThat(f.authorizations("/api")).containsExactly("Bearer t1", "Bearer t1", "Bearer t1");
    assertThat(f.authorizations(AuthFixture.TOKEN_PATH)).as("no token on the token request").containsExactly("(none)");
    assertThat(f.auth.refreshed).containsExactly(Optional.of(Duration.ofHours(1)));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aTokenIsReplacedThirtySecondsBeforeItExpires(Path path, FaultServer server) {
    AuthFixture f = fixture(server);
    tokens(server);
    ResilientHttpClient client = f.client(Retrier.none(), f.tokenEndpoint(Duration.ofMinutes(5))).build();

    f.call(path, client, f.get("/api"));
    f.time.advance(Duration.ofSeconds(269)); // 4 min 29 s: 31 s of life left
    f.call(path, client, f.get("/api"));
    f.time.advance(Duration.ofSeconds(1)); // 30 s left: due
    f.call(path, client, f.get("/api"));

    assertThat(f.authorizations("/api")).containsExactly("Bearer t1", "Bearer t1", "Bearer t2");
    assertThat(f.tokenRequests()).isEqualTo(2);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aTokenIsUsedUntilTheNanosecondBeforeItsRefreshPointAndNeverFromIt(Path path, FaultServer server) {
    AuthFixture f = fixture(server);
    tokens(server);
    ResilientHttpClient client = f.client(Retrier.none(), f.tokenEndpoint(Duration.ofMinutes(5))).build();

    f.call(path, client, f.get("/api"));
    f.time.advance(Duration.ofSeconds(270).minusNanos(1)); // refresh point: 5 min - 30 s
    f.call(path, client, f.get("/api"));
    f.call(path, client, f.get("/api"));
    assertThat(f.tokenRequests()).isEqualTo(1);
    f.time.advance(Duration.ofNanos(1));
    assertThat(client.tokens().fresh()).as("dropped by its timer, before any call reads it").isNull();
    f.call(path, client, f.get("/api"));
    f.call(path, client, f.get("/api"));

    assertThat(f.authorizations("/api"))
        .containsExactly("Bearer t1", "Bearer t1", "Bearer t1", "Bearer t2", "Bearer t2");
    assertThat(f.tokenRequests()).isEqualTo(2);
    assertThat(f.time.elapsed()).as("the calls did not move the clock").isEqualTo(Duration.ofSeconds(270));
    assertThat(f.clientTime.pendingRefreshes()).as("t2's timer; t1's ran").isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aTokenWithoutALifetimeIsUsedUntilRefusedAndSchedulesNoTimer(Path path, FaultServer server) {
    AuthFixture f = fixture(server);
    tokens(server);
    server.script("GET", "/api", Fault.ok("a"), Fault.ok("b"), Fault.status(401), Fault.ok("c"));
    ResilientHttpClient client = f.client(Retrier.none(), f.tokenEndpoint(null)).build();

    f.call(path, client, f.get("/api"));
    f.time.advance(Duration.ofDays(3_650));
    f.call(path, client, f.get("/api"));
    f.call(path, client, f.get("/api")); // refused: replayed once with a new token

    assertThat(f.authorizations("/api")).containsExactly("Bearer t1", "Bearer t1", "Bearer t1", "Bearer t2");
    assertThat(f.tokenRequests()).isEqualTo(2);
    assertThat(f.clientTime.scheduledRefreshes()).as("no refresh timer").isZero();
    assertThat(f.auth.refreshed).containsExactly(Optional.empty(), Optional.empty());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void theRefreshSkewIsSettableAndAShortLivedTokenIsReplacedHalfwayThroughItsLife(Path path, FaultServer server) {
    AuthFixture f = fixture(server);
    tokens(server);
    ResilientHttpClient skew10 = f.client(Retrier.none(), f.tokenEndpoint(Duration.ofSeconds(40)))
        .tokenRefreshSkew(Duration.ofSeconds(10)).build();

    f.call(path, skew10, f.get("/api"));
    f.time.advance(Duration.ofSeconds(29));
    f.call(path, skew10, f.get("/api"));
    f.time.advance(Duration.ofSeconds(1)); // 10 s left
    f.call(path, skew10, f.get("/api"));
    assertThat(f.authorizations("/api")).containsExactly("Bearer t1", "Bearer t1", "Bearer t2");

    // 40 s tokens with the default 30 s skew: replaced after 20 s, not after 10 s.
    ResilientHttpClient skew30 = f.client(Retrier.none(), f.tokenEndpoint(Duration.ofSeconds(40))).build();
    f.call(path, skew30, f.get("/b"));
    f.time.advance(Duration.ofSeconds(19));
    f.call(path, skew30, f.get("/b"));
    f.time.advance(Duration.ofSeconds(1));
    f.call(path, skew30, f.get("/b"));
    assertThat(f.authorizations("/b")).containsExactly("Bearer t3", "Bearer t3", "Bearer t4");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void a401DropsTheTokenFetchesANewOneAndReplaysTheRequestOnce(Path path, FaultServer server) {
    AuthFixture f = fixture(server);
    tokens(server);
    server.script("POST", "/api", Fault.status(401).header("WWW-Authenticate", "Bearer error=\"invalid_token\""),
        Fault.ok("accepted"));
    ResilientHttpClient client = f.client(Retrier.none()).build();
    HttpRequest post = HttpRequest.newBuilder(server.uri("/api")).POST(BodyPublishers.ofString("{\"a\":1}")).build();

    Outcome<String> outcome = f.call(path, client, post);

    assertThat(outcome.response().body()).isEqualTo("accepted");
    assertThat(f.authorizations("/api")).containsExactly("Bearer t1", "Bearer t2");
    assertThat(server.requests().stream().filter(call -> call.path().equals("/api")))
        .as("the same body replayed").extracting(FaultServer.RecordedCall::bodyAsString)
        .containsExactly("{\"a\":1}", "{\"a\":1}");
    assertThat(f.tokenRequests()).isEqualTo(2);
    assertThat(f.auth.rejected).containsExactly("http://127.0.0.1:" + server.port());
    // The replay is an attempt like any other, at once; the retrier (none) was not charged for it.
    assertThat(f.events.retryDelays).containsExactly(Duration.ZERO);
    assertThat(f.time.elapsed()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aReplayIsNotCountedAgainstTheApplyingRetrier(Path path, FaultServer server) {
    AuthFixture f = fixture(server);
    tokens(server);
    server.script("GET", "/api", Fault.status(401), Fault.status(503), Fault.ok("third"));
    ResilientHttpClient client = f.client(FixedDelayRetrier.of(2, Duration.ofSeconds(1))).build();

    Outcome<String> outcome = f.call(path, client, f.get("/api"));

    assertThat(outcome.response().body()).as("the retrier's 2 attempts came after the replay").isEqualTo("third");
    assertThat(f.authorizations("/api")).containsExactly("Bearer t1", "Bearer t2", "Bearer t2");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void a401ForAOneShotBodyThatWasSentIsNotReplayed(Path path, FaultServer server) {
    AuthFixture f = fixture(server);
    tokens(server);
    server.script("POST", "/upload", Fault.status(401).body("who are you"), Fault.ok("never"));
    ResilientHttpClient client = f.client(Retrier.none()).build();
    HttpRequest post = HttpRequest.newBuilder(server.uri("/upload"))
        .POST(BodyPublishers.fromPublisher(oneShotBody("bytes"))).build();

    Outcome<String> outcome = f.call(path, client, post);

    assertThat(outcome.response().statusCode()).isEqualTo(401);
    assertThat(outcome.response().body()).isEqualTo("who are you");
    assertThat(server.requestCount("POST", "/upload")).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aRequestWithItsOwnAuthorizationOrOutsideThePredicateGetsNoToken(Path path, FaultServer server) {
    AuthFixture f = fixture(server);
    tokens(server);
    server.script("GET", "/mine", Fault.status(401));
    ResilientHttpClient client = f.client(Retrier.none())
        .bearerTokens(f.tokenEndpoint(Duration.ofHours(1)), request -> !request.uri().getPath().startsWith("/public"))
        .build();

    Outcome<String> mine = f.call(path, client,
        HttpRequest.newBuilder(server.uri("/mine")).header("Authorization", "Basic dXNlcjpwdw==").build());
    f.call(path, client, f.get("/public/logo"));

    assertThat(mine.response().statusCode()).as("its own 401, not handled").isEqualTo(401);
    assertThat(f.authorizations("/mine")).containsExactly("Basic dXNlcjpwdw==");
    assertThat(f.authorizations("/public/logo")).containsExactly("(none)");
    assertThat(f.tokenRequests()).isZero();
  }

  // ---- fetching the token through the client, under the token route's policy -----------------

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aTokenFetchRidesThroughTransient5xxOnTheTokenRoute(Path path, FaultServer server) {
    AuthFixture f = fixture(server);
    server.script("POST", AuthFixture.TOKEN_PATH,
        Fault.status(502), Fault.status(503), Fault.status(502), Fault.ok("t1"));
    ResilientHttpClient client = f.client(Retrier.none())
        .route(Route.post(AuthFixture.TOKEN_PATH).idempotent(), RoutePolicyTest.tokenRouteRetrier())
        .build();

    Outcome<String> outcome = f.call(path, client, f.get("/api"));

    assertThat(outcome.response().statusCode()).isEqualTo(200);
    assertThat(f.tokenRequests()).isEqualTo(4);
    assertThat(f.authorizations("/api")).containsExactly("Bearer t1");
    assertThat(f.events.retryDelays)
        .containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8));
    assertThat(f.time.elapsed()).isEqualTo(Duration.ofSeconds(14));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aRefusedConnectionToTheTokenEndpointFailsTheCallAtOnce(Path path, FaultServer server) throws Exception {
    AuthFixture f = fixture(server);
    URI refused;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      refused = URI.create("http://127.0.0.1:" + closed.getLocalPort() + AuthFixture.TOKEN_PATH);
    }
    AtomicInteger tokenAttempts = new AtomicInteger();
    ResilientHttpClient client = f.client(FixedDelayRetrier.of(3, Duration.ofSeconds(1)),
            AuthFixture.tokenEndpoint(refused, Duration.ofHours(1)))
        .route(Route.post(AuthFixture.TOKEN_PATH).idempotent(), RoutePolicyTest.tokenRouteRetrier())
        .listener(new dev.resilienthttp.retry.RetryListener() {
          @Override
          public void onAttemptStarted(dev.resilienthttp.retry.RetryContext context, int attempt) {
            tokenAttempts.incrementAndGet();
          }
        })
        .build();

    Outcome<String> outcome = f.call(path, client, f.get("/api"));

    TokenUnavailableException unavailable = outcome.failure(TokenUnavailableException.class);
    assertThat(causes(unavailable)).hasAtLeastOneElementOfType(ConnectException.class);
    assertThat(unavailable.getMessage()).startsWith("no bearer token: ");
    assertThat(tokenAttempts).as("one token attempt, then the call's one attempt, none more").hasValue(2);
    assertThat(server.requestCount()).as("the call was never sent").isZero();
    assertThat(f.time.elapsed()).isZero();
    assertThat(f.auth.refreshFailures).singleElement().satisfies(
        failure -> assertThat(causes(failure)).hasAtLeastOneElementOfType(ConnectException.class));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aTokenRouteOfOneAttemptMakesA5xxOnTheTokenEndpointFailTheCallAtOnce(Path path, FaultServer server) {
    AuthFixture f = fixture(server);
    server.script("POST", AuthFixture.TOKEN_PATH, Fault.status(503), Fault.ok("t1"));
    ResilientHttpClient client = f.client(FixedDelayRetrier.of(3, Duration.ofSeconds(1)))
        .route(Route.post(AuthFixture.TOKEN_PATH).idempotent(), Retrier.none())
        .build();

    Outcome<String> outcome = f.call(path, client, f.get("/api"));

    assertThat(outcome.failure(TokenUnavailableException.class))
        .hasMessage("no bearer token: token endpoint answered 503")
        .hasCauseInstanceOf(IOException.class);
    assertThat(f.tokenRequests()).isEqualTo(1);
    assertThat(server.requestCount("GET", "/api")).isZero();
    assertThat(f.time.elapsed()).isZero();

    // Nothing was cached: the next call fetches again, and gets through.
    assertThat(f.call(path, client, f.get("/api")).response().statusCode()).isEqualTo(200);
    assertThat(f.tokenRequests()).isEqualTo(2);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aCallWhoseDeadlinePassesWhileTheTokenIsFetchedGivesUpAndTheFetchGoesOn(Path path, FaultServer server) {
    AuthFixture f = fixture(server);
    CompletableFuture<AccessToken> slowToken = new CompletableFuture<>();
    AtomicInteger fetches = new AtomicInteger();
    ResilientHttpClient client = f.client(Retrier.none(), tokenClient -> {
          fetches.incrementAndGet();
          return slowToken;
        })
        .callTimeout(Duration.ofSeconds(1))
        .resultMode(ResultMode.THROW)
        .build();

    Outcome<String> outcome = f.call(path, client, f.get("/api"));

    assertThat(outcome.failure(java.net.http.HttpTimeoutException.class))
        .hasMessageContaining("deadline of 1 s passed");
    assertThat(f.time.elapsed()).isEqualTo(Duration.ofSeconds(1));
    assertThat(server.requestCount()).isZero();

    slowToken.complete(AccessToken.of("late", Duration.ofHours(1)));
    // Not driven: nothing is waited for, and the clock must not jump to the next call's deadline.
    assertThat(AuthFixture.outcome(f.start(path, client, f.get("/api"))).response().statusCode()).isEqualTo(200);
    assertThat(fetches).as("the late token was kept").hasValue(1);
    assertThat(f.authorizations("/api")).containsExactly("Bearer late");
  }

  @Test
  void aTokenNeverShowsInToStringAndABadValueIsRefusedWithoutShowingIt() {
    AccessToken token = AccessToken.of("s3cr3t-value", Duration.ofMinutes(5));

    assertThat(token).hasToString("AccessToken[REDACTED, lifetime=PT5M]");
    assertThat(AccessToken.withoutExpiry("s3cr3t-value")).hasToString("AccessToken[REDACTED, lifetime=unlimited]");
    assertThat(List.of(
            catchMessage(() -> AccessToken.of("s3cr3t\nInjected: yes", Duration.ofMinutes(5))),
            catchMessage(() -> AccessToken.of("  ", Duration.ofMinutes(5))),
            catchMessage(() -> AccessToken.of("v", Duration.ofSeconds(-1)))))
        .containsExactly(
            "value must hold no control character but held U+000A at index 6",
            "value must not be blank but was 2 blank characters",
            "lifetime must be in [PT0S, PT2562047H47M16.854775807S] but was PT-1S");
  }

  @Test
  void clientSettingsAreCheckedWhenSetNamingTheValueAndTheRange() {
    ResilientHttpClient.Builder builder = ResilientHttpClient.newBuilder(java.net.http.HttpClient.newHttpClient());

    assertThat(List.of(
            catchMessage(() -> builder.tokenRefreshSkew(Duration.ofSeconds(-1))),
            catchMessage(() -> builder.tokenRefreshSkew(Duration.ofDays(2))),
            catchMessage(() -> builder.authFailureRetries(11, Duration.ofMillis(100))),
            catchMessage(() -> builder.authFailureRetries(-1, Duration.ofMillis(100))),
            catchMessage(() -> builder.authFailureRetries(3, Duration.ZERO)),
            catchMessage(() -> builder.authFailureRetries(3, Duration.ofMinutes(2))),
            catchMessage(() -> ResilientRequests.callTimeout(HttpRequest.newBuilder(URI.create("http://x/")).build(),
                Duration.ofMillis(-50)))))
        .containsExactly(
            "tokenRefreshSkew must be in [PT0S, PT24H] but was PT-1S",
            "tokenRefreshSkew must be in [PT0S, PT24H] but was PT48H",
            "authFailureRetries must be in [0, 10] but was 11",
            "authFailureRetries must be in [0, 10] but was -1",
            "initialBackoff must be in (PT0S, PT1M] but was PT0S",
            "initialBackoff must be in (PT0S, PT1M] but was PT2M",
            "callTimeout must be in (PT0S, PT2562047H47M16.854775807S] but was PT-0.05S");
  }

  /** A body that can be read once; a second subscriber gets an error. */
  static Flow.Publisher<ByteBuffer> oneShotBody(String text) {
    AtomicBoolean used = new AtomicBoolean();
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return subscriber -> {
      boolean first = used.compareAndSet(false, true);
      subscriber.onSubscribe(new Flow.Subscription() {
        private final AtomicBoolean done = new AtomicBoolean();

        @Override
        public void request(long n) {
          if (done.compareAndSet(false, true)) {
            if (first) {
              subscriber.onNext(ByteBuffer.wrap(bytes));
              subscriber.onComplete();
            } else {
              subscriber.onError(new IllegalStateException("a one-shot body was subscribed twice"));
            }
          }
        }

        @Override
        public void cancel() {
          done.set(true);
        }
      });
    };
  }

  static List<Throwable> causes(Throwable failure) {
    List<Throwable> chain = new java.util.ArrayList<>();
    for (Throwable t = failure; t != null && !chain.contains(t); t = t.getCause()) {
      chain.add(t);
    }
    return chain;
  }

  private static String catchMessage(Runnable action) {
    try {
      action.run();
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected an IllegalArgumentException");
  }
}
