package dev.resilienthttp.http;

import dev.resilienthttp.http.internal.rules.Redaction;
import dev.resilienthttp.http.auth.TokenSource;
import dev.resilienthttp.http.auth.AuthListener;
import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.breaker.CircuitBreakerListener;
import dev.resilienthttp.http.Harness.Outcome;
import dev.resilienthttp.http.Harness.Path;
import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.retry.RetryContext;
import dev.resilienthttp.retry.RetryExhaustedException;
import dev.resilienthttp.retry.RetryListener;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServerExtension;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every failure scenario, with a known secret in the bearer token, in the Cookie and
 * Proxy-Authorization headers, in token-like query parameters and in the server's Set-Cookie:
 * the secret appears in no exception (message, causes, suppressed, URI, headers), no listener
 * event, no log line and no toString() of the library's own objects.
 */
@ExtendWith(FaultServerExtension.class)
class SecretsRedactionTest {

  private static final String SECRET = "hunter2";

  private final List<String> printed = new CopyOnWriteArrayList<>();
  private final Logger libraryLogger = Logger.getLogger("dev.resilienthttp");
  private final Handler capture = new Handler() {
    private final SimpleFormatter format = new SimpleFormatter();

    @Override
    public void publish(LogRecord record) {
      printed.add("log: " + format.format(record));
      if (record.getThrown() != null) {
        printed.add("log thrown: " + deepText(record.getThrown()));
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private Level levelBefore;
  private AuthFixture f;

  @BeforeEach
  void captureLogs() {
    levelBefore = libraryLogger.getLevel();
    libraryLogger.setLevel(Level.ALL);
    libraryLogger.addHandler(capture);
  }

  @AfterEach
  void stopCapturing() {
    libraryLogger.removeHandler(capture);
    libraryLogger.setLevel(levelBefore);
    if (f != null) {
      f.close();
    }
  }

  enum Scenario {
    SERVER_UNAVAILABLE_UNTIL_RETRIES_RUN_OUT,
    REFUSED_UNTIL_AUTH_RETRIES_RUN_OUT,
    AUTH_BREAKER_OPEN,
    RATE_LIMITED_BEYOND_THE_RETRY_AFTER_CAP,
    RESET_UNTIL_RETRIES_RUN_OUT,
    TOKEN_ENDPOINT_REFUSES_CONNECTIONS,
    TOKEN_ENDPOINT_REJECTS_THE_CLIENT,
    DEADLINE_PASSES,
    CLIENT_ERROR,
    CIRCUIT_BREAKER_OPEN,
    OWN_AUTHORIZATION_REFUSED
  }

  static Stream<Arguments> scenarios() {
    return Stream.of(Scenario.values()).flatMap(scenario -> Stream.of(Path.values())
        .flatMap(path -> Stream.of(ResultMode.values()).map(mode -> Arguments.of(scenario, path, mode))));
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("scenarios")
  void theSecretAppearsNowhere(Scenario scenario, Path path, ResultMode mode, FaultServer server) throws Exception {
    f = new AuthFixture(server);
    Fault setCookie = Fault.status(503).header("Set-Cookie", "sid=" + SECRET + "-set; HttpOnly");
    server.script("POST", AuthFixture.TOKEN_PATH, index -> Fault.ok("tok-" + SECRET + "-" + index));
    URI tokenUri = server.uri(AuthFixture.TOKEN_PATH + "?client_secret=" + SECRET + "-cs");
    TokenSource tokens = AuthFixture.tokenEndpoint(tokenUri, Duration.ofHours(1));
    Retrier threeAttempts = FixedDelayRetrier.of(3, Duration.ofSeconds(1));
    int calls = 1;
    boolean deadlineOnLastCall = false;
    HttpRequest.Builder request = HttpRequest.newBuilder(
            server.uri("/api?api_key=" + SECRET + "-q&sig=" + SECRET + "-sig&page=2"))
        .header("Cookie", "session=" + SECRET + "-cookie")
        .header("Proxy-Authorization", "Basic " + SECRET + "-proxy");
    ResilientHttpClient.Builder client = f.client(threeAttempts, tokens)
        .resultMode(mode)
        .listener(new PrintingRetryListener())
        .authListener(new PrintingAuthListener());

    switch (scenario) {
      case SERVER_UNAVAILABLE_UNTIL_RETRIES_RUN_OUT:
        server.script("GET", "/api", setCookie);
        break;
      case REFUSED_UNTIL_AUTH_RETRIES_RUN_OUT:
        server.script("GET", "/api", Fault.status(401).header("Set-Cookie", "sid=" + SECRET + "-set"));
        break;
      case AUTH_BREAKER_OPEN:
        server.script("GET", "/api", Fault.status(403).header("Set-Cookie", "sid=" + SECRET + "-set"));
        calls = 6;
        break;
      case RATE_LIMITED_BEYOND_THE_RETRY_AFTER_CAP:
        server.script("GET", "/api", Fault.status(429).header("Retry-After", "1000")
            .header("Set-Cookie", "sid=" + SECRET + "-set"));
        calls = 2; // the second is held back by the backend's gate
        break;
      case RESET_UNTIL_RETRIES_RUN_OUT:
        server.script("GET", "/api", Fault.resetBeforeHeaders());
        break;
      case TOKEN_ENDPOINT_REFUSES_CONNECTIONS:
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
          tokenUri = URI.create("http://127.0.0.1:" + closed.getLocalPort() + AuthFixture.TOKEN_PATH
              + "?client_secret=" + SECRET + "-cs");
        }
        client.bearerTokens(AuthFixture.tokenEndpoint(tokenUri, Duration.ofHours(1)), "127.0.0.1", "localhost");
        break;
      case TOKEN_ENDPOINT_REJECTS_THE_CLIENT:
        server.script("POST", AuthFixture.TOKEN_PATH, Fault.status(401).header("Set-Cookie", "sid=" + SECRET));
        break;
      case DEADLINE_PASSES:
        // The first call fetches the token; the second, bounded by 3 s, gives up before a third wait.
        server.script("GET", "/api", setCookie);
        client.retrier(FixedDelayRetrier.of(5, Duration.ofSeconds(2)));
        calls = 2;
        deadlineOnLastCall = true;
        break;
      case CLIENT_ERROR:
        server.script("GET", "/api", Fault.status(400).header("Set-Cookie", "sid=" + SECRET + "-set"));
        break;
      case CIRCUIT_BREAKER_OPEN:
        server.script("GET", "/api", setCookie);
        client.retrier(Retrier.none()).circuitBreakers(backend -> CircuitBreaker.builder(backend)
            .consecutiveFailureThreshold(1).timeSource(f.time).listener(new PrintingBreakerListener()).build());
        calls = 2;
        break;
      case OWN_AUTHORIZATION_REFUSED:
        server.script("GET", "/api", Fault.status(401).header("Set-Cookie", "sid=" + SECRET + "-set"));
        request.header("Authorization", "Bearer " + SECRET + "-own");
        break;
      default:
        throw new AssertionError(scenario);
    }
    ResilientHttpClient built = client.build();

    List<Outcome<String>> outcomes = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      HttpRequest marked = ResilientRequests.idempotent(request.build());
      if (deadlineOnLastCall && i == calls - 1) {
        marked = ResilientRequests.callTimeout(marked, Duration.ofSeconds(3));
      }
      printed.add("request: " + marked);
      outcomes.add(f.call(path, built, marked));
    }
    printed.add("client: " + built);
    printed.add("tokens: " + built.tokens());
    for (Outcome<String> outcome : outcomes) {
      printed.add("outcome: " + describe(outcome));
    }

    if (scenario != Scenario.TOKEN_ENDPOINT_REFUSES_CONNECTIONS) {
      assertThat(server.requests()).as("the secrets were really sent")
          .anySatisfy(call -> assertThat(call.target() + call.headers()).contains(SECRET));
    }
    assertThat(String.join("\n", printed)).as("what the library printed or reported")
        .contains("REDACTED")
        .doesNotContain(SECRET);
  }

  @Test
  void redactionMasksCredentialsInFreeTextAndHeaders() {
    assertThat(Redaction.text("GET /x?access_token=abc&page=2 failed; Authorization: Bearer eyJhbGc.x-y_z"))
        .isEqualTo("GET /x?access_token=REDACTED&page=2 failed; Authorization: REDACTED");
    assertThat(Redaction.text("password=pw123, KEY=k9 and monkey=banana"))
        .isEqualTo("password=REDACTED, KEY=REDACTED and monkey=banana");
    assertThat(Redaction.headerValues("Set-Cookie", List.of("a=1", "b=2"))).containsExactly("REDACTED", "REDACTED");
    assertThat(Redaction.headerValues("Content-Type", List.of("text/plain"))).containsExactly("text/plain");
  }

  private String describe(Outcome<String> outcome) {
    try {
      HttpResponse<String> response = outcome.response();
      // The JDK's own responses print the URI as sent: not the library's to redact.
      return "status " + response.statusCode();
    } catch (AssertionError threw) {
      return deepText(outcome.failure());
    }
  }

  /** Everything a throwable says about itself, its causes and its suppressed, recursively. */
  static String deepText(Throwable root) {
    StringBuilder out = new StringBuilder();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Throwable> todo = new ArrayList<>(List.of(root));
    while (!todo.isEmpty()) {
      Throwable t = todo.remove(todo.size() - 1);
      if (t == null || !seen.add(t)) {
        continue;
      }
      out.append(t).append(" | ").append(t.getMessage()).append(" | ").append(t.getLocalizedMessage());
      if (t instanceof HttpStatusException) {
        HttpStatusException status = (HttpStatusException) t;
        out.append(" | ").append(status.uri()).append(" | ").append(status.headers().map());
      }
      if (t instanceof RetryExhaustedException) {
        out.append(" | ").append(((RetryExhaustedException) t).reason());
      }
      out.append('\n');
      todo.add(t.getCause());
      todo.addAll(List.of(t.getSuppressed()));
    }
    return out.toString();
  }

  private final class PrintingRetryListener implements RetryListener {
    @Override
    public void onAttemptStarted(RetryContext context, int attempt) {
      printed.add("attempt " + context.name() + " " + attempt + " " + context.elapsed());
    }

    @Override
    public void onRetryScheduled(RetryContext context, int attempt, Duration delay, Throwable failure) {
      printed.add("retry " + attempt + " in " + delay + ": " + deepText(failure));
    }

    @Override
    public void onSuccess(RetryContext context, int attempts) {
      printed.add("success " + attempts);
    }

    @Override
    public void onGiveUp(RetryContext context, GiveUpReason reason, int attempts, Throwable failure) {
      printed.add("give up " + reason + " " + attempts + ": " + (failure == null ? "-" : deepText(failure)));
    }
  }

  private final class PrintingAuthListener implements AuthListener {
    @Override
    public void onTokenRefreshed(Optional<Duration> lifetime) {
      printed.add("token refreshed " + lifetime);
    }

    @Override
    public void onTokenRefreshFailed(Throwable failure) {
      printed.add("token refresh failed: " + deepText(failure));
    }

    @Override
    public void onTokenRejected(String backend) {
      printed.add("token rejected by " + backend);
    }

    @Override
    public void onAuthBreakerTransition(String backend, CircuitBreaker.State from, CircuitBreaker.State to) {
      printed.add("auth breaker " + backend + " " + from + " -> " + to);
    }
  }

  private final class PrintingBreakerListener implements CircuitBreakerListener {
    @Override
    public void onStateTransition(String breakerName, CircuitBreaker.State from, CircuitBreaker.State to) {
      printed.add("breaker " + breakerName + " " + from + " -> " + to);
    }

    @Override
    public void onCallRejected(String breakerName, CircuitBreaker.State state) {
      printed.add("breaker " + breakerName + " rejected in " + state);
    }
  }
}
