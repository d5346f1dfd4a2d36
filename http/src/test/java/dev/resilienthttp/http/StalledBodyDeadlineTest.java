package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServerExtension;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Regression: java.net.http's request timeout ends at the response headers, so a body that
 * stalls half-way used to hold a synchronous {@code send} past the call's deadline.
 */
@ExtendWith(FaultServerExtension.class)
class StalledBodyDeadlineTest {

  @Test
  @Timeout(20)
  void aBodyStalledHalfWayEndsAtTheCallDeadline(FaultServer server) {
    server.script("GET", "/slow", Fault.ok("0123456789").stallMidBody());
    ResilientHttpClient client =
        ResilientHttpClient.newBuilder(HttpClient.newHttpClient())
            .callTimeout(Duration.ofMillis(300))
            .build();

    assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(server.uri("/slow")).build(), BodyHandlers.ofString()))
        .isInstanceOf(HttpTimeoutException.class)
        .hasMessageContaining("deadline");
  }
}
