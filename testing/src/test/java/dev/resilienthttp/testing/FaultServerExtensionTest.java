package dev.resilienthttp.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link FaultServerExtension}: one started server per test, shared within it, then closed. */
@ExtendWith(FaultServerExtension.class)
@Timeout(30) // A safety net against a hang, not a timing assertion.
class FaultServerExtensionTest {

  private static final List<Integer> PORTS_SEEN = new CopyOnWriteArrayList<>();

  private FaultServer fromBeforeEach;

  @BeforeEach
  void captureServer(FaultServer server) {
    fromBeforeEach = server;
  }

  @Test
  void injectsTheSameStartedServerIntoBeforeEachAndTheTest(FaultServer server)
      throws Exception {
    PORTS_SEEN.add(server.port());

    assertThat(server).isSameAs(fromBeforeEach);
    HttpResponse<Void> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(server.uri("/")).build(), BodyHandlers.discarding());
    assertThat(response.statusCode()).isEqualTo(200);
  }

  @Test
  void givesEachTestAFreshServer(FaultServer server) {
    PORTS_SEEN.add(server.port());

    assertThat(server.requestCount()).isZero();
  }

  @AfterAll
  static void everyServerWasClosedAfterItsTest() {
    // The extension's after-each callback has run for both tests by now.
    assertThat(PORTS_SEEN).hasSize(2).doesNotHaveDuplicates();
    for (int port : PORTS_SEEN) {
      assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
          .as("port %d", port).isInstanceOf(ConnectException.class);
    }
  }
}
