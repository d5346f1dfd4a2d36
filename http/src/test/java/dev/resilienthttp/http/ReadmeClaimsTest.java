package dev.resilienthttp.http;

import dev.resilienthttp.http.auth.TokenSource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.resilienthttp.breaker.CallNotPermittedException;
import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.budget.RetryBudget;
import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServerExtension;
import dev.resilienthttp.testing.VirtualTime;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the README says the client does, each claim a test that fails when the claim breaks,
 * through the public API only ({@link ResilientHttpClient} and its builder, {@link FaultServer},
 * {@link VirtualTime}) against a real loopback server. Waits are on virtual time, except the one
 * test that needs a real HTTP timeout.
 */
@ExtendWith(FaultServerExtension.class)
class ReadmeClaimsTest {

  private static final String SECRET = "s3cr3t-value";

  private static HttpClient jdk;

  private final VirtualTime time = VirtualTime.create();

  @BeforeAll
  static void startClient() {
    jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void dropClient() {
    jdk = null;
  }

  private ResilientHttpClient.Builder client(Retrier retrier) {
    return ResilientHttpClient.newBuilder(jdk).retrier(retrier).timeSource(time);
  }

  private static HttpRequest request(FaultServer server, String method, String path) {
    return HttpRequest.newBuilder(server.uri(path)).method(method, BodyPublishers.noBody()).build();
  }

  // ---- Quick start: a drop-in HttpClient, nothing changes until a retrier is set.

  @Test
  void withoutARetrierA503IsReturnedAsIsAfterOneRequest(FaultServer server) throws Exception {
    ResilientHttpClient client = ResilientHttpClient.newBuilder(jdk).timeSource(time).build();
    server.script("GET", "/api", Fault.status(503).body("busy"), Fault.ok("fine"));

    HttpResponse<String> response = client.send(request(server, "GET", "/api"), BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).isEqualTo("busy");
    assertThat(server.requestCount()).isEqualTo(1);
    assertThat(client.retrier()).isSameAs(Retrier.none());
  }

  // ---- What is retried: idempotent methods on 5xx; other methods never.

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
  void anIdempotentMethodIsRetriedAfterA503(String method, FaultServer server) throws Exception {
    ResilientHttpClient client = client(FixedDelayRetrier.of(3, Duration.ofMillis(100))).build();
    server.script(method, "/api", Fault.status(503), Fault.ok());

    HttpResponse<Void> response = client.send(request(server, method, "/api"), BodyHandlers.discarding());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(server.requestCount(method, "/api")).isEqualTo(2);
    assertThat(time.sleeps()).containsExactly(Duration.ofMillis(100));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"POST", "PATCH"})
  void aNonIdempotentMethodIsNeverRetriedAfterA503(String method, FaultServer server) throws Exception {
    ResilientHttpClient client = client(FixedDelayRetrier.of(3, Duration.ofMillis(100))).build();
    server.script(method, "/api", Fault.status(503), Fault.ok());

    HttpResponse<Void> response = client.send(request(server, method, "/api"), BodyHandlers.discarding());

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(server.requestCount(method, "/api")).isEqualTo(1);
  }

  // ---- Bodies: ofString, ofByteArray, ofFile and noBody are re-sent intact; others once.

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ofString", "ofByteArray", "ofFile", "noBody"})
  void aReplayableBodyIsSentAgainIntact(String kind, FaultServer server, @TempDir Path dir) throws Exception {
    String body = kind.equals("noBody") ? "" : "{\"order\":42,\"body\":\"" + kind + "\"}";
    HttpRequest.BodyPublisher publisher;
    switch (kind) {
      case "ofString":
        publisher = BodyPublishers.ofString(body);
        break;
      case "ofByteArray":
        publisher = BodyPublishers.ofByteArray(body.getBytes(StandardCharsets.UTF_8));
        break;
      case "ofFile":
        publisher = BodyPublishers.ofFile(Files.writeString(dir.resolve("body.json"), body));
        break;
      default:
        publisher = BodyPublishers.noBody();
    }
    ResilientHttpClient client = client(FixedDelayRetrier.of(3, Duration.ofMillis(100))).build();
    server.script("PUT", "/orders/42", Fault.status(503), Fault.ok());

    HttpResponse<Void> response = client.send(
        HttpRequest.newBuilder(server.uri("/orders/42")).PUT(publisher).build(), BodyHandlers.discarding());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(server.requests()).hasSize(2)
        .allSatisfy(call -> assertThat(call.bodyAsString()).isEqualTo(body));
  }

  @Test
  void aStreamedBodyIsSentOnceUnlessMarkedReplayable(FaultServer server) throws Exception {
    ResilientHttpClient client = client(FixedDelayRetrier.of(3, Duration.ofMillis(100))).build();
    server.script("PUT", "/orders/42", Fault.status(503), Fault.ok());
    byte[] body = "{\"order\":42}".getBytes(StandardCharsets.UTF_8);
    HttpRequest streamed = HttpRequest.newBuilder(server.uri("/orders/42"))
        .PUT(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build();

    assertThat(client.send(streamed, BodyHandlers.discarding()).statusCode()).isEqualTo(503);
    assertThat(server.requestCount("PUT", "/orders/42")).isEqualTo(1);

    server.script("PUT", "/orders/42", Fault.status(503), Fault.ok());
    assertThat(client.send(ResilientRequests.replayable(streamed), BodyHandlers.discarding()).statusCode())
        .isEqualTo(200);
    assertThat(server.requestCount("PUT", "/orders/42")).isEqualTo(3);
  }

  // ---- Retry budget: capacity 500; a retry costs 5, one after a timeout 10.

  @Test
  void aRetryAfterA503Costs5TokensOfTheBackendsBudgetOf500(FaultServer server) throws Exception {
    ResilientHttpClient client = client(FixedDelayRetrier.of(2, Duration.ofMillis(100))).build();
    server.scriptAll(Fault.status(503));

    assertThat(client.send(request(server, "GET", "/api"), BodyHandlers.discarding()).statusCode()).isEqualTo(503);

    assertThat(server.requestCount()).isEqualTo(2);
    assertThat(client.retryBudget(server.uri("/")).orElseThrow().available()).isEqualTo(495.0);
  }

  @Test
  void aRetryAfterAnHttpTimeoutCosts10Tokens(FaultServer server) throws Exception {
    ResilientHttpClient client = client(FixedDelayRetrier.of(2, Duration.ofMillis(100))).build();
    // Far longer than the request's timeout: both attempts time out (a real 1 s each).
    server.scriptAll(Fault.ok("late").delay(Duration.ofSeconds(30)));
    HttpRequest request = HttpRequest.newBuilder(server.uri("/slow")).timeout(Duration.ofSeconds(1)).build();

    assertThatThrownBy(() -> client.send(request, BodyHandlers.discarding()))
        .isInstanceOf(HttpTimeoutException.class);

    assertThat(server.awaitRequestCount(2, Duration.ofSeconds(10))).isEqualTo(2);
    assertThat(client.retryBudget(server.uri("/")).orElseThrow().available()).isEqualTo(490.0);
  }

  @Test
  void retryBudgetsTunesTheBudgetOfEachBackend(FaultServer server) throws Exception {
    List<String> backends = new CopyOnWriteArrayList<>();
    ResilientHttpClient client = client(FixedDelayRetrier.of(3, Duration.ofMillis(100)))
        .retryBudgets(backend -> {
          backends.add(backend);
          return RetryBudget.builder().name(backend).capacity(50).build();
        })
        .build();
    server.scriptAll(Fault.status(503));

    for (int i = 0; i < 100; i++) {
      assertThat(client.send(request(server, "GET", "/api"), BodyHandlers.discarding()).statusCode()).isEqualTo(503);
    }

    // 50 tokens at 5 a retry: 10 retries (the first 5 calls' 2 each), then none.
    assertThat(server.requestCount()).isEqualTo(110);
    assertThat(backends).containsExactly("http://127.0.0.1:" + server.port());
    RetryBudget budget = client.retryBudget(server.uri("/")).orElseThrow();
    assertThat(budget.name()).isEqualTo(backends.get(0));
    assertThat(budget.available()).isZero();
  }

  @Test
  void anEmptyBudgetEndsRetriesSayingRetryBudgetExhausted(FaultServer server) throws Exception {
    ResilientHttpClient client = client(FixedDelayRetrier.of(3, Duration.ofMillis(100)))
        .resultMode(ResultMode.THROW)
        .retryBudgets(backend -> RetryBudget.builder().name(backend).capacity(10).build())
        .build();
    server.scriptAll(Fault.status(503));
    Throwable first = catchThrowable(() -> client.send(request(server, "GET", "/api"), BodyHandlers.discarding()));
    assertThat(first).hasMessageContaining("max retry attempts (3) reached");

    Throwable second = catchThrowable(() -> client.send(request(server, "GET", "/api"), BodyHandlers.discarding()));

    assertThat(second).hasMessageContaining("retry budget '" + Harness.get(server, "/").uri().getScheme() + "://")
        .hasMessageContaining("' exhausted after 1 attempt")
        .hasMessageContaining("server unavailable (status code 503)");
    assertThat(server.requestCount()).isEqualTo(4);
  }

  // ---- Circuit breaker: failures are 5xx, timeouts, resets, refusals; never 4xx.

  private CircuitBreaker.Builder breaker(String backend) {
    return CircuitBreaker.builder(backend).consecutiveFailureThreshold(5).timeSource(time);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"404 THROW", "400 RETURN_LAST_RESPONSE", "429 RETURN_LAST_RESPONSE", "429 THROW"})
  void theBreakerNeverCountsA4xxAsAFailure(String statusAndMode, FaultServer server) throws Exception {
    int status = Integer.parseInt(statusAndMode.substring(0, 3));
    ResultMode mode = ResultMode.valueOf(statusAndMode.substring(4));
    ResilientHttpClient client = ResilientHttpClient.newBuilder(jdk).timeSource(time)
        .resultMode(mode)
        .circuitBreakers(backend -> breaker(backend).build())
        .build();
    server.scriptAll(Fault.status(status));

    for (int i = 0; i < 20; i++) {
      int n = i;
      Throwable failure = catchThrowable(() -> assertThat(
          client.send(request(server, "GET", "/missing"), BodyHandlers.discarding()).statusCode())
          .as("call %d", n).isEqualTo(status));
      if (mode == ResultMode.THROW) {
        assertThat(failure).as("call %d", n).isInstanceOf(HttpStatusException.class);
        assertThat(((HttpStatusException) failure).statusCode()).isEqualTo(status);
      } else {
        assertThat(failure).as("call %d", n).isNull();
      }
    }

    assertThat(client.circuitBreaker(server.uri("/")).orElseThrow().state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(server.requestCount()).isEqualTo(20);
  }

  @Test
  void breakerFailureCanMakeA429CountAgainstTheBreaker(FaultServer server) throws Exception {
    ResilientHttpClient client = ResilientHttpClient.newBuilder(jdk).timeSource(time)
        .circuitBreakers(backend -> breaker(backend).build())
        .breakerFailure(failure -> failure instanceof RateLimitedException)
        .build();
    server.scriptAll(Fault.status(429));

    for (int i = 0; i < 5; i++) {
      assertThat(client.send(request(server, "GET", "/api"), BodyHandlers.discarding()).statusCode())
          .isEqualTo(429);
    }

    assertThat(client.circuitBreaker(server.uri("/")).orElseThrow().state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThatThrownBy(() -> client.send(request(server, "GET", "/api"), BodyHandlers.discarding()))
        .isInstanceOf(CallRejectedException.class)
        .hasCauseInstanceOf(CallNotPermittedException.class);
    assertThat(server.requestCount()).isEqualTo(5);
  }

  @Test
  void breakerFailureCanKeepA503FromCountingAgainstTheBreaker(FaultServer server) throws Exception {
    ResilientHttpClient client = ResilientHttpClient.newBuilder(jdk).timeSource(time)
        .circuitBreakers(backend -> breaker(backend).build())
        .breakerFailure(failure -> !(failure instanceof ServerUnavailableException))
        .build();
    server.scriptAll(Fault.status(503));

    for (int i = 0; i < 10; i++) {
      assertThat(client.send(request(server, "GET", "/api"), BodyHandlers.discarding()).statusCode())
          .isEqualTo(503);
    }

    assertThat(client.circuitBreaker(server.uri("/")).orElseThrow().state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(server.requestCount()).isEqualTo(10);
  }

  @Test
  void byDefaultFive503sInARowOpenTheBreaker(FaultServer server) throws Exception {
    ResilientHttpClient client = ResilientHttpClient.newBuilder(jdk).timeSource(time)
        .circuitBreakers(backend -> breaker(backend).build())
        .build();
    server.scriptAll(Fault.status(503));

    for (int i = 0; i < 5; i++) {
      assertThat(client.send(request(server, "GET", "/api"), BodyHandlers.discarding()).statusCode())
          .isEqualTo(503);
    }

    assertThat(client.circuitBreaker(server.uri("/")).orElseThrow().state()).isEqualTo(CircuitBreaker.State.OPEN);
  }

  // ---- Per-backend state: at most 1,000 backends by default.

  @Test
  void perBackendStateIsBoundedToAThousandBackendsByDefault(FaultServer server) throws Exception {
    // One backend per path, so that one loopback server can stand for many backends.
    // Per-backend state exists for calls something applies to: a retrier of one attempt here.
    ResilientHttpClient client = ResilientHttpClient.newBuilder(jdk).timeSource(time)
        .retrier(dev.resilienthttp.retry.FixedDelayRetrier.of(1, java.time.Duration.ofMillis(1)))
        .backendKey(URI::getPath)
        .build();
    int backends = 1_000;
    List<CompletableFuture<HttpResponse<Void>>> calls = new CopyOnWriteArrayList<>();
    for (int i = 0; i < backends; i++) {
      calls.add(client.sendAsync(request(server, "GET", "/b" + i), BodyHandlers.discarding()));
      if (calls.size() == 16) {
        join(calls);
      }
    }
    join(calls);

    assertThat(held(client, server, backends)).as("all 1,000 backends held").isEqualTo(backends);

    client.send(request(server, "GET", "/one-more"), BodyHandlers.discarding());

    assertThat(held(client, server, backends) + (client.retryBudget(server.uri("/one-more")).isPresent() ? 1 : 0))
        .as("the 1,001st backend pushed the oldest out").isLessThanOrEqualTo(backends);
  }

  private static void join(List<CompletableFuture<HttpResponse<Void>>> calls) {
    calls.forEach(call -> assertThat(call.join().statusCode()).isEqualTo(200));
    calls.clear();
  }

  private static int held(ResilientHttpClient client, FaultServer server, int backends) {
    int held = 0;
    for (int i = 0; i < backends; i++) {
      if (client.retryBudget(server.uri("/b" + i)).isPresent()) {
        held++;
      }
    }
    return held;
  }

  // ---- Secrets: token-like query parameters are redacted.

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"access_token", "token", "api_key", "apikey", "key", "password", "secret",
      "client_secret", "sig", "signature"})
  void aSecretQueryParameterIsRedactedFromTheExceptionsUri(String name, FaultServer server) throws Exception {
    ResilientHttpClient client = ResilientHttpClient.newBuilder(jdk).timeSource(time)
        .resultMode(ResultMode.THROW).build();
    server.scriptAll(Fault.status(503));
    HttpRequest request = HttpRequest.newBuilder(server.uri("/api?" + name + "=" + SECRET + "&page=2")).build();

    Throwable failure = catchThrowable(() -> client.send(request, BodyHandlers.discarding()));

    assertThat(failure).isInstanceOf(ServerUnavailableException.class);
    assertThat(((HttpStatusException) failure).uri().toString())
        .endsWith("/api?" + name + "=REDACTED&page=2");
    assertThat(server.requests()).singleElement()
        .satisfies(call -> assertThat(call.target()).contains(SECRET));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"access_token", "token", "api_key", "apikey", "key", "password", "secret",
      "client_secret", "sig", "signature"})
  void aSecretInATokenSourcesFailureIsRedactedFromTheCallersException(String name, FaultServer server) {
    TokenSource failing = tokenClient -> CompletableFuture.failedFuture(
        new IOException("token endpoint refused: " + name + "=" + SECRET + "&page=2"));
    ResilientHttpClient client = ResilientHttpClient.newBuilder(jdk).timeSource(time)
        .bearerTokens(failing, "127.0.0.1").build();

    Throwable failure = catchThrowable(() -> client.send(request(server, "GET", "/api"), BodyHandlers.discarding()));

    assertThat(failure).isInstanceOf(TokenUnavailableException.class)
        .hasMessage("no bearer token: token endpoint refused: " + name + "=REDACTED&page=2");
    assertThat(server.requestCount()).isZero();
  }

  // ---- The JDK's own resends: the client warns about jdk.httpclient.enableAllMethodRetry.

  @Test
  void buildingAClientWithEnableAllMethodRetrySetLogsAWarning() {
    List<LogRecord> records = new CopyOnWriteArrayList<>();
    Logger logger = Logger.getLogger("dev.resilienthttp.http");
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        records.add(record);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    logger.addHandler(capture);
    String before = System.getProperty("jdk.httpclient.enableAllMethodRetry");
    try {
      ResilientHttpClient.newBuilder(jdk).build();
      assertThat(records).as("not set: no warning").isEmpty();

      System.setProperty("jdk.httpclient.enableAllMethodRetry", "true");
      ResilientHttpClient.newBuilder(jdk).build();
    } finally {
      if (before == null) {
        System.clearProperty("jdk.httpclient.enableAllMethodRetry");
      } else {
        System.setProperty("jdk.httpclient.enableAllMethodRetry", before);
      }
      logger.removeHandler(capture);
    }

    assertThat(records).singleElement().satisfies(record -> {
      assertThat(record.getLevel()).isEqualTo(Level.WARNING);
      assertThat(record.getMessage()).startsWith("jdk.httpclient.enableAllMethodRetry is set:")
          .contains("may resend a non-idempotent request");
    });
  }
}
