package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.http.Harness.Outcome;
import dev.resilienthttp.http.Harness.Path;
import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServerExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Retry-After (RFC 9110 §10.2.3) against a real server, in virtual time, down both paths: the
 * wait is {@code max(backoff, Retry-After)}; an HTTP-date counts from the response's Date (or
 * the injected wall clock); a past date or garbage adds nothing; a wait above the cap or beyond
 * the call's deadline ends the retries at once. Waits are read from the listener and from the
 * virtual clock.
 */
@ExtendWith(FaultServerExtension.class)
class RetryAfterTest {

  /** A no-jitter backoff whose first wait is 100 ms. */
  private static final Duration BACKOFF = Duration.ofMillis(100);

  private final Harness h = new Harness();

  static Stream<Arguments> pathsAndStatuses() {
    return Stream.of(Path.values())
        .flatMap(path -> Stream.of(429, 503).map(status -> Arguments.of(path, status)));
  }

  private ResilientHttpClient client() {
    return h.client(Harness.backoff(3, BACKOFF)).build();
  }

  // ---- delta-seconds ----------------------------------------------------------------------

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("pathsAndStatuses")
  void secondsLongerThanTheBackoffSetTheWait(Path path, int status, FaultServer server) {
    server.script("GET", "/r", Fault.status(status).header("Retry-After", "2"), Fault.ok("done"));

    Outcome<String> outcome = h.call(path, client(), Harness.get(server, "/r"));

    assertThat(outcome.response().statusCode()).isEqualTo(200);
    assertThat(outcome.response().body()).isEqualTo("done");
    assertThat(server.requestCount("GET", "/r")).isEqualTo(2);
    assertThat(h.events.retryDelays).containsExactly(Duration.ofSeconds(2));
    assertThat(h.time.elapsed()).isEqualTo(Duration.ofSeconds(2));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("pathsAndStatuses")
  void aBackoffLongerThanRetryAfterWins(Path path, int status, FaultServer server) {
    server.script("GET", "/r", Fault.status(status).header("Retry-After", "1"), Fault.ok("done"));
    ResilientHttpClient client = h.client(Harness.backoff(3, Duration.ofSeconds(3))).build();

    Outcome<String> outcome = h.call(path, client, Harness.get(server, "/r"));

    assertThat(outcome.response().statusCode()).isEqualTo(200);
    assertThat(server.requestCount("GET", "/r")).isEqualTo(2);
    assertThat(h.events.retryDelays).containsExactly(Duration.ofSeconds(3));
    assertThat(h.time.elapsed()).isEqualTo(Duration.ofSeconds(3));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("pathsAndStatuses")
  void eachRetryWaitsForItsOwnResponsesRetryAfter(Path path, int status, FaultServer server) {
    server.script("GET", "/r",
        Fault.status(status).header("Retry-After", "1"),
        Fault.status(status), // No Retry-After: the backoff alone (200 ms for the second wait).
        Fault.ok("done"));

    Outcome<String> outcome = h.call(path, client(), Harness.get(server, "/r"));

    assertThat(outcome.response().statusCode()).isEqualTo(200);
    assertThat(server.requestCount("GET", "/r")).isEqualTo(3);
    assertThat(h.events.retryDelays).containsExactly(Duration.ofSeconds(1), Duration.ofMillis(200));
    assertThat(h.time.elapsed()).isEqualTo(Duration.ofMillis(1_200));
  }

  // ---- HTTP-date --------------------------------------------------------------------------

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("pathsAndStatuses")
  void anHttpDateCountsFromTheResponsesDateHeader(Path path, int status, FaultServer server) {
    // Far in the past by the wall clock: only the response's own Date makes this a 7 s wait.
    server.script("GET", "/r",
        Fault.status(status)
            .header("Date", "Sun, 06 Nov 1994 08:49:37 GMT")
            .header("Retry-After", "Sun, 06 Nov 1994 08:49:44 GMT"),
        Fault.ok("done"));

    Outcome<String> outcome = h.call(path, client(), Harness.get(server, "/r"));

    assertThat(outcome.response().statusCode()).isEqualTo(200);
    assertThat(server.requestCount("GET", "/r")).isEqualTo(2);
    assertThat(h.events.retryDelays).containsExactly(Duration.ofSeconds(7));
    assertThat(h.time.elapsed()).isEqualTo(Duration.ofSeconds(7));
  }

  static Stream<Arguments> dateForms() {
    // RFC 9110 §5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms recipients must accept.
    return Stream.of(Path.values()).flatMap(path -> Stream.of(
        Arguments.of(path, "Wed, 21 Oct 2026 07:28:05 GMT"),
        Arguments.of(path, "Wednesday, 21-Oct-26 07:28:05 GMT"),
        Arguments.of(path, "Wed Oct 21 07:28:05 2026")));
  }

  @ParameterizedTest(name = "{0} Retry-After: {1}")
  @MethodSource("dateForms")
  void everyHttpDateFormIsUnderstood(Path path, String retryAfter, FaultServer server) {
    server.script("GET", "/r",
        Fault.status(503).header("Date", "Wed, 21 Oct 2026 07:28:00 GMT").header("Retry-After", retryAfter),
        Fault.ok("done"));

    Outcome<String> outcome = h.call(path, client(), Harness.get(server, "/r"));

    assertThat(outcome.response().statusCode()).isEqualTo(200);
    assertThat(h.events.retryDelays).containsExactly(Duration.ofSeconds(5));
    assertThat(h.time.elapsed()).isEqualTo(Duration.ofSeconds(5));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("pathsAndStatuses")
  void anHttpDateWithoutDateHeaderCountsFromTheWallClock(Path path, int status, FaultServer server) {
    server.script("GET", "/r",
        Fault.status(status).header("Retry-After", "Tue, 01 Jan 2030 00:00:04 GMT"),
        Fault.ok("done"));
    ResilientHttpClient client = h.client(Harness.backoff(3, BACKOFF))
        .wallClock(Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC))
        .build();

    Outcome<String> outcome = h.call(path, client, Harness.get(server, "/r"));

    assertThat(outcome.response().statusCode()).isEqualTo(200);
    assertThat(server.requests().get(0).fault().headers()).doesNotContainKey("Date");
    assertThat(h.events.retryDelays).containsExactly(Duration.ofSeconds(4));
    assertThat(h.time.elapsed()).isEqualTo(Duration.ofSeconds(4));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("pathsAndStatuses")
  void aPastDateAddsNoWait(Path path, int status, FaultServer server) {
    server.script("GET", "/r",
        Fault.status(status)
            .header("Date", "Sun, 06 Nov 1994 08:49:37 GMT")
            .header("Retry-After", "Sun, 06 Nov 1994 07:49:37 GMT"),
        Fault.ok("done"));

    Outcome<String> outcome = h.call(path, client(), Harness.get(server, "/r"));

    assertThat(outcome.response().statusCode()).isEqualTo(200);
    assertThat(server.requestCount("GET", "/r")).isEqualTo(2);
    assertThat(h.events.retryDelays).containsExactly(BACKOFF);
    assertThat(h.time.elapsed()).isEqualTo(BACKOFF);
  }

  static Stream<Arguments> garbage() {
    return Stream.of(Path.values())
        .flatMap(path -> Stream.of("soon", "-5", "1.5", "2 seconds", "Tomorrow, 10:00")
            .map(value -> Arguments.of(path, value)));
  }

  @ParameterizedTest(name = "{0} Retry-After: {1}")
  @MethodSource("garbage")
  void garbageIsIgnored(Path path, String value, FaultServer server) {
    server.script("GET", "/r", Fault.status(503).header("Retry-After", value), Fault.ok("done"));

    Outcome<String> outcome = h.call(path, client(), Harness.get(server, "/r"));

    assertThat(outcome.response().statusCode()).isEqualTo(200);
    assertThat(server.requestCount("GET", "/r")).isEqualTo(2);
    assertThat(h.events.retryDelays).containsExactly(BACKOFF);
    assertThat(h.time.elapsed()).isEqualTo(BACKOFF);
  }

  // ---- above the cap ----------------------------------------------------------------------

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("pathsAndStatuses")
  void aboveTheCapEndsRetriesAtOnceWithThatReason(Path path, int status, FaultServer server) {
    server.script("GET", "/r", Fault.status(status).header("Retry-After", "120"), Fault.ok("done"));
    ResilientHttpClient client =
        h.client(Harness.backoff(3, BACKOFF)).resultMode(ResultMode.THROW).build();

    Outcome<String> outcome = h.call(path, client, Harness.get(server, "/r"));

    RetriesExhaustedException exhausted = outcome.failure(RetriesExhaustedException.class);
    assertThat(exhausted.reason()).isEqualTo(GiveUpReason.RETRY_AFTER_TOO_LONG);
    assertThat(exhausted.attempts()).isEqualTo(1);
    assertThat(exhausted.getMessage())
        .contains("Retry-After")
        .contains("120 s")
        .contains("cap of 60 s")
        .endsWith("(status code " + status + ")");
    assertThat(exhausted.getCause()).isInstanceOf(HttpStatusException.class);
    assertThat(((HttpStatusException) exhausted.getCause()).statusCode()).isEqualTo(status);
    if (status == 429) {
      assertThat(((RateLimitedException) exhausted.getCause()).retryAfter())
          .hasValue(Duration.ofSeconds(120));
    }
    assertThat(server.requestCount("GET", "/r")).isEqualTo(1);
    assertThat(h.events.retryDelays).isEmpty();
    assertThat(h.events.giveUps).containsExactly(GiveUpReason.RETRY_AFTER_TOO_LONG);
    assertThat(h.time.elapsed()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void anAbsurdlyLargeRetryAfterIsAboveTheCapNotAnOverflow(Path path, FaultServer server) {
    server.script("GET", "/r",
        Fault.status(503).header("Retry-After", "99999999999999999999999"), Fault.ok("done"));
    ResilientHttpClient client =
        h.client(Harness.backoff(3, BACKOFF)).resultMode(ResultMode.THROW).build();

    Outcome<String> outcome = h.call(path, client, Harness.get(server, "/r"));

    assertThat(outcome.failure(RetriesExhaustedException.class).reason())
        .isEqualTo(GiveUpReason.RETRY_AFTER_TOO_LONG);
    assertThat(server.requestCount("GET", "/r")).isEqualTo(1);
    assertThat(h.time.elapsed()).isZero();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("pathsAndStatuses")
  void aboveTheCapReturnsTheResponseWithItsBodyInReturnMode(Path path, int status, FaultServer server) {
    server.script("GET", "/r",
        Fault.status(status).header("Retry-After", "120").body("come back in two minutes"),
        Fault.ok("done"));

    Outcome<String> outcome = h.call(path, client(), Harness.get(server, "/r"));

    HttpResponse<String> response = outcome.response();
    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.body()).isEqualTo("come back in two minutes");
    assertThat(response.headers().firstValue("Retry-After")).hasValue("120");
    assertThat(server.requestCount("GET", "/r")).isEqualTo(1);
    assertThat(h.events.giveUps).containsExactly(GiveUpReason.RETRY_AFTER_TOO_LONG);
    assertThat(h.time.elapsed()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void theCapIsConfigurable(Path path, FaultServer server) {
    server.script("GET", "/r", Fault.status(503).header("Retry-After", "120"), Fault.ok("done"));
    ResilientHttpClient client =
        h.client(Harness.backoff(3, BACKOFF)).retryAfterCap(Duration.ofMinutes(3)).build();

    Outcome<String> outcome = h.call(path, client, Harness.get(server, "/r"));

    assertThat(outcome.response().statusCode()).isEqualTo(200);
    assertThat(h.events.retryDelays).containsExactly(Duration.ofSeconds(120));
    assertThat(h.time.elapsed()).isEqualTo(Duration.ofSeconds(120));
  }

  // ---- beyond the deadline ----------------------------------------------------------------

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("pathsAndStatuses")
  void beyondTheCallDeadlineEndsRetriesAtOnce(Path path, int status, FaultServer server) {
    server.script("GET", "/r", Fault.status(status).header("Retry-After", "10"), Fault.ok("done"));
    ResilientHttpClient client = h.client(Harness.backoff(3, BACKOFF))
        .callTimeout(Duration.ofSeconds(5))
        .resultMode(ResultMode.THROW)
        .build();

    Outcome<String> outcome = h.call(path, client, Harness.get(server, "/r"));

    CallTimeoutException timeout = outcome.failure(CallTimeoutException.class);
    assertThat(timeout).hasCauseInstanceOf(HttpStatusException.class);
    assertThat(timeout.getMessage()).contains("Retry-After").contains("10 s").contains("deadline");
    assertThat(server.requestCount("GET", "/r")).isEqualTo(1);
    assertThat(h.events.retryDelays).isEmpty();
    assertThat(h.events.giveUps).containsExactly(GiveUpReason.DEADLINE);
    assertThat(h.time.elapsed()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aRetryAfterWithinTheDeadlineIsWaitedFor(Path path, FaultServer server) {
    server.script("GET", "/r", Fault.status(503).header("Retry-After", "4"), Fault.ok("done"));
    ResilientHttpClient client =
        h.client(Harness.backoff(3, BACKOFF)).callTimeout(Duration.ofSeconds(5)).build();

    Outcome<String> outcome = h.call(path, client, Harness.get(server, "/r"));

    assertThat(outcome.response().body()).isEqualTo("done");
    assertThat(server.requestCount("GET", "/r")).isEqualTo(2);
    assertThat(h.events.retryDelays).containsExactly(Duration.ofSeconds(4));
    assertThat(h.time.elapsed()).isEqualTo(Duration.ofSeconds(4));
  }

  // ---- POST: 429 is retried for every method, 503 is not ----------------------------------

  private static HttpRequest post(FaultServer server) {
    return HttpRequest.newBuilder(server.uri("/orders"))
        .POST(BodyPublishers.ofString("{\"item\":42}"))
        .build();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void a429WithRetryAfterIsRetriedForPost(Path path, FaultServer server) {
    server.script("POST", "/orders", Fault.status(429).header("Retry-After", "1"), Fault.status(201));

    Outcome<String> outcome = h.call(path, client(), post(server));

    assertThat(outcome.response().statusCode()).isEqualTo(201);
    assertThat(server.requestCount("POST", "/orders")).isEqualTo(2);
    assertThat(server.requests()).extracting(FaultServer.RecordedCall::bodyAsString)
        .containsExactly("{\"item\":42}", "{\"item\":42}");
    assertThat(h.events.retryDelays).containsExactly(Duration.ofSeconds(1));
    assertThat(h.time.elapsed()).isEqualTo(Duration.ofSeconds(1));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void a503WithRetryAfterIsNotRetriedForPost(Path path, FaultServer server) {
    server.script("POST", "/orders",
        Fault.status(503).header("Retry-After", "1").body("busy"), Fault.status(201));

    Outcome<String> outcome = h.call(path, client(), post(server));

    assertThat(outcome.response().statusCode()).isEqualTo(503);
    assertThat(outcome.response().body()).isEqualTo("busy");
    assertThat(server.requestCount("POST", "/orders")).isEqualTo(1);
    assertThat(h.events.retryDelays).isEmpty();
    assertThat(h.events.giveUps).containsExactly(GiveUpReason.NOT_RETRYABLE);
    assertThat(h.time.elapsed()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void a503WithRetryAfterForPostThrowsServerUnavailableInThrowMode(Path path, FaultServer server) {
    server.script("POST", "/orders", Fault.status(503).header("Retry-After", "1"), Fault.status(201));
    ResilientHttpClient client =
        h.client(Harness.backoff(3, BACKOFF)).resultMode(ResultMode.THROW).build();

    Outcome<String> outcome = h.call(path, client, post(server));

    ServerUnavailableException unavailable = outcome.failure(ServerUnavailableException.class);
    assertThat(unavailable.statusCode()).isEqualTo(503);
    assertThat(unavailable.method()).isEqualTo("POST");
    assertThat(server.requestCount("POST", "/orders")).isEqualTo(1);
    assertThat(List.copyOf(h.events.giveUps)).containsExactly(GiveUpReason.NOT_RETRYABLE);
  }
}
