package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.http.Harness.Outcome;
import dev.resilienthttp.http.Harness.Path;
import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServerExtension;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Retry-After end to end, against a real server in virtual time, down both paths (issue
 * failures 2 and 17): with nothing configured one Retry-After holds nothing back; a huge
 * Retry-After ends the call with its response instead of overflowing; an HTTP-date with the
 * wrong day name still counts; of two Retry-After fields the larger wins.
 */
@ExtendWith(FaultServerExtension.class)
@Timeout(60) // a hang guard for the whole class, not a timing assertion
class RetryAfterEndToEndTest {

  private final Harness h = new Harness();

  /** What a client has configured besides its delegate (and the clock, to read it). */
  enum Configured {
    NOTHING,
    /** Still no retrier: a listener only, which takes the call through the client's pipeline. */
    A_LISTENER_ONLY
  }

  static Stream<Arguments> pathsAndConfigurations() {
    return Stream.of(Path.values())
        .flatMap(path -> Stream.of(Configured.values()).map(configured -> Arguments.of(path, configured)));
  }

  // ---- failure 2 -------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("pathsAndConfigurations")
  void withoutARetrierARetryAfterOfAnHourDoesNotHoldBackTheNextCall(
      Path path, Configured configured, FaultServer server) {
    server.script("GET", "/api", Fault.status(503).header("Retry-After", "3600"), Fault.ok("next"));
    ResilientHttpClient client = configured == Configured.NOTHING
        ? ResilientHttpClient.newBuilder(h.http).timeSource(h.time).build()
        : h.client(Retrier.none()).build();

    assertThat(h.call(path, client, Harness.get(server, "/api")).response().statusCode()).isEqualTo(503);
    Outcome<String> next = h.call(path, client, Harness.get(server, "/api"));

    assertThat(next.response().statusCode()).isEqualTo(200);
    assertThat(next.response().body()).isEqualTo("next");
    assertThat(server.requestCount("GET", "/api")).isEqualTo(2);
    assertThat(h.time.elapsed()).as("the second call did not wait").isZero();
    assertThat(h.time.sleeps()).isEmpty();
    assertThat(h.time.scheduledDelays()).isEmpty();
  }

  static Stream<Arguments> pathsAndHugeRetryAfters() {
    return Stream.of(Path.values()).flatMap(path -> Stream.of(
        Arguments.of(path, "99999999999"),
        Arguments.of(path, "9223372036854775807"),
        Arguments.of(path, "99999999999999999999999")));
  }

  @ParameterizedTest(name = "{0} Retry-After: {1}")
  @MethodSource("pathsAndHugeRetryAfters")
  void aHugeRetryAfterEndsTheCallWithThe503InsteadOfOverflowing(
      Path path, String retryAfter, FaultServer server) {
    server.script("GET", "/api", Fault.status(503).header("Retry-After", retryAfter).body("go away"), Fault.ok());
    ResilientHttpClient client = h.client(Harness.backoff(3, Duration.ofMillis(100))).build();

    Outcome<String> outcome = h.call(path, client, Harness.get(server, "/api"));

    assertThat(outcome.response().statusCode()).isEqualTo(503);
    assertThat(outcome.response().body()).isEqualTo("go away");
    assertThat(h.events.giveUps).containsExactly(GiveUpReason.RETRY_AFTER_TOO_LONG);
    assertThat(server.requestCount("GET", "/api")).isEqualTo(1);
    assertThat(h.time.elapsed()).isZero();
  }

  // ---- failure 17 ------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void anHttpDateWithTheWrongDayNameIsWaitedForInFull(Path path, FaultServer server) {
    Instant now = Instant.parse("2024-03-05T10:00:00Z"); // a Tuesday
    String date = DateTimeFormatter.ofPattern("dd MMM yyyy HH:mm:ss", Locale.ROOT)
        .format(now.plusSeconds(10).atOffset(ZoneOffset.UTC));
    String wrongDay = "Fri, " + date + " GMT";
    server.script("GET", "/api", Fault.status(503).header("Retry-After", wrongDay), Fault.ok("after"));
    ResilientHttpClient client = h.client(Harness.backoff(3, Duration.ofMillis(100)))
        .wallClock(Clock.fixed(now, ZoneOffset.UTC))
        .build();

    Outcome<String> outcome = h.call(path, client, Harness.get(server, "/api"));

    assertThat(outcome.response().body()).isEqualTo("after");
    assertThat(outcome.response().headers().firstValue("Date"))
        .as("the server sends no Date, so the client's wall clock is what the date is measured against")
        .isEmpty();
    assertThat(h.events.retryDelays).as("Retry-After: " + wrongDay).containsExactly(Duration.ofSeconds(10));
    assertThat(h.time.elapsed()).isEqualTo(Duration.ofSeconds(10));
    assertThat(server.requestCount("GET", "/api")).isEqualTo(2);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void ofTwoRetryAfterFieldsTheLargerIsWaitedFor(Path path, FaultServer server) {
    server.script("GET", "/api",
        Fault.status(503).header("Retry-After", "3").header("Retry-After", "7"), Fault.ok("after"));
    ResilientHttpClient client = h.client(Harness.backoff(3, Duration.ofMillis(100))).build();

    Outcome<String> outcome = h.call(path, client, Harness.get(server, "/api"));

    assertThat(outcome.response().body()).isEqualTo("after");
    assertThat(h.events.retryDelays).containsExactly(Duration.ofSeconds(7));
    assertThat(h.time.elapsed()).isEqualTo(Duration.ofSeconds(7));
    assertThat(server.requestCount("GET", "/api")).isEqualTo(2);
  }
}
