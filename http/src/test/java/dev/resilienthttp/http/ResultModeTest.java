package dev.resilienthttp.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.http.Harness.Outcome;
import dev.resilienthttp.http.Harness.Path;
import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServerExtension;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the caller gets once retries stop, down both paths against a real server: the last
 * response as its own body handler would give it ({@link ResultMode#RETURN_LAST_RESPONSE}), or
 * typed exceptions ({@link ResultMode#THROW}) with exact messages, causes, suppressed earlier
 * failures and redacted URIs.
 */
@ExtendWith(FaultServerExtension.class)
class ResultModeTest {

  private static final String SECRET = "secret123";

  private final Harness h = new Harness();

  private static Retrier threeAttempts() {
    return Harness.backoff(3, Duration.ofMillis(100));
  }

  private ResilientHttpClient returning() {
    return h.client(threeAttempts()).build();
  }

  private ResilientHttpClient throwing() {
    return h.client(threeAttempts()).resultMode(ResultMode.THROW).build();
  }

  // ---- RETURN_LAST_RESPONSE ----------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void returnModeGivesTheLastResponseThroughTheCallersHandler(Path path, FaultServer server) {
    server.script("GET", "/r",
        Fault.status(503).body("first"),
        Fault.status(502).body("second"),
        Fault.status(503).header("X-Request-Id", "r-3").body("down for maintenance until 10:00"));

    Outcome<String> outcome = h.call(path, returning(), Harness.get(server, "/r"));

    HttpResponse<String> response = outcome.response();
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).isEqualTo("down for maintenance until 10:00");
    assertThat(response.headers().firstValue("X-Request-Id")).hasValue("r-3");
    assertThat(response.uri()).isEqualTo(server.uri("/r"));
    assertThat(response.request().method()).isEqualTo("GET");
    assertThat(server.requestCount("GET", "/r")).isEqualTo(3);
    assertThat(h.events.giveUps).containsExactly(GiveUpReason.MAX_ATTEMPTS);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void returnModeFeedsAnyHandlerTheLastBody(Path path, FaultServer server) {
    server.script("GET", "/r", Fault.status(503).body("line one\nline two"));

    HttpResponse<byte[]> bytes =
        h.call(path, returning(), Harness.get(server, "/r"), BodyHandlers.ofByteArray()).response();
    HttpResponse<List<String>> lines = h.call(path, returning(), Harness.get(server, "/r"),
        info -> HttpResponse.BodySubscribers.mapping(
            BodyHandlers.ofLines().apply(info), stream -> stream.collect(java.util.stream.Collectors.toList())))
        .response();

    assertThat(bytes.statusCode()).isEqualTo(503);
    assertThat(bytes.body()).isEqualTo("line one\nline two".getBytes(UTF_8));
    assertThat(lines.body()).containsExactly("line one", "line two");
    assertThat(server.requestCount("GET", "/r")).isEqualTo(6);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void returnModeGivesNonRetriedFailuresAsTheyCame(Path path, FaultServer server) {
    server.script("GET", "/missing", Fault.status(404).body("no such thing"));

    Outcome<String> outcome = h.call(path, returning(), Harness.get(server, "/missing"));

    assertThat(outcome.response().statusCode()).isEqualTo(404);
    assertThat(outcome.response().body()).isEqualTo("no such thing");
    assertThat(server.requestCount("GET", "/missing")).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void returnModeThrowsTheLastIOExceptionWithExhaustionSuppressed(Path path, FaultServer server) {
    // PUT: the JDK does not resend it on its own (it does a GET), so attempts == requests.
    server.script("PUT", "/io", Fault.resetBeforeHeaders());
    HttpRequest put = HttpRequest.newBuilder(server.uri("/io")).PUT(BodyPublishers.ofString("v")).build();

    Outcome<String> outcome = h.call(path, returning(), put);

    IOException last = outcome.failure(IOException.class);
    assertThat(last).isNotInstanceOf(HttpStatusException.class);
    List<Throwable> suppressed = Arrays.asList(last.getSuppressed());
    assertThat(suppressed).hasSize(3);
    assertThat(suppressed.subList(0, 2)).allSatisfy(t -> assertThat(t).isInstanceOf(IOException.class));
    assertThat(suppressed.get(2)).isInstanceOf(dev.resilienthttp.retry.RetryExhaustedException.class);
    dev.resilienthttp.retry.RetryExhaustedException exhausted =
        (dev.resilienthttp.retry.RetryExhaustedException) suppressed.get(2);
    assertThat(exhausted.reason()).isEqualTo(GiveUpReason.MAX_ATTEMPTS);
    assertThat(exhausted.attempts()).isEqualTo(3);
    assertThat(exhausted.getMessage()).startsWith("max retry attempts (3) reached: ");
    assertThat(server.requestCount("PUT", "/io")).isEqualTo(3);
    assertThat(h.events.attemptsStarted).containsExactly(1, 2, 3);
  }

  // ---- THROW: exhaustion -------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void throwModeExhaustionReadsAsTheDesignSaysWithRedactedUri(Path path, FaultServer server) {
    server.script("GET", "/r", Fault.status(503).body("busy"));

    Outcome<String> outcome =
        h.call(path, throwing(), Harness.get(server, "/r?access_token=" + SECRET + "&page=2"));

    RetriesExhaustedException exhausted = outcome.failure(RetriesExhaustedException.class);
    assertThat(exhausted.getMessage())
        .isEqualTo("max retry attempts (3) reached: server unavailable (status code 503)");
    assertThat(exhausted.reason()).isEqualTo(GiveUpReason.MAX_ATTEMPTS);
    assertThat(exhausted.attempts()).isEqualTo(3);
    assertThat(exhausted.getCause()).isInstanceOf(ServerUnavailableException.class);
    ServerUnavailableException last = (ServerUnavailableException) exhausted.getCause();
    assertThat(last.statusCode()).isEqualTo(503);
    assertThat(last.method()).isEqualTo("GET");
    assertThat(last.uri().toString())
        .doesNotContain(SECRET)
        .contains("access_token=REDACTED")
        .contains("page=2")
        .startsWith(server.uri("/r").toString());
    assertThat(exhausted.getSuppressed()).hasSize(2).allSatisfy(earlier -> {
      assertThat(earlier).isInstanceOf(ServerUnavailableException.class);
      assertThat(((ServerUnavailableException) earlier).uri().toString()).doesNotContain(SECRET);
    });
    assertThat(everyMessageIn(exhausted)).noneMatch(message -> message.contains(SECRET));
    assertThat(server.requestCount("GET", "/r")).isEqualTo(3);
    assertThat(server.requests().get(0).target()).contains(SECRET); // It did go on the wire.
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void throwModeExhaustionOn429ExposesRetryAfter(Path path, FaultServer server) {
    server.script("GET", "/r", Fault.status(429).header("Retry-After", "1"));

    Outcome<String> outcome = h.call(path, throwing(), Harness.get(server, "/r"));

    RetriesExhaustedException exhausted = outcome.failure(RetriesExhaustedException.class);
    assertThat(exhausted.getMessage())
        .isEqualTo("max retry attempts (3) reached: rate limited (status code 429)");
    assertThat(exhausted.getCause()).isInstanceOf(RateLimitedException.class);
    RateLimitedException limited = (RateLimitedException) exhausted.getCause();
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.retryAfter()).hasValue(Duration.ofSeconds(1));
    assertThat(exhausted.getSuppressed()).hasSize(2).allSatisfy(t -> assertThat(t).isInstanceOf(RateLimitedException.class));
    assertThat(server.requestCount("GET", "/r")).isEqualTo(3);
    assertThat(h.events.retryDelays).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1));
  }

  // ---- THROW: typed exceptions for responses that are not retried --------------------------

  static Stream<Arguments> notRetried() {
    List<Arguments> cases = new ArrayList<>();
    for (Path path : Path.values()) {
      cases.add(Arguments.of(path, 401, AuthenticationFailedException.class, "authentication failed"));
      cases.add(Arguments.of(path, 403, AuthenticationFailedException.class, "authentication failed"));
      cases.add(Arguments.of(path, 404, ClientErrorException.class, "client error"));
      cases.add(Arguments.of(path, 400, ClientErrorException.class, "client error"));
      cases.add(Arguments.of(path, 501, ServerUnavailableException.class, "server unavailable"));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("notRetried")
  void throwModeGivesATypedExceptionWithoutRetrying(
      Path path, int status, Class<? extends HttpStatusException> type, String what, FaultServer server) {
    server.script("GET", "/r", Fault.status(status).body("nope"), Fault.ok("would have worked"));

    Outcome<String> outcome = h.call(path, throwing(), Harness.get(server, "/r?api_key=" + SECRET));

    HttpStatusException failure = outcome.failure(type);
    assertThat(failure.statusCode()).isEqualTo(status);
    assertThat(failure.getMessage()).isEqualTo(what + " (status code " + status + ")");
    assertThat(failure.uri().toString()).doesNotContain(SECRET).contains("api_key=REDACTED");
    assertThat(failure.headers().firstValue("Content-Length")).hasValue("4");
    assertThat(server.requestCount("GET", "/r")).isEqualTo(1);
    assertThat(h.events.retryDelays).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void throwModeGivesRateLimitedWithItsRetryAfterWhenNothingRetries(Path path, FaultServer server) {
    server.script("GET", "/r", Fault.status(429).header("Retry-After", "30"), Fault.ok());
    ResilientHttpClient client = h.client(Retrier.none()).resultMode(ResultMode.THROW).build();

    Outcome<String> outcome = h.call(path, client, Harness.get(server, "/r"));

    RateLimitedException limited = outcome.failure(RateLimitedException.class);
    assertThat(limited.getMessage()).isEqualTo("rate limited (status code 429)");
    assertThat(limited.retryAfter()).hasValue(Duration.ofSeconds(30));
    assertThat(server.requestCount("GET", "/r")).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void throwModeStillReturnsSuccesses(Path path, FaultServer server) {
    server.script("GET", "/r", Fault.status(503), Fault.status(204));

    Outcome<String> outcome = h.call(path, throwing(), Harness.get(server, "/r"));

    assertThat(outcome.response().statusCode()).isEqualTo(204);
    assertThat(server.requestCount("GET", "/r")).isEqualTo(2);
  }

  /** The messages and string forms of {@code root}, its causes and suppressed, recursively. */
  private static List<String> everyMessageIn(Throwable root) {
    List<String> messages = new ArrayList<>();
    collect(root, messages, 0);
    return messages;
  }

  private static void collect(Throwable t, List<String> into, int depth) {
    if (t == null || depth > 10) {
      return;
    }
    into.add(String.valueOf(t.getMessage()));
    into.add(t.toString());
    if (t instanceof HttpStatusException) {
      into.add(((HttpStatusException) t).uri().toString());
    }
    collect(t.getCause(), into, depth + 1);
    for (Throwable suppressed : t.getSuppressed()) {
      collect(suppressed, into, depth + 1);
    }
  }
}
