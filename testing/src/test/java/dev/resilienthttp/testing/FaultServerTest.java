package dev.resilienthttp.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.resilienthttp.testing.FaultServer.RecordedCall;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Behaviour of {@link FaultServer} as a client sees it: every test talks to a real server over
 * loopback, with {@code java.net.http.HttpClient} or, for what happens on the wire, a plain
 * socket.
 */
@ExtendWith(FaultServerExtension.class)
@Timeout(30) // A safety net against a hang, not a timing assertion.
class FaultServerTest {

  /** HTTP/1.1 so the JDK does not try an h2c upgrade; one client per test (JUnit's instance). */
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private HttpResponse<String> get(FaultServer server, String pathAndQuery)
      throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(server.uri(pathAndQuery)).build(),
        BodyHandlers.ofString());
  }

  private HttpResponse<String> post(FaultServer server, String path, String body)
      throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(server.uri(path))
        .POST(BodyPublishers.ofString(body)).build(), BodyHandlers.ofString());
  }

  // ---- responses -------------------------------------------------------------------------

  @Test
  void answers200WithEmptyBodyWhenNothingIsScripted(FaultServer server) throws Exception {
    HttpResponse<String> response = get(server, "/anything");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEmpty();
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void bindsToLoopbackAndBuildsUris(FaultServer server) {
    assertThat(server.uri("/a?b=c"))
        .isEqualTo(URI.create("http://127.0.0.1:" + server.port() + "/a?b=c"));
  }

  @Test
  void sendsScriptedStatusHeadersAndBody(FaultServer server) throws Exception {
    server.script("GET", "/busy", Fault.status(503).header("Retry-After", "2")
        .header("X-Trace", "a").header("X-Trace", "b").body("try later"));

    HttpResponse<String> response = get(server, "/busy");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).hasValue("2");
    assertThat(response.headers().allValues("X-Trace")).containsExactly("a", "b");
    assertThat(response.body()).isEqualTo("try later");
    assertThat(server.requestCount("GET", "/busy")).isEqualTo(1);
  }

  @Test
  void playsTheSequenceThenRepeatsItsLastFault(FaultServer server) throws Exception {
    server.script("GET", "/flaky", Fault.status(503), Fault.status(502), Fault.ok("done"));

    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      statuses.add(get(server, "/flaky").statusCode());
    }

    assertThat(statuses).containsExactly(503, 502, 200, 200, 200);
    assertThat(server.requestCount("GET", "/flaky")).isEqualTo(5);
  }

  @Test
  void matchesMethodAndPathThenAnyMethodThenFallback(FaultServer server) throws Exception {
    server.script("POST", "/items", Fault.status(201))
        .script("any", "/items", Fault.status(405))
        .script("GET", "/other", Fault.status(204));

    assertThat(post(server, "/items", "x").statusCode()).isEqualTo(201);
    assertThat(get(server, "/items?page=2").statusCode()).isEqualTo(405); // Query not matched.
    assertThat(get(server, "/other").statusCode()).isEqualTo(204);
    assertThat(get(server, "/unscripted").statusCode()).isEqualTo(200);

    assertThat(server.requestCount("POST", "/items")).isEqualTo(1);
    assertThat(server.requestCount("GET", "/items")).isEqualTo(1);
    assertThat(server.requestCount(FaultServer.ANY_METHOD, "/items")).isEqualTo(2);
    assertThat(server.requestCount()).isEqualTo(4);
  }

  @Test
  void recordsMethodTargetHeadersAndBody(FaultServer server) throws Exception {
    client.send(HttpRequest.newBuilder(server.uri("/orders?dry=true"))
            .header("Idempotency-Key", "k-1")
            .POST(BodyPublishers.ofString("{\"n\":1}")).build(),
        BodyHandlers.discarding());

    RecordedCall call = server.requests().get(0);
    assertThat(call.sequence()).isZero();
    assertThat(call.method()).isEqualTo("POST");
    assertThat(call.path()).isEqualTo("/orders");
    assertThat(call.target()).isEqualTo("/orders?dry=true");
    assertThat(call.header("idempotency-key")).hasValue("k-1");
    assertThat(call.headers()).containsEntry("idempotency-key", List.of("k-1"));
    assertThat(call.bodyAsString()).isEqualTo("{\"n\":1}");
    assertThat(call.body()).isEqualTo("{\"n\":1}".getBytes(UTF_8));
    assertThat(call.fault()).isEqualTo(Fault.ok());
  }

  @Test
  void answersHeadWithoutABody(FaultServer server) throws Exception {
    server.script("HEAD", "/h", Fault.ok("twelve bytes"));

    HttpResponse<String> response = client.send(HttpRequest.newBuilder(server.uri("/h"))
        .method("HEAD", BodyPublishers.noBody()).build(), BodyHandlers.ofString());
    HttpResponse<String> again = client.send(HttpRequest.newBuilder(server.uri("/h"))
        .method("HEAD", BodyPublishers.noBody()).build(), BodyHandlers.ofString());

    assertThat(response.headers().firstValue("Content-Length")).hasValue("12");
    assertThat(response.body()).isEmpty();
    assertThat(again.statusCode()).isEqualTo(200); // The connection was not corrupted.
    assertThat(server.requestCount("HEAD", "/h")).isEqualTo(2);
  }

  @Test
  void worksWithTheDefaultHttp2PreferringClient(FaultServer server) throws Exception {
    server.script("GET", "/x", Fault.ok("hello"));

    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(server.uri("/x")).build(), BodyHandlers.ofString());

    assertThat(response.body()).isEqualTo("hello");
    assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
  }

  // ---- delays, stalls and throttles ------------------------------------------------------

  @Test
  void delaysTheResponse(FaultServer server) throws Exception {
    server.script("GET", "/slow", Fault.ok("late").delay(Duration.ofMillis(30)));

    HttpResponse<String> response = get(server, "/slow");

    assertThat(response.body()).isEqualTo("late");
    assertThat(server.requests().get(0).fault().delay()).isEqualTo(Duration.ofMillis(30));
  }

  @Test
  void aDelayLongerThanTheClientTimeoutTimesTheClientOut(FaultServer server) {
    // The server would wait 10 s; closing it after the test ends the wait at once.
    server.script("GET", "/slow", Fault.ok().delay(Duration.ofSeconds(10)));

    assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(server.uri("/slow"))
        .timeout(Duration.ofMillis(100)).build(), BodyHandlers.ofString()))
        .isInstanceOf(HttpTimeoutException.class);
    assertThat(server.requestCount("GET", "/slow")).isEqualTo(1);
  }

  @Test
  void stallsMidBodySoAClientWithADeadlineGivesUp(FaultServer server) {
    server.script("GET", "/stall", Fault.ok("0123456789").stallMidBody());

    // In JDK 17 HttpRequest.timeout() ends once the headers arrive, so it cannot catch a stall
    // in the body (send() would wait until the server closes): the client's deadline has to
    // cover the body, as orTimeout does here.
    CompletableFuture<HttpResponse<String>> response = client.sendAsync(
        HttpRequest.newBuilder(server.uri("/stall")).timeout(Duration.ofMillis(200)).build(),
        BodyHandlers.ofString()).orTimeout(200, TimeUnit.MILLISECONDS);

    assertThatThrownBy(response::join).hasCauseInstanceOf(TimeoutException.class);
    assertThat(server.requestCount("GET", "/stall")).isEqualTo(1);
  }

  @Test
  void stallMidBodyDeliversTheHeadersFirst(FaultServer server) throws Exception {
    server.script("GET", "/stall", Fault.status(206).header("X-Part", "1")
        .body("0123456789").stallMidBody());

    HttpResponse<InputStream> response = client.send(
        HttpRequest.newBuilder(server.uri("/stall")).build(), BodyHandlers.ofInputStream());

    assertThat(response.statusCode()).isEqualTo(206);
    assertThat(response.headers().firstValue("X-Part")).hasValue("1");
    assertThat(response.body().readNBytes(5)).isEqualTo("01234".getBytes(UTF_8));
    // Reading on would block until the server is closed; closing the test's server ends it.
  }

  @Test
  void stallMidBodySendsHeadersAndHalfTheBodyOnTheWire(FaultServer server) throws Exception {
    server.script("GET", "/stall", Fault.ok("0123456789").stallMidBody());

    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5_000); // Only a safety net: the first half comes at once.
      sendRequest(socket, "GET /stall HTTP/1.1\r\nHost: x\r\n\r\n");
      String head = readUntil(socket.getInputStream(), "\r\n\r\n01234");

      assertThat(head).startsWith("HTTP/1.1 200 ").contains("Content-Length: 10\r\n");
      // Then nothing: a short wait for a byte that never comes ends in a read timeout.
      socket.setSoTimeout(100);
      assertThatThrownBy(() -> socket.getInputStream().read())
          .isInstanceOf(SocketTimeoutException.class);
    }
  }

  @Test
  void throttlesTheBodyButDeliversItAll(FaultServer server) throws Exception {
    server.script("GET", "/drip", Fault.ok("abcdef").throttleBody(2, Duration.ofMillis(5)));

    assertThat(get(server, "/drip").body()).isEqualTo("abcdef");
  }

  // ---- resets and closes -----------------------------------------------------------------

  @Test
  void resetBeforeHeadersFailsAGetWhichTheJdkSendsTwice(FaultServer server) {
    server.script("GET", "/reset", Fault.resetBeforeHeaders());

    assertThatThrownBy(() -> get(server, "/reset")).isInstanceOf(IOException.class);
    // java.net.http resends a GET once, on a new connection, when the connection dies before
    // any response byte (DESIGN.md section 5): one send, two requests on the server.
    assertThat(server.requestCount("GET", "/reset")).isEqualTo(2);
    List<RecordedCall> calls = server.requests();
    assertThat(calls).extracting(c -> c.fault().kind())
        .containsOnly(Fault.Kind.RESET_BEFORE_HEADERS);
    assertThat(calls.get(0).connection()).isNotEqualTo(calls.get(1).connection());
  }

  @Test
  void resetBeforeHeadersFailsAPostWhichTheJdkSendsOnce(FaultServer server) {
    server.script("POST", "/reset", Fault.resetBeforeHeaders());

    assertThatThrownBy(() -> post(server, "/reset", "payload")).isInstanceOf(IOException.class);
    assertThat(server.requestCount("POST", "/reset")).isEqualTo(1);
    assertThat(server.requests().get(0).bodyAsString()).isEqualTo("payload");
  }

  @Test
  void resetBeforeHeadersSendsATcpResetOnTheWire(FaultServer server) throws Exception {
    server.script("GET", "/reset", Fault.resetBeforeHeaders());

    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5_000); // Only a safety net: the reset comes at once.
      sendRequest(socket, "GET /reset HTTP/1.1\r\nHost: x\r\n\r\n");

      assertThatThrownBy(() -> socket.getInputStream().read())
          .isInstanceOf(SocketException.class).hasMessageContaining("reset");
    }
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void closeWithoutResponseFailsAGetWhichTheJdkSendsTwice(FaultServer server) {
    server.script("GET", "/close", Fault.closeWithoutResponse());

    assertThatThrownBy(() -> get(server, "/close")).isInstanceOf(IOException.class);
    // As for a reset: the JDK resends the GET once by itself (DESIGN.md section 5).
    assertThat(server.requestCount("GET", "/close")).isEqualTo(2);
  }

  @Test
  void closeWithoutResponseFailsAPostWhichTheJdkSendsOnce(FaultServer server) {
    server.script("POST", "/close", Fault.closeWithoutResponse());

    assertThatThrownBy(() -> post(server, "/close", "payload")).isInstanceOf(IOException.class);
    assertThat(server.requestCount("POST", "/close")).isEqualTo(1);
  }

  @Test
  void closeWithoutResponseEndsTheStreamInOrderOnTheWire(FaultServer server) throws Exception {
    server.script("GET", "/close", Fault.closeWithoutResponse());

    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5_000); // Only a safety net: the close comes at once.
      sendRequest(socket, "GET /close HTTP/1.1\r\nHost: x\r\n\r\n");

      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    }
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void resetMidBodyFailsTheCallAfterTheHeaders(FaultServer server) {
    server.script("GET", "/cut", Fault.ok("0123456789").resetMidBody());

    assertThatThrownBy(() -> get(server, "/cut")).isInstanceOf(IOException.class);
    // The headers arrived, so the JDK does not resend: one request.
    assertThat(server.requestCount("GET", "/cut")).isEqualTo(1);
  }

  @Test
  void resetMidBodySendsHeadersAndHalfTheBodyThenAResetOnTheWire(FaultServer server)
      throws Exception {
    server.script("GET", "/cut", Fault.ok("0123456789").resetMidBody());

    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5_000); // Only a safety net: the reset comes at once.
      sendRequest(socket, "GET /cut HTTP/1.1\r\nHost: x\r\n\r\n");
      ByteArrayOutputStream received = new ByteArrayOutputStream();

      assertThatThrownBy(() -> readUntilFailureOrEnd(socket.getInputStream(), received))
          .isInstanceOf(SocketException.class).hasMessageContaining("reset");
      assertThat(received.toString(US_ASCII)).startsWith("HTTP/1.1 200 ")
          .endsWith("\r\n\r\n01234");
    }
  }

  // ---- scripting at run time, random mixes, concurrency ----------------------------------

  @Test
  void scriptAllOverridesEveryPathUntilPathsAreScriptedAgain(FaultServer server)
      throws Exception {
    server.script("GET", "/a", Fault.ok("a"));
    assertThat(get(server, "/a").body()).isEqualTo("a");

    server.scriptAll(Fault.status(503));
    assertThat(get(server, "/a").statusCode()).isEqualTo(503);
    assertThat(get(server, "/b").statusCode()).isEqualTo(503);

    server.script("GET", "/a", Fault.ok("back"));
    assertThat(get(server, "/a").body()).isEqualTo("back");
    assertThat(get(server, "/b").statusCode()).isEqualTo(503);
    assertThat(server.requestCount("GET", "/a")).isEqualTo(3);
  }

  @Test
  void replacingAScriptRestartsItsSequence(FaultServer server) throws Exception {
    server.script("GET", "/s", Fault.status(500), Fault.ok());
    assertThat(get(server, "/s").statusCode()).isEqualTo(500);
    assertThat(get(server, "/s").statusCode()).isEqualTo(200);

    server.script("GET", "/s", Fault.status(500), Fault.ok());
    assertThat(get(server, "/s").statusCode()).isEqualTo(500);
  }

  @Test
  void aSeededRandomMixIsTheSameOnEveryRun() {
    IntFunction<Fault> mix = Fault.randomly(42, 0.10, Fault.status(503), Fault.ok());
    IntFunction<Fault> same = Fault.randomly(42, 0.10, Fault.status(503), Fault.ok());

    List<Fault> drawn = IntStream.range(0, 1_000).mapToObj(mix).collect(Collectors.toList());
    List<Fault> drawnAgainBackwards = IntStream.iterate(999, i -> i - 1).limit(1_000)
        .mapToObj(same).collect(Collectors.toList());
    java.util.Collections.reverse(drawnAgainBackwards);

    assertThat(drawn).isEqualTo(drawnAgainBackwards);
    long failures = drawn.stream().filter(f -> f.equals(Fault.status(503))).count();
    assertThat(failures).isBetween(70L, 130L); // About 10%; fixed by the seed.
    assertThat(Fault.randomly(42, 0.0, Fault.status(503), Fault.ok()).apply(7))
        .isEqualTo(Fault.ok());
    assertThat(Fault.randomly(42, 1.0, Fault.status(503), Fault.ok()).apply(7))
        .isEqualTo(Fault.status(503));
  }

  @Test
  void servesAScriptFunctionOfTheRequestIndex(FaultServer server) throws Exception {
    IntFunction<Fault> mix = Fault.randomly(7, 0.3, Fault.status(503), Fault.ok());
    server.script("GET", "/mix", mix);

    for (int i = 0; i < 20; i++) {
      assertThat(get(server, "/mix").statusCode())
          .as("request %d", i).isEqualTo(mix.apply(i).status().getAsInt());
    }
  }

  @Test
  void aFailingScriptAnswers500(FaultServer server) throws Exception {
    server.script("GET", "/bug", index -> null);

    HttpResponse<String> response = get(server, "/bug");

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body()).contains("GET /bug", "request index 0");
  }

  @Test
  void countsConcurrentRequestsExactly(FaultServer server) throws Exception {
    server.scriptAll(index -> index % 2 == 0 ? Fault.status(503) : Fault.ok());
    int n = 50;

    List<CompletableFuture<HttpResponse<Void>>> responses = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      responses.add(client.sendAsync(HttpRequest.newBuilder(server.uri("/c/" + (i % 5))).build(),
          BodyHandlers.discarding()));
    }
    List<Integer> statuses = new ArrayList<>();
    for (CompletableFuture<HttpResponse<Void>> response : responses) {
      statuses.add(response.get().statusCode());
    }

    assertThat(server.requestCount()).isEqualTo(n);
    assertThat(server.requestCount("GET", "/c/0")).isEqualTo(n / 5);
    assertThat(server.requests()).extracting(RecordedCall::sequence)
        .containsExactlyElementsOf(IntStream.range(0, n).boxed().collect(Collectors.toList()));
    assertThat(statuses).filteredOn(s -> s == 503).hasSize(n / 2);
  }

  @Test
  void countsConcurrentFailedRequestsToo(FaultServer server) throws Exception {
    server.script("POST", "/r", Fault.resetBeforeHeaders());
    int n = 20;

    List<CompletableFuture<HttpResponse<Void>>> responses = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      responses.add(client.sendAsync(HttpRequest.newBuilder(server.uri("/r"))
          .POST(BodyPublishers.ofString("p" + i)).build(), BodyHandlers.discarding()));
    }
    int failed = 0;
    for (CompletableFuture<HttpResponse<Void>> response : responses) {
      failed += response.handle((r, e) -> e != null ? 1 : 0).get();
    }

    assertThat(failed).isEqualTo(n);
    assertThat(server.requestCount("POST", "/r")).isEqualTo(n); // POST: no hidden resend.
  }

  // ---- validation ------------------------------------------------------------------------

  @Test
  void rejectsInvalidSettingsNamingTheValue(FaultServer server) {
    assertThatThrownBy(() -> Fault.status(42)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("status must be in [100, 599] but was 42");
    assertThatThrownBy(() -> Fault.ok().delay(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("delay must be >= 0 but was PT-0.001S");
    assertThatThrownBy(() -> Fault.ok("x").stallMidBody())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("but was 1 bytes");
    assertThatThrownBy(() -> Fault.ok().header("Bad Name", "v"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'Bad Name'");
    assertThatThrownBy(() -> Fault.ok().header("Content-Length", "9"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Content-Length");
    assertThatThrownBy(() -> Fault.ok().header("X", "line\nbreak"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("U+000A");
    assertThatThrownBy(() -> Fault.ok().throttleBody(0, Duration.ofMillis(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bytesPerPeriod must be >= 1 but was 0");
    assertThatThrownBy(() -> Fault.resetBeforeHeaders().header("X", "y"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Fault.randomly(1, 1.5, Fault.ok(), Fault.ok()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("probability must be in [0.0, 1.0] but was 1.5");
    assertThatThrownBy(() -> server.script("GET", "x", Fault.ok()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("path must start with '/' and have no query or fragment but was 'x'");
    assertThatThrownBy(() -> server.script("GET", "/x?y=1", Fault.ok()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> server.script("G ET", "/x", Fault.ok()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'G ET'");
    assertThatThrownBy(() -> server.script("GET", "/x", List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("faults must hold at least 1 fault but was empty");
    assertThatThrownBy(() -> server.uri("x")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void faultsAreValues() {
    Fault fault = Fault.status(503).header("Retry-After", "2").body("b");

    assertThat(fault).isEqualTo(Fault.status(503).header("Retry-After", "2").body("b"))
        .hasSameHashCodeAs(Fault.status(503).header("Retry-After", "2").body("b"))
        .isNotEqualTo(Fault.status(503));
    assertThat(fault.status()).hasValue(503);
    assertThat(fault.headers()).containsExactly(java.util.Map.entry("Retry-After", List.of("2")));
    assertThat(fault.toString()).isEqualTo("Fault[503 Retry-After=2 body=1B]");
    assertThat(Fault.resetBeforeHeaders().status()).isEmpty();
  }

  @Test
  void startsAndClosesWithoutTheExtension() throws Exception {
    FaultServer server = FaultServer.start();
    int port = server.port();
    try (server) {
      assertThat(get(server, "/").statusCode()).isEqualTo(200);
    }
    server.close(); // Idempotent.
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
        .isInstanceOf(java.net.ConnectException.class);
  }

  private static void sendRequest(Socket socket, String request) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(request.getBytes(US_ASCII));
    out.flush();
  }

  /** Reads until what was read ends with {@code end}, and returns it; fails at end of stream. */
  private static String readUntil(InputStream in, String end) throws IOException {
    StringBuilder read = new StringBuilder();
    while (!read.toString().endsWith(end)) {
      int b = in.read();
      if (b == -1) {
        throw new AssertionError("stream ended after '" + read + "', before '" + end + "'");
      }
      read.append((char) b);
    }
    return read.toString();
  }

  /** Reads into {@code received} until the stream ends, or throws what the read threw. */
  private static void readUntilFailureOrEnd(InputStream in, ByteArrayOutputStream received)
      throws IOException {
    byte[] buffer = new byte[1024];
    for (int n; (n = in.read(buffer)) != -1; ) {
      received.write(buffer, 0, n);
    }
  }
}
