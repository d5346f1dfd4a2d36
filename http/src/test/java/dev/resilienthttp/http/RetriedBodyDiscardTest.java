package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.http.Harness.Outcome;
import dev.resilienthttp.http.Harness.Path;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServer.RecordedCall;
import dev.resilienthttp.testing.FaultServerExtension;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Regression (issue failure 1): the body of a response that will be retried is thrown away, not
 * read whole, whatever its size and even if it never ends; and a response that ends the call
 * reaches the caller at its headers, its body streaming into the caller's handler, even if that
 * body stalls. Against a real server, down both paths. The {@code @Timeout}s only stop a broken
 * client from hanging the build: a client that reads a stalled body waits for ever.
 */
@ExtendWith(FaultServerExtension.class)
@Timeout(60) // a hang guard for the whole class, not a timing assertion
class RetriedBodyDiscardTest {

  private static final int MIB = 1024 * 1024;

  private final Harness h = new Harness();

  /**
   * Makes the call on a thread of its own and waits for it at most 5 s of real time (a hang
   * guard, not a timing assertion): a client stuck reading a body that never ends fails the
   * test saying so, instead of hanging it.
   */
  private <T> Outcome<T> callWithin(
      Path path, ResilientHttpClient client, HttpRequest request, HttpResponse.BodyHandler<T> handler,
      FaultServer server) {
    AtomicReference<Outcome<T>> outcome = new AtomicReference<>();
    Thread caller = new Thread(() -> outcome.set(h.call(path, client, request, handler)), "caller");
    caller.setDaemon(true);
    caller.start();
    try {
      caller.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    if (outcome.get() == null) {
      caller.interrupt();
      throw new AssertionError("the " + path + " call had not ended after 5 s of real time; the server had"
          + " seen " + server.requestCount() + " request(s): " + server.requests().stream()
              .map(call -> call.method() + " " + call.target() + " -> " + call.fault()).collect(Collectors.toList()));
    }
    return outcome.get();
  }

  private static byte[] bytes(int size) {
    byte[] body = new byte[size];
    Arrays.fill(body, (byte) 'x');
    return body;
  }

  /** The 503s that must be discarded: each retried once, then a 200 ends the call. */
  enum Retried503 {
    FOUR_MIB_WITH_CONTENT_LENGTH(Fault.status(503).body(bytes(4 * MIB))),
    FOUR_MIB_STALLING_HALF_WAY(Fault.status(503).body(bytes(4 * MIB)).stallMidBody()),
    ONE_KIB_STALLING_HALF_WAY(Fault.status(503).body(bytes(1024)).stallMidBody()),
    SIXTEEN_BYTES_STALLING_HALF_WAY(Fault.status(503).body("busy, try later!").stallMidBody());

    final Fault fault;

    Retried503(Fault fault) {
      this.fault = fault;
    }
  }

  static Stream<Arguments> pathsAndRetried503s() {
    return Stream.of(Path.values())
        .flatMap(path -> Stream.of(Retried503.values()).map(body -> Arguments.of(path, body)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("pathsAndRetried503s")
  @Timeout(30)
  void aRetried503sBodyIsDiscardedNotReadWholeAndTheCallReturnsTheNext200(
      Path path, Retried503 retried, FaultServer server) {
    server.script("GET", "/big", retried.fault, Fault.ok("done"));
    ResilientHttpClient client = h.client(Harness.backoff(3, Duration.ofMillis(100))).build();

    Outcome<String> outcome = callWithin(path, client, Harness.get(server, "/big"), BodyHandlers.ofString(), server);

    assertThat(outcome.response().statusCode()).isEqualTo(200);
    assertThat(outcome.response().body()).isEqualTo("done");
    List<RecordedCall> requests = server.requests();
    assertThat(requests).hasSize(2);
    assertThat(h.events.retryDelays).containsExactly(Duration.ofMillis(100));
    if (retried != Retried503.ONE_KIB_STALLING_HALF_WAY && retried != Retried503.SIXTEEN_BYTES_STALLING_HALF_WAY) {
      // A body that is not read to its end cannot give its connection back: the retry came on a
      // new one. (Reading 4 MiB whole would have kept the connection for the retry.)
      assertThat(requests.get(1).connection()).as("the retry's connection")
          .isNotEqualTo(requests.get(0).connection());
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  @Timeout(30)
  void withoutARetrierA503WithAStallingBodyReachesTheCallerAtItsHeaders(Path path, FaultServer server)
      throws Exception {
    byte[] body = bytes(2_000);
    server.script("GET", "/stall", Fault.status(503).body(body).stallMidBody());
    ResilientHttpClient client = h.client(Retrier.none()).build();

    Outcome<InputStream> outcome =
        callWithin(path, client, Harness.get(server, "/stall"), BodyHandlers.ofInputStream(), server);

    HttpResponse<InputStream> response = outcome.response();
    assertThat(response.statusCode()).isEqualTo(503);
    try (InputStream stream = response.body()) {
      assertThat(stream.readNBytes(1_000)).as("the first half, as sent").isEqualTo(bytes(1_000));
    }
    assertThat(server.requestCount("GET", "/stall")).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  @Timeout(30)
  void aPostAnswered503WithAStallingBodyIsNotRetriedAndStreamsToTheCaller(Path path, FaultServer server)
      throws Exception {
    server.script("POST", "/orders", Fault.status(503).body(bytes(2_000)).stallMidBody(), Fault.ok("again"));
    ResilientHttpClient client = h.client(Harness.backoff(3, Duration.ofMillis(100))).build();
    HttpRequest post = HttpRequest.newBuilder(server.uri("/orders"))
        .POST(BodyPublishers.ofString("{\"order\":1}")).build();

    Outcome<InputStream> outcome = callWithin(path, client, post, BodyHandlers.ofInputStream(), server);

    HttpResponse<InputStream> response = outcome.response();
    assertThat(response.statusCode()).isEqualTo(503);
    try (InputStream stream = response.body()) {
      assertThat(new String(stream.readNBytes(1_000), StandardCharsets.US_ASCII)).isEqualTo("x".repeat(1_000));
    }
    assertThat(server.requestCount("POST", "/orders")).as("a POST is not retried on 503").isEqualTo(1);
    assertThat(h.events.retryDelays).isEmpty();
  }
}
