package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.retry.ExponentialBackoffRetrier;
import dev.resilienthttp.retry.Jitter;
import dev.resilienthttp.retry.RetryContext;
import dev.resilienthttp.retry.RetryListener;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.InFlightAttempts;
import dev.resilienthttp.testing.VirtualTime;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DESIGN.md's table of what is retried over HTTP, row by row and request kind by request kind,
 * each cell run through {@code send} and {@code sendAsync} against a real loopback server.
 *
 * <p>The numbers are the attempts this client makes with a retrier allowing 3. What the server
 * sees can differ, and the test checks it too: java.net.http resends a GET once on its own when
 * the connection is reset before any response byte (DESIGN.md §5), so a reset GET shows two
 * requests per attempt; a connect timeout or a refused connection shows none.
 */
class RetryMatrixTest {

  /** The specification. Columns: outcome, then the attempts made for each kind of request. */
  private static final String TABLE =
      """
      outcome                     | GET | PUT | DELETE | POST | POST with Idempotency-Key | POST with one-shot body
      connect timeout             |  3  |  3  |   3    |  3   |             3             |           3
      connection refused          |  1  |  1  |   1    |  1   |             1             |           1
      connection refused, opt-in  |  3  |  3  |   3    |  3   |             3             |           3
      timeout after sending       |  3  |  3  |   3    |  1   |             3             |           1
      reset after sending         |  3  |  3  |   3    |  1   |             3             |           1
      500                         |  3  |  3  |   3    |  1   |             3             |           1
      502                         |  3  |  3  |   3    |  1   |             3             |           1
      503                         |  3  |  3  |   3    |  1   |             3             |           1
      504                         |  3  |  3  |   3    |  1   |             3             |           1
      429                         |  3  |  3  |   3    |  3   |             3             |           1
      401                         |  1  |  1  |   1    |  1   |             1             |           1
      403                         |  1  |  1  |   1    |  1   |             1             |           1
      404                         |  1  |  1  |   1    |  1   |             1             |           1
      501                         |  1  |  1  |   1    |  1   |             1             |           1
      505                         |  1  |  1  |   1    |  1   |             1             |           1
      """;

  /** Short, for connecting to the socket that never accepts. */
  private static final Duration SHORT_TIMEOUT = Duration.ofMillis(250);
  /**
   * For the row that times out waiting for the response: long enough that even a loaded machine
   * has written the request before it passes (a request timed out before it was written would
   * never reach the server), far shorter than the server's delay.
   */
  private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(1);
  /** Generous, so a loaded machine never turns another row into a timeout. */
  private static final Duration LONG_TIMEOUT = Duration.ofSeconds(20);

  private static HttpClient jdk;
  private static HttpClient quickToGiveUpConnecting;
  private static ServerSocket blackHole;
  private static final List<Socket> backlogFillers = new ArrayList<>();
  private static URI refusing;

  enum Kind {
    GET, PUT, DELETE, POST, POST_WITH_IDEMPOTENCY_KEY, POST_WITH_ONE_SHOT_BODY;

    HttpRequest request(URI uri, Duration timeout) {
      HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout);
      switch (this) {
        case GET:
          return builder.GET().build();
        case PUT:
          return builder.PUT(BodyPublishers.ofString("{\"put\":1}")).build();
        case DELETE:
          return builder.DELETE().build();
        case POST:
          return builder.POST(BodyPublishers.ofString("{\"post\":1}")).build();
        case POST_WITH_IDEMPOTENCY_KEY:
          return builder.header("Idempotency-Key", "k-42").POST(BodyPublishers.ofString("{\"post\":2}")).build();
        default:
          return builder.POST(BodyPublishers.fromPublisher(BearerTokenTest.oneShotBody("{\"one-shot\":1}"))).build();
      }
    }

    String httpMethod() {
      return name().startsWith("POST") ? "POST" : name();
    }
  }

  enum Path { SEND, SEND_ASYNC }

  /** One cell of the table. */
  record Cell(String outcome, Kind kind, int expectedAttempts, Path path) {}

  @BeforeAll
  static void startSharedFixtures() throws IOException {
    jdk = HttpClient.newBuilder().connectTimeout(LONG_TIMEOUT).build();
    quickToGiveUpConnecting = HttpClient.newBuilder().connectTimeout(SHORT_TIMEOUT).build();
    // A listening socket that never accepts: once its backlog is full, connects time out.
    blackHole = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    for (int i = 0; i < 8; i++) {
      Socket filler = new Socket();
      try {
        filler.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), blackHole.getLocalPort()), 200);
        backlogFillers.add(filler);
      } catch (IOException full) {
        filler.close();
        break;
      }
    }
    // A port nobody listens on: connections are refused.
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      refusing = URI.create("http://127.0.0.1:" + closed.getLocalPort() + "/refused");
    }
  }

  @AfterAll
  static void stopSharedFixtures() throws IOException {
    for (Socket filler : backlogFillers) {
      filler.close();
    }
    blackHole.close();
  }

  static Stream<Arguments> cells() {
    List<Arguments> cells = new ArrayList<>();
    String[] lines = TABLE.strip().split("\n");
    for (int i = 1; i < lines.length; i++) {
      String[] columns = Arrays.stream(lines[i].split("\\|")).map(String::strip).toArray(String[]::new);
      for (Kind kind : Kind.values()) {
        int attempts = Integer.parseInt(columns[kind.ordinal() + 1]);
        for (Path path : Path.values()) {
          Cell cell = new Cell(columns[0], kind, attempts, path);
          String name = columns[0] + " | " + kind.name().replace('_', ' ') + " | " + path + " -> "
              + attempts + (attempts == 1 ? " attempt" : " attempts");
          cells.add(Arguments.of(Named.of(name, cell)));
        }
      }
    }
    return cells.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cells")
  void attemptsFollowTheTable(Cell cell) throws Exception {
    try (FaultServer server = FaultServer.start()) {
      VirtualTime time = VirtualTime.create();
      AtomicInteger attempts = new AtomicInteger();
      InFlightAttempts inFlight = new InFlightAttempts(time);
      ResilientHttpClient client =
          ResilientHttpClient.newBuilder(cell.outcome().equals("connect timeout") ? quickToGiveUpConnecting : jdk)
              .retrier(ExponentialBackoffRetrier.builder().maxAttempts(3).jitter(Jitter.NONE).build())
              .retryConnectionRefused(cell.outcome().endsWith("opt-in"))
              .timeSource(time)
              .listener(inFlight)
              .listener(new RetryListener() {
                @Override
                public void onAttemptStarted(RetryContext context, int attempt) {
                  attempts.incrementAndGet();
                }
              })
              .build();
      URI uri = target(cell.outcome(), server);

      Duration timeout = cell.outcome().equals("timeout after sending") ? RESPONSE_TIMEOUT : LONG_TIMEOUT;
      Object outcome = call(client, cell.kind().request(uri, timeout), cell.path(), time, inFlight);

      assertThat(attempts.get()).as("attempts made").isEqualTo(cell.expectedAttempts());
      // A timed-out request may reach the server after the client gave up on it.
      server.awaitRequestCount(expectedRequests(cell), Duration.ofSeconds(10));
      assertThat(server.requestCount()).as("requests the server saw").isEqualTo(expectedRequests(cell));
      assertCallerGot(cell, outcome);
      if (cell.expectedAttempts() > 1) {
        assertThat(time.elapsed()).as("virtual time waited: 100 ms then 200 ms")
            .isEqualTo(Duration.ofMillis(300));
      }
    }
  }

  /*
   * The port chosen once for refusals may since have been handed to this cell's own server (an
   * ephemeral port freed and reused), which then answers what should have been refused: seen
   * once in a full build. A port freed while this cell's server holds its own cannot be it.
   */
  private static URI refusingOtherThan(FaultServer server) {
    if (refusing.getPort() != server.port()) {
      return refusing;
    }
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return URI.create("http://127.0.0.1:" + closed.getLocalPort() + "/refused");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static URI target(String outcome, FaultServer server) {
    String path = "/matrix";
    switch (outcome) {
      case "connect timeout":
        return URI.create("http://127.0.0.1:" + blackHole.getLocalPort() + path);
      case "connection refused":
      case "connection refused, opt-in":
        return refusingOtherThan(server);
      case "timeout after sending":
        server.script(FaultServer.ANY_METHOD, path, Fault.ok("late").delay(Duration.ofSeconds(10)));
        return server.uri(path);
      case "reset after sending":
        server.script(FaultServer.ANY_METHOD, path, Fault.resetBeforeHeaders());
        return server.uri(path);
      default:
        int status = Integer.parseInt(outcome);
        Fault fault = Fault.status(status).body("status " + status);
        server.script(FaultServer.ANY_METHOD, path, status == 429 ? fault.header("Retry-After", "0") : fault);
        return server.uri(path);
    }
  }

  private static int expectedRequests(Cell cell) {
    switch (cell.outcome()) {
      case "connect timeout":
      case "connection refused":
      case "connection refused, opt-in":
        return 0;
      case "reset after sending":
        // java.net.http resends a reset GET once by itself within each of our attempts.
        return cell.kind() == Kind.GET ? 2 * cell.expectedAttempts() : cell.expectedAttempts();
      default:
        return cell.expectedAttempts();
    }
  }

  private static void assertCallerGot(Cell cell, Object outcome) {
    switch (cell.outcome()) {
      case "connect timeout":
        assertThat(outcome).isInstanceOf(HttpConnectTimeoutException.class);
        break;
      case "connection refused":
      case "connection refused, opt-in":
        assertThat(outcome).isInstanceOf(ConnectException.class);
        break;
      case "timeout after sending":
        assertThat(outcome).isInstanceOf(HttpTimeoutException.class);
        break;
      case "reset after sending":
        assertThat(outcome).isInstanceOf(IOException.class);
        break;
      default:
        // The drop-in behaviour: the last response, body intact, whatever its status.
        assertThat(outcome).isInstanceOf(HttpResponse.class);
        HttpResponse<?> response = (HttpResponse<?>) outcome;
        assertThat(response.statusCode()).isEqualTo(Integer.parseInt(cell.outcome()));
        assertThat(response.body()).isEqualTo("status " + cell.outcome());
    }
  }

  /** Runs the call down one path; returns the response or what was thrown, unwrapped. */
  private static Object call(
      ResilientHttpClient client, HttpRequest request, Path path, VirtualTime time, InFlightAttempts inFlight)
      throws InterruptedException {
    if (path == Path.SEND) {
      try {
        return client.send(request, BodyHandlers.ofString());
      } catch (IOException e) {
        return e;
      }
    }
    CompletableFuture<HttpResponse<String>> future = client.sendAsync(request, BodyHandlers.ofString());
    time.drive(future, inFlight::none);
    try {
      return future.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      while (cause instanceof CompletionException && cause.getCause() != null) {
        cause = cause.getCause();
      }
      return cause;
    }
  }
}
