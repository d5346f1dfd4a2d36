package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.resilienthttp.http.Harness.Outcome;
import dev.resilienthttp.http.Harness.Path;
import dev.resilienthttp.http.auth.AccessToken;
import dev.resilienthttp.http.auth.TokenSource;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServerExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Regression (issue failure 16): a setting out of range is refused by the time the client is
 * built (or the request marked), with a message naming the setting, the value and the range;
 * an idempotency key source that hands out a blank key fails the call, naming it, before
 * anything is sent.
 */
@ExtendWith(FaultServerExtension.class)
@Timeout(60) // a hang guard for the whole class, not a timing assertion
class SettingsRejectedWhenBuiltTest {

  private static final HttpClient JDK = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final Duration FOUR_HUNDRED_YEARS = Duration.ofDays(365L * 400);
  /** The longest duration a setting may hold: what a long of nanoseconds counts. */
  private static final String MAX = Duration.ofNanos(Long.MAX_VALUE).toString();
  private static final TokenSource TOKENS =
      client -> CompletableFuture.completedFuture(AccessToken.of("t", Duration.ofHours(1)));

  static Stream<Arguments> badSettings() {
    return Stream.of(
        bad("retryAfterCap", b -> b.retryAfterCap(FOUR_HUNDRED_YEARS), FOUR_HUNDRED_YEARS.toString(), MAX),
        bad("callTimeout", b -> b.callTimeout(FOUR_HUNDRED_YEARS), FOUR_HUNDRED_YEARS.toString(), MAX),
        bad("gateReleaseSpread", b -> b.gateReleaseSpread(FOUR_HUNDRED_YEARS), FOUR_HUNDRED_YEARS.toString(), MAX),
        bad("attemptTimeout", b -> b.attemptTimeout(Duration.ZERO), "PT0S", MAX),
        bad("replayBodiesUpTo", b -> b.replayBodiesUpTo(0), "0", String.valueOf(Integer.MAX_VALUE)),
        bad("tokenFetchTimeout", b -> b.tokenFetchTimeout(Duration.ZERO), "PT0S", MAX),
        bad("hosts", b -> b.bearerTokens(TOKENS), "empty", "at least one host"));
  }

  private static Arguments bad(String setting, UnaryOperator<ResilientHttpClient.Builder> set, String value, String range) {
    return Arguments.of(setting, set, value, range);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badSettings")
  void aSettingOutOfRangeIsRefusedNamingTheSettingTheValueAndTheRange(
      String setting, UnaryOperator<ResilientHttpClient.Builder> set, String value, String range) {
    assertThatThrownBy(() -> set.apply(ResilientHttpClient.newBuilder(JDK)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(setting)
        .hasMessageContaining(value)
        .hasMessageContaining(range);
  }

  @org.junit.jupiter.api.Test
  void aRequestsCallTimeoutOutOfRangeIsRefusedWhenMarked() {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:1/api")).build();

    assertThatThrownBy(() -> ResilientRequests.callTimeout(request, FOUR_HUNDRED_YEARS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("callTimeout")
        .hasMessageContaining(FOUR_HUNDRED_YEARS.toString())
        .hasMessageContaining(MAX);
    assertThatThrownBy(() -> ResilientRequests.callTimeout(request, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("callTimeout")
        .hasMessageContaining("PT0S");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aBlankGeneratedIdempotencyKeyFailsTheCallNamingItsSourceAndSendsNothing(Path path, FaultServer server) {
    Harness h = new Harness();
    ResilientHttpClient client = h.client(Retrier.none())
        .generateIdempotencyKeys(true)
        .idempotencyKeySource(() -> "")
        .build();
    HttpRequest post = HttpRequest.newBuilder(server.uri("/orders")).POST(BodyPublishers.ofString("{}")).build();

    Outcome<String> outcome = h.call(path, client, post);

    assertThat(outcome.failure()).hasMessageContaining("idempotencyKeySource");
    assertThat(server.requestCount()).as("requests the server saw").isZero();
  }
}
