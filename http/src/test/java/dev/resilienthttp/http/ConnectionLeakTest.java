package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.http.Harness.Outcome;
import dev.resilienthttp.http.Harness.Path;
import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServer.RecordedCall;
import dev.resilienthttp.testing.FaultServerExtension;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * No connection leaks over 1,000 retried calls: every call is answered 503 (with a body larger
 * than a socket buffer) and then 200, so every call discards one response. If a discarded body
 * were left unread its connection could not go back to the pool, and each call would open a
 * new one; the server's connection indexes show the calls shared a handful.
 */
@ExtendWith(FaultServerExtension.class)
class ConnectionLeakTest {

  private static final int CALLS = 1_000;

  /** 64 KiB: more than the socket buffers hold, so an undrained body blocks its connection. */
  private static final String DISCARDED_BODY = "u".repeat(64 * 1024);

  private final Harness h = new Harness();

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aThousandRetriedCallsReuseAHandfulOfConnections(Path path, FaultServer server) {
    // Calls run one after another, so request 2n is call n's first attempt and 2n + 1 its retry.
    server.scriptAll(index -> index % 2 == 0
        ? Fault.status(503).body(DISCARDED_BODY)
        : Fault.ok("ok " + index / 2));
    ResilientHttpClient client = h.client(FixedDelayRetrier.of(2, Duration.ZERO)).build();

    for (int call = 0; call < CALLS; call++) {
      Outcome<String> outcome = h.call(path, client, Harness.get(server, "/item?n=" + call));
      assertThat(outcome.response().statusCode()).as("call %d", call).isEqualTo(200);
      assertThat(outcome.response().body()).as("call %d", call).isEqualTo("ok " + call);
    }

    assertThat(server.requestCount()).isEqualTo(2 * CALLS);
    Set<Integer> connections =
        server.requests().stream().map(RecordedCall::connection).collect(Collectors.toSet());
    assertThat(connections).as("connections used by %d requests", 2 * CALLS).hasSizeLessThanOrEqualTo(4);
    assertThat(h.events.retryDelays).hasSize(CALLS);
    assertThat(h.events.successes).hasSize(CALLS).containsOnly(2);
  }
}
