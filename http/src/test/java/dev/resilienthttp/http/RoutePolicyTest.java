package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.resilienthttp.http.Harness.Outcome;
import dev.resilienthttp.http.Harness.Path;
import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.retry.RetryScope;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServerExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Per-endpoint retriers against a real server, down both paths: a token endpoint with its own
 * patient budget, which applies to that route only; first match wins; a scope still overrides a
 * route, and a route the client default; a route can make its POSTs safe to repeat.
 */
@ExtendWith(FaultServerExtension.class)
class RoutePolicyTest {

  private final Harness h = new Harness();

  /** DESIGN.md's token route: 7 attempts, 2 s initial, x2, 60 s cap, no jitter. */
  static Retrier tokenRouteRetrier() {
    return Harness.backoff(7, Duration.ofSeconds(2));
  }

  private static HttpRequest post(FaultServer server, String path) {
    return HttpRequest.newBuilder(server.uri(path)).POST(BodyPublishers.ofString("grant_type=client_credentials")).build();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aTokenRouteOf7AttemptsRidesThroughThree502sWaiting2Then4Then8Seconds(Path path, FaultServer server) {
    server.script("POST", "/auth/token", Fault.status(502), Fault.status(502), Fault.status(502), Fault.ok("t1"));
    ResilientHttpClient client =
        h.client(Retrier.none()).route(Route.post("/auth/token").idempotent(), tokenRouteRetrier()).build();

    Outcome<String> outcome = h.call(path, client, post(server, "/auth/token"));

    assertThat(outcome.response().body()).isEqualTo("t1");
    assertThat(server.requestCount("POST", "/auth/token")).isEqualTo(4);
    assertThat(h.events.retryDelays)
        .containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8));
    assertThat(h.time.elapsed()).isEqualTo(Duration.ofSeconds(14));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aTokenEndpointThatAlwaysFailsEndsServerUnavailableAfterTheSeventhAttempt(Path path, FaultServer server) {
    server.script("POST", "/auth/token", Fault.status(502));
    ResilientHttpClient client = h.client(Retrier.none())
        .route(Route.post("/auth/token").idempotent(), tokenRouteRetrier())
        .resultMode(ResultMode.THROW)
        .build();

    Outcome<String> outcome = h.call(path, client, post(server, "/auth/token"));

    RetriesExhaustedException exhausted = outcome.failure(RetriesExhaustedException.class);
    assertThat(exhausted.reason()).isEqualTo(GiveUpReason.MAX_ATTEMPTS);
    assertThat(exhausted).hasMessage("max retry attempts (7) reached: server unavailable (status code 502)")
        .hasCauseInstanceOf(ServerUnavailableException.class);
    assertThat(exhausted.attempts()).isEqualTo(7);
    assertThat(server.requestCount("POST", "/auth/token")).isEqualTo(7);
    // 2, 4, 8, 16, 32, then capped at 60: about two minutes in all, then it stops.
    assertThat(h.time.elapsed()).isEqualTo(Duration.ofSeconds(122));
    assertThat(h.time.pendingTasks()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void theTokenRoutesBudgetIsItsOwnA502ElsewhereGetsTheDefaultsOneAttempt(Path path, FaultServer server) {
    server.script("GET", "/users/me", Fault.status(502).body("bad gateway"));
    server.script("POST", "/auth/token", Fault.status(502), Fault.status(502), Fault.ok("t1"));
    ResilientHttpClient client = h.client(Harness.backoff(1, Duration.ofSeconds(1)))
        .route(Route.post("/auth/token").idempotent(), tokenRouteRetrier())
        .build();

    Outcome<String> me = h.call(path, client, Harness.get(server, "/users/me"));

    assertThat(me.response().statusCode()).isEqualTo(502);
    assertThat(server.requestCount("GET", "/users/me")).isEqualTo(1);
    assertThat(h.time.elapsed()).isZero();

    Outcome<String> token = h.call(path, client, post(server, "/auth/token"));

    assertThat(token.response().body()).isEqualTo("t1");
    assertThat(server.requestCount("POST", "/auth/token")).isEqualTo(3);
  }

  // ---- which retrier applies ---------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aScopeOverridesARouteWhichOverridesTheClientDefaultWhichOverridesNone(Path path, FaultServer server)
      throws Exception {
    server.script("GET", "/users/42", Fault.status(503));
    server.script("GET", "/other", Fault.status(503));
    Duration second = Duration.ofSeconds(1);
    ResilientHttpClient client = h.client(FixedDelayRetrier.of(2, second))
        .route(Route.get("/users/{id}"), FixedDelayRetrier.of(3, second))
        .build();
    ResilientHttpClient noDefault = ResilientHttpClient.newBuilder(h.http).timeSource(h.time).build();

    try (RetryScope scope = RetryScope.open(FixedDelayRetrier.of(5, second))) {
      h.call(path, client, Harness.get(server, "/users/42"));
    }
    int scoped = server.requestCount("GET", "/users/42");
    h.call(path, client, Harness.get(server, "/users/42"));
    int routed = server.requestCount("GET", "/users/42") - scoped;
    h.call(path, client, Harness.get(server, "/other"));
    int byDefault = server.requestCount("GET", "/other");
    noDefault.send(Harness.get(server, "/other"), java.net.http.HttpResponse.BodyHandlers.discarding());
    int none = server.requestCount("GET", "/other") - byDefault;

    assertThat(List.of(scoped, routed, byDefault, none)).containsExactly(5, 3, 2, 1);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void theFirstMatchingRouteWins(Path path, FaultServer server) {
    server.scriptAll(Fault.status(503));
    Duration second = Duration.ofSeconds(1);
    ResilientHttpClient meFirst = h.client(Retrier.none())
        .route(Route.get("/users/me"), FixedDelayRetrier.of(4, second))
        .route(Route.get("/users/{id}"), FixedDelayRetrier.of(2, second))
        .build();
    ResilientHttpClient templateFirst = h.client(Retrier.none())
        .route(Route.get("/users/{id}"), FixedDelayRetrier.of(2, second))
        .route(Route.get("/users/me"), FixedDelayRetrier.of(4, second))
        .build();

    h.call(path, meFirst, Harness.get(server, "/users/me"));
    h.call(path, meFirst, Harness.get(server, "/users/42"));
    h.call(path, templateFirst, Harness.get(server, "/users/me"));

    assertThat(server.requests().stream().map(FaultServer.RecordedCall::path).collect(Collectors.toList()))
        .containsExactly("/users/me", "/users/me", "/users/me", "/users/me",
            "/users/42", "/users/42",
            "/users/me", "/users/me");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aRouteMarkedIdempotentHasItsPostsRetriedOn5xxAndAnUnmarkedOneDoesNot(Path path, FaultServer server) {
    server.script("POST", "/orders", Fault.status(503), Fault.ok("created"));
    server.script("POST", "/payments", Fault.status(503), Fault.ok("paid twice?"));
    Retrier three = FixedDelayRetrier.of(3, Duration.ofSeconds(1));
    ResilientHttpClient client = h.client(Retrier.none())
        .route(Route.post("/orders").idempotent(), three)
        .route(Route.post("/payments"), three)
        .build();

    Outcome<String> orders = h.call(path, client, post(server, "/orders"));
    Outcome<String> payments = h.call(path, client, post(server, "/payments"));

    assertThat(orders.response().body()).isEqualTo("created");
    assertThat(server.requestCount("POST", "/orders")).isEqualTo(2);
    assertThat(payments.response().statusCode()).isEqualTo(503);
    assertThat(server.requestCount("POST", "/payments")).as("never duplicated").isEqualTo(1);
  }

  @Test
  void aRouteRepeatingAnEarlierOnesMethodAndPatternIsRefusedWhenAdded() {
    ResilientHttpClient.Builder builder =
        ResilientHttpClient.newBuilder(h.http).route(Route.post("/auth/token"), Retrier.none());

    assertThatIllegalArgumentException()
        .isThrownBy(() -> builder.route(Route.post("/auth/token").idempotent(), Retrier.none()))
        .withMessage("route must not repeat an earlier route's method and pattern but POST /auth/token"
            + " (idempotent) repeats POST /auth/token (the first match wins, so it would never apply)");
  }

  @Test
  void theClientListsItsRoutesInMatchOrder() {
    ResilientHttpClient client = ResilientHttpClient.newBuilder(h.http)
        .route(Route.post("/auth/token").idempotent(), tokenRouteRetrier())
        .route(Route.any("/reports/**"), Retrier.none())
        .build();

    assertThat(client.routes()).containsExactly(Route.post("/auth/token").idempotent(), Route.any("/reports/**"));
    assertThat(client.toString()).contains("routes=[POST /auth/token (idempotent), ANY /reports/**]");
  }
}
