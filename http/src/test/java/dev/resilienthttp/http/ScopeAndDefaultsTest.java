package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.http.Harness.Outcome;
import dev.resilienthttp.http.Harness.Path;
import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.retry.RetryContext;
import dev.resilienthttp.retry.RetryDecision;
import dev.resilienthttp.retry.RetryScope;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServerExtension;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which retrier applies, down both paths against a real server: with none configured anywhere
 * exactly one attempt is made, whatever the outcome; a {@link RetryScope} around {@code send}
 * or {@code sendAsync} overrides the client's retrier; an asynchronous call keeps the scope it
 * started in.
 */
@ExtendWith(FaultServerExtension.class)
class ScopeAndDefaultsTest {

  private static final Duration WAIT = Duration.ofSeconds(1);

  private final Harness h = new Harness();

  // ---- nothing configured: one attempt ----------------------------------------------------

  /** Outcomes a retrier would retry for a PUT, which the JDK itself never resends. */
  enum Failure {
    STATUS_503(Fault.status(503).body("busy")),
    STATUS_429_WITH_RETRY_AFTER(Fault.status(429).header("Retry-After", "1").body("slow down")),
    RESET_BEFORE_HEADERS(Fault.resetBeforeHeaders()),
    CLOSE_WITHOUT_RESPONSE(Fault.closeWithoutResponse());

    final Fault fault;

    Failure(Fault fault) {
      this.fault = fault;
    }
  }

  static Stream<Arguments> pathsAndFailures() {
    return Stream.of(Path.values())
        .flatMap(path -> Stream.of(Failure.values()).map(failure -> Arguments.of(path, failure)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("pathsAndFailures")
  void withNoRetrierAnywhereExactlyOneAttemptIsMade(Path path, Failure failure, FaultServer server) {
    server.script("PUT", "/r", failure.fault, Fault.ok("would have worked"));
    ResilientHttpClient client = h.client(Retrier.none()).build();
    HttpRequest put = HttpRequest.newBuilder(server.uri("/r")).PUT(BodyPublishers.ofString("v")).build();

    Outcome<String> outcome = h.call(path, client, put);

    if (failure.fault.status().isPresent()) {
      assertThat(outcome.response().statusCode()).isEqualTo(failure.fault.status().getAsInt());
      assertThat(outcome.response().body()).isEqualTo(new String(failure.fault.body(), java.nio.charset.StandardCharsets.UTF_8));
    } else {
      assertThat(outcome.failure()).isInstanceOf(IOException.class);
    }
    assertThat(server.requestCount("PUT", "/r")).isEqualTo(1);
    assertThat(h.events.attemptsStarted).containsExactly(1);
    assertThat(h.events.giveUps).containsExactly(GiveUpReason.NOT_RETRYABLE);
    assertThat(h.time.elapsed()).isZero();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("pathsAndFailures")
  void aClientBuiltWithNothingButTheDelegateMakesOneAttemptPerCall(
      Path path, Failure failure, FaultServer server) throws Exception {
    server.script("GET", "/r", failure.fault); // Every request gets the fault.
    ResilientHttpClient client = ResilientHttpClient.newBuilder(h.http).build();
    HttpRequest get = Harness.get(server, "/r");

    Throwable thrown = null;
    HttpResponse<String> response = null;
    try {
      response = path == Path.SYNC
          ? client.send(get, BodyHandlers.ofString())
          : client.sendAsync(get, BodyHandlers.ofString()).join();
    } catch (IOException | java.util.concurrent.CompletionException e) {
      thrown = e;
    }

    if (failure.fault.status().isPresent()) {
      assertThat(thrown).isNull();
      assertThat(response.statusCode()).isEqualTo(failure.fault.status().getAsInt());
      assertThat(server.requestCount("GET", "/r")).isEqualTo(1);
    } else {
      assertThat(thrown).isNotNull();
      // One attempt of ours; a GET whose connection dies before any response byte is resent
      // once by java.net.http itself (DESIGN.md §5), so the server reads it twice.
      assertThat(server.requestCount("GET", "/r")).isEqualTo(2);
      assertThat(server.requests().get(0).connection()).isNotEqualTo(server.requests().get(1).connection());
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void theJdksOwnResendOfAGetIsNotOneOfOurAttempts(Path path, FaultServer server) {
    // java.net.http resends a GET once, at once, when its connection resets before any response
    // byte (DESIGN.md §5): one attempt of ours, two requests on the wire, and the caller gets
    // the second one's answer although no retrier is configured.
    server.script("GET", "/r", Fault.resetBeforeHeaders(), Fault.ok("second request"));
    ResilientHttpClient client = h.client(Retrier.none()).build();

    Outcome<String> outcome = h.call(path, client, Harness.get(server, "/r"));

    assertThat(outcome.response().body()).isEqualTo("second request");
    assertThat(h.events.attemptsStarted).containsExactly(1);
    assertThat(server.requestCount("GET", "/r")).isEqualTo(2);
  }

  // ---- RetryScope ---------------------------------------------------------------------------

  static Stream<Arguments> pathsAndClientRetriers() {
    return Stream.of(Path.values()).flatMap(path -> Stream.of(
        Arguments.of(path, "none", Retrier.none()),
        Arguments.of(path, "2 attempts", FixedDelayRetrier.of(2, WAIT)),
        Arguments.of(path, "6 attempts", FixedDelayRetrier.of(6, WAIT))));
  }

  @ParameterizedTest(name = "{0} client retrier: {1}")
  @MethodSource("pathsAndClientRetriers")
  void aScopeAroundTheCallOverridesTheClientsRetrier(
      Path path, String name, Retrier clientRetrier, FaultServer server) {
    server.script("GET", "/r", Fault.status(503).body("busy"));
    ResilientHttpClient client = h.client(clientRetrier).build();

    Outcome<String> outcome;
    try (RetryScope scope = RetryScope.open(FixedDelayRetrier.of(4, WAIT))) {
      outcome = h.call(path, client, Harness.get(server, "/r"));
    }

    assertThat(outcome.response().statusCode()).isEqualTo(503);
    assertThat(server.requestCount("GET", "/r")).isEqualTo(4);
    assertThat(h.events.retryDelays).containsExactly(WAIT, WAIT, WAIT);
    assertThat(h.time.elapsed()).isEqualTo(Duration.ofSeconds(3));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aScopeOfNoRetriesOverridesARetryingClient(Path path, FaultServer server) {
    server.script("GET", "/r", Fault.status(503));
    ResilientHttpClient client = h.client(FixedDelayRetrier.of(5, WAIT)).build();

    Outcome<String> outcome;
    try (RetryScope scope = RetryScope.open(Retrier.none())) {
      outcome = h.call(path, client, Harness.get(server, "/r"));
    }

    assertThat(outcome.response().statusCode()).isEqualTo(503);
    assertThat(server.requestCount("GET", "/r")).isEqualTo(1);
  }

  /**
   * A retrier that gives up for a reason of its own ({@link Retrier#decide}), as one consulting
   * a breaker or a quota would: after the first failure it stops with CIRCUIT_OPEN.
   */
  private static final Retrier GIVES_UP_ITSELF = new Retrier() {
    @Override
    public int maxAttempts() {
      return 5;
    }

    @Override
    public boolean shouldRetry(RetryContext context, Throwable failure, int attempt) {
      return true;
    }

    @Override
    public Duration delay(RetryContext context, Throwable failure, int attempt) {
      return WAIT;
    }

    @Override
    public RetryDecision decide(RetryContext context, Throwable failure, int attempt) {
      return RetryDecision.giveUp(GiveUpReason.CIRCUIT_OPEN, "upstream breaker is open");
    }
  };

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void theScopesRetrierDecidesForItselfIncludingGivingUp(Path path, FaultServer server) {
    server.script("GET", "/r", Fault.status(503));
    ResilientHttpClient client = h.client(FixedDelayRetrier.of(5, WAIT)).resultMode(ResultMode.THROW).build();

    Outcome<String> outcome;
    try (RetryScope scope = RetryScope.open(GIVES_UP_ITSELF)) {
      outcome = h.call(path, client, Harness.get(server, "/r"));
    }

    RetriesExhaustedException exhausted = outcome.failure(RetriesExhaustedException.class);
    assertThat(exhausted.reason()).isEqualTo(GiveUpReason.CIRCUIT_OPEN);
    assertThat(exhausted.getMessage()).isEqualTo("upstream breaker is open: server unavailable (status code 503)");
    assertThat(server.requestCount("GET", "/r")).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void theScopesRetrierStillFollowsHttpSemantics(Path path, FaultServer server) {
    // The scope's retrier retries every exception, but a POST's 503 is never retried.
    server.script("POST", "/orders", Fault.status(503));
    ResilientHttpClient client = h.client(Retrier.none()).build();
    HttpRequest post = HttpRequest.newBuilder(server.uri("/orders")).POST(BodyPublishers.ofString("x")).build();

    Outcome<String> outcome;
    try (RetryScope scope = RetryScope.open(FixedDelayRetrier.of(4, WAIT))) {
      outcome = h.call(path, client, post);
    }

    assertThat(outcome.response().statusCode()).isEqualTo(503);
    assertThat(server.requestCount("POST", "/orders")).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void afterTheScopeClosesTheClientsRetrierAppliesAgain(Path path, FaultServer server) {
    server.script("GET", "/r", Fault.status(503));
    ResilientHttpClient client = h.client(FixedDelayRetrier.of(2, WAIT)).build();

    try (RetryScope scope = RetryScope.open(FixedDelayRetrier.of(4, WAIT))) {
      h.call(path, client, Harness.get(server, "/r")).response();
    }
    int inScope = server.requestCount();
    h.call(path, client, Harness.get(server, "/r")).response();

    assertThat(inScope).isEqualTo(4);
    assertThat(server.requestCount() - inScope).isEqualTo(2);
  }

  @org.junit.jupiter.api.Test
  void anAsyncCallKeepsTheScopeItStartedInAfterTheScopeCloses(FaultServer server) {
    server.script("GET", "/r", Fault.status(503), Fault.status(503), Fault.status(503), Fault.ok("fourth"));
    ResilientHttpClient client = h.client(Retrier.none()).build();

    CompletableFuture<HttpResponse<String>> future;
    try (RetryScope scope = RetryScope.open(FixedDelayRetrier.of(4, WAIT))) {
      future = h.sendAsync(client, Harness.get(server, "/r"), BodyHandlers.ofString());
    }
    assertThat(RetryScope.current()).isEmpty();
    Outcome<String> outcome = h.await(future); // Every retry runs after the scope closed.

    assertThat(outcome.response().body()).isEqualTo("fourth");
    assertThat(server.requestCount("GET", "/r")).isEqualTo(4);
    assertThat(h.events.retryDelays).containsExactly(WAIT, WAIT, WAIT);
  }

  @org.junit.jupiter.api.Test
  void aScopeOpenedAfterAnAsyncCallStartedDoesNotChangeIt(FaultServer server) {
    server.script("GET", "/r", Fault.status(503));
    ResilientHttpClient client = h.client(FixedDelayRetrier.of(2, WAIT)).build();

    CompletableFuture<HttpResponse<String>> future =
        h.sendAsync(client, Harness.get(server, "/r"), BodyHandlers.ofString());
    Outcome<String> outcome;
    try (RetryScope scope = RetryScope.open(FixedDelayRetrier.of(5, WAIT))) {
      outcome = h.await(future); // The retries are scheduled and run on this thread, in the scope.
    }

    assertThat(outcome.response().statusCode()).isEqualTo(503);
    assertThat(server.requestCount("GET", "/r")).isEqualTo(2);
  }
}
