package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServerExtension;
import dev.resilienthttp.testing.VirtualTime;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Which statuses a client retries, as set by {@link ResilientHttpClient.Builder#retryStatuses}
 * and {@link ResilientHttpClient.Builder#retryRateLimited}: the table the client looks statuses
 * up in (white-box), and what a real server sees.
 */
@ExtendWith(FaultServerExtension.class)
class RetryStatusesTest {

  private static final HttpClient JDK = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static List<Integer> where(java.util.function.IntPredicate test) {
    return IntStream.rangeClosed(-1, 1_000).filter(test).boxed().collect(Collectors.toList());
  }

  @Test
  void byDefault5xxOfTheListAnd429AreCandidatesAndNothingElseFromMinus1To1000() {
    ResilientHttpClient client = ResilientHttpClient.newBuilder(JDK).build();

    assertThat(where(client::isRetryCandidate)).containsExactly(429, 500, 502, 503, 504);
    assertThat(where(client::isRetryStatus)).containsExactly(500, 502, 503, 504);
  }

  @Test
  void customStatusesReplaceTheDefaultsAnd429CanBeLeftOut() {
    ResilientHttpClient client =
        ResilientHttpClient.newBuilder(JDK).retryStatuses(501, 599).retryRateLimited(false).build();

    assertThat(where(client::isRetryCandidate)).containsExactly(501, 599);
    assertThat(where(client::isRetryStatus)).containsExactly(501, 599);
  }

  @Test
  void aServerSeesRetriesOfTheConfiguredStatusesOnly(FaultServer server) throws Exception {
    ResilientHttpClient client = ResilientHttpClient.newBuilder(JDK)
        .retrier(FixedDelayRetrier.of(2, Duration.ofSeconds(1)))
        .timeSource(VirtualTime.create())
        .retryStatuses(501)
        .retryRateLimited(false)
        .build();
    server.script("GET", "/501", Fault.status(501), Fault.ok("second"));
    server.script("GET", "/503", Fault.status(503), Fault.ok("never"));
    server.script("GET", "/429", Fault.status(429).header("Retry-After", "0"), Fault.ok("never"));

    assertThat(client.send(HttpRequest.newBuilder(server.uri("/501")).build(), BodyHandlers.ofString()).body())
        .isEqualTo("second");
    assertThat(client.send(HttpRequest.newBuilder(server.uri("/503")).build(), BodyHandlers.ofString()).statusCode())
        .isEqualTo(503);
    assertThat(client.send(HttpRequest.newBuilder(server.uri("/429")).build(), BodyHandlers.ofString()).statusCode())
        .isEqualTo(429);
    assertThat(List.of(server.requestCount("GET", "/501"), server.requestCount("GET", "/503"),
            server.requestCount("GET", "/429")))
        .containsExactly(2, 1, 1);
  }
}
