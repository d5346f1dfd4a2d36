package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.http.Harness.Path;
import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServer.RecordedCall;
import dev.resilienthttp.testing.FaultServerExtension;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * No connection leaks over 1,000 retried calls: every call is answered 503 (with a body larger
 * than the socket buffers) and then 200, so every call discards one response. Were a discarded
 * body left unread, its connection could not go back to the pool and every call would need a
 * new one; the server's connection indexes show that {@value #CALLERS} callers shared about as
 * many connections.
 */
@ExtendWith(FaultServerExtension.class)
class ConnectionLeakTest {

  private static final int CALLS = 1_000;

  /**
   * Calls in flight at once: the connections the pool needs, at most. Calls run concurrently
   * only for speed: a FaultServer answer takes ~25-45 ms on loopback (its accepted sockets keep
   * Nagle on, which meets the client's delayed ACK), so 2,000 requests one after another would
   * take over a minute. A leak shows as one connection per call (1,000+), far above this bound.
   */
  private static final int CALLERS = 16;

  /** 64 KiB: more than the socket buffers hold, so an unread body would pin its connection. */
  private static final String DISCARDED_BODY = "u".repeat(64 * 1024);

  private final Harness h = new Harness();

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aThousandRetriedCallsReuseAHandfulOfConnections(Path path, FaultServer server) throws Exception {
    for (int call = 0; call < CALLS; call++) {
      server.script("GET", "/item/" + call, Fault.status(503).body(DISCARDED_BODY), Fault.ok("ok " + call));
    }
    // Waits of zero on the system clock: virtual time would need driving from every caller.
    AttemptCounter attempts = new AttemptCounter();
    ResilientHttpClient client = ResilientHttpClient.newBuilder(h.http)
        .retrier(FixedDelayRetrier.of(2, Duration.ZERO))
        .listener(h.events)
        .listener(attempts)
        .build();

    List<String> bodies = path == Path.SYNC ? callSync(client, server) : callAsync(client, server);

    for (int call = 0; call < CALLS; call++) {
      assertThat(bodies.get(call)).as("call %d", call).isEqualTo("ok " + call);
    }
    assertThat(attempts.attempts()).isEqualTo(2 * CALLS);
    // java.net.http may resend a GET once by itself when a pooled connection closes before any
    // byte of the response: the wire may show an attempt twice, never more.
    assertThat(server.requestCount()).isBetween(2 * CALLS, 4 * CALLS);
    Set<Integer> connections =
        server.requests().stream().map(RecordedCall::connection).collect(Collectors.toSet());
    assertThat(connections).as("connections used by %d requests", 2 * CALLS).hasSizeLessThanOrEqualTo(CALLERS);
    // An async call's future completes a moment before the engine reports its success.
    Harness.eventually(() -> h.events.successes.size() == CALLS, "every success reported");
    assertThat(h.events.successes).containsOnly(2);
    assertThat(h.events.retryDelays).hasSize(CALLS).containsOnly(Duration.ZERO);
  }

  /** {@value #CALLERS} threads, each calling {@code send} one call after another. */
  private static List<String> callSync(ResilientHttpClient client, FaultServer server) throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int call = 0; call < CALLS; call++) {
        int n = call;
        results.add(callers.submit(() -> {
          HttpResponse<String> response = client.send(Harness.get(server, "/item/" + n), BodyHandlers.ofString());
          assertThat(response.statusCode()).isEqualTo(200);
          return response.body();
        }));
      }
      List<String> bodies = new ArrayList<>();
      for (Future<String> result : results) {
        bodies.add(result.get(30, TimeUnit.SECONDS));
      }
      return bodies;
    } finally {
      callers.shutdownNow();
    }
  }

  /** {@code sendAsync} from one thread, at most {@value #CALLERS} calls in flight. */
  private static List<String> callAsync(ResilientHttpClient client, FaultServer server) throws Exception {
    Semaphore window = new Semaphore(CALLERS);
    List<CompletableFuture<String>> results = new ArrayList<>();
    for (int call = 0; call < CALLS; call++) {
      assertThat(window.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<HttpResponse<String>> response =
          client.sendAsync(Harness.get(server, "/item/" + call), BodyHandlers.ofString());
      response.whenComplete((r, t) -> window.release());
      results.add(response.thenApply(r -> {
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
      }));
    }
    List<String> bodies = new ArrayList<>();
    for (CompletableFuture<String> result : results) {
      bodies.add(result.get(30, TimeUnit.SECONDS));
    }
    return bodies;
  }
}
