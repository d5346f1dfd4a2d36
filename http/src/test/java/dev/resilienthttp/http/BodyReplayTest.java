package dev.resilienthttp.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.http.Harness.Outcome;
import dev.resilienthttp.http.Harness.Path;
import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServer.RecordedCall;
import dev.resilienthttp.testing.FaultServerExtension;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request bodies across attempts, against a real server, down both paths: a replayable body of
 * a request that may be repeated reaches the server byte for byte on every attempt; a body that
 * can be sent only once is never sent twice, whatever else allows a retry; generated
 * Idempotency-Keys are one per call, kept across its attempts, and never replace the caller's.
 */
@ExtendWith(FaultServerExtension.class)
class BodyReplayTest {

  /** Multi-byte characters and more than one network buffer's worth. */
  private static final String BODY =
      "{\"order\":42,\"note\":\"caf\u00e9 \u2713 \u65e5\u672c\"," + "\"pad\":\"" + "x".repeat(40_000) + "\"}";

  private static final byte[] BODY_BYTES = BODY.getBytes(UTF_8);

  private static final String UUID_LIKE =
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

  private final Harness h = new Harness();

  private ResilientHttpClient client() {
    return h.client(Harness.backoff(3, Duration.ofMillis(100))).build();
  }

  // ---- replayable bodies are re-sent intact ------------------------------------------------

  /** The ways a POST becomes safe to repeat, each with a replayable body. */
  enum RepeatablePost {
    MARKED_IDEMPOTENT_OF_STRING(uri -> ResilientRequests.idempotent(
        HttpRequest.newBuilder(uri).POST(BodyPublishers.ofString(BODY)).build())),
    MARKED_IDEMPOTENT_OF_BYTE_ARRAY(uri -> ResilientRequests.idempotent(
        HttpRequest.newBuilder(uri).POST(BodyPublishers.ofByteArray(BODY_BYTES)).build())),
    IDEMPOTENCY_KEY_OF_STRING(uri -> HttpRequest.newBuilder(uri)
        .header("Idempotency-Key", "order-42")
        .POST(BodyPublishers.ofString(BODY)).build()),
    MARKED_REPLAYABLE_INPUT_STREAM_WITH_KEY(uri -> ResilientRequests.replayable(HttpRequest.newBuilder(uri)
        .header("Idempotency-Key", "order-42")
        .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(BODY_BYTES))).build()));

    final Function<java.net.URI, HttpRequest> request;

    RepeatablePost(Function<java.net.URI, HttpRequest> request) {
      this.request = request;
    }
  }

  static Stream<Arguments> pathsAndRepeatablePosts() {
    return Stream.of(Path.values())
        .flatMap(path -> Stream.of(RepeatablePost.values()).map(post -> Arguments.of(path, post)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("pathsAndRepeatablePosts")
  void aReplayableBodyReachesTheServerIdenticalOnEveryAttempt(
      Path path, RepeatablePost post, FaultServer server) {
    server.script("POST", "/orders", Fault.status(503).body("busy"), Fault.status(201).body("created"));

    Outcome<String> outcome = h.call(path, client(), post.request.apply(server.uri("/orders")));

    assertThat(outcome.response().statusCode()).isEqualTo(201);
    assertThat(outcome.response().body()).isEqualTo("created");
    List<RecordedCall> requests = server.requests();
    assertThat(requests).hasSize(2);
    assertThat(requests.get(0).body()).isEqualTo(BODY_BYTES);
    assertThat(requests.get(1).body()).isEqualTo(requests.get(0).body());
    assertThat(requests).extracting(RecordedCall::method).containsOnly("POST");
    assertThat(h.events.retryDelays).containsExactly(Duration.ofMillis(100));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aPutIsReplayedIntactThroughSeveralRetries(Path path, FaultServer server) {
    server.script("PUT", "/doc", Fault.status(502), Fault.status(504), Fault.status(200));
    HttpRequest put = HttpRequest.newBuilder(server.uri("/doc")).PUT(BodyPublishers.ofString(BODY)).build();

    Outcome<String> outcome = h.call(path, client(), put);

    assertThat(outcome.response().statusCode()).isEqualTo(200);
    assertThat(server.requests()).hasSize(3)
        .allSatisfy(call -> assertThat(call.body()).isEqualTo(BODY_BYTES));
  }

  // ---- one-shot bodies are never sent twice ------------------------------------------------

  /** Requests that would be retried on 503 but whose body cannot be proven replayable. */
  enum OneShot {
    MARKED_IDEMPOTENT_FROM_PUBLISHER(uri -> ResilientRequests.idempotent(HttpRequest.newBuilder(uri)
        .POST(BodyPublishers.fromPublisher(BodyPublishers.ofString(BODY))).build())),
    MARKED_IDEMPOTENT_OF_INPUT_STREAM(uri -> ResilientRequests.idempotent(HttpRequest.newBuilder(uri)
        .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(BODY_BYTES))).build())),
    IDEMPOTENCY_KEY_OF_INPUT_STREAM(uri -> HttpRequest.newBuilder(uri)
        .header("Idempotency-Key", "order-42")
        .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(BODY_BYTES))).build()),
    PUT_OF_INPUT_STREAM(uri -> HttpRequest.newBuilder(uri)
        .PUT(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(BODY_BYTES))).build()),
    PUT_OF_STRING_MARKED_ONE_SHOT(uri -> ResilientRequests.oneShot(HttpRequest.newBuilder(uri)
        .PUT(BodyPublishers.ofString(BODY)).build()));

    final Function<java.net.URI, HttpRequest> request;

    OneShot(Function<java.net.URI, HttpRequest> request) {
      this.request = request;
    }
  }

  static Stream<Arguments> pathsAndOneShots() {
    return Stream.of(Path.values())
        .flatMap(path -> Stream.of(OneShot.values()).map(oneShot -> Arguments.of(path, oneShot)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("pathsAndOneShots")
  void aOneShotBodyIsSentExactlyOnce(Path path, OneShot oneShot, FaultServer server) {
    server.script(FaultServer.ANY_METHOD, "/orders", Fault.status(503).body("busy"), Fault.status(201));

    Outcome<String> outcome = h.call(path, client(), oneShot.request.apply(server.uri("/orders")));

    assertThat(outcome.response().statusCode()).isEqualTo(503);
    assertThat(outcome.response().body()).isEqualTo("busy");
    assertThat(server.requestCount(FaultServer.ANY_METHOD, "/orders")).isEqualTo(1);
    assertThat(server.requests().get(0).body()).isEqualTo(BODY_BYTES);
    assertThat(h.events.retryDelays).isEmpty();
    assertThat(h.events.giveUps).containsExactly(GiveUpReason.NOT_RETRYABLE);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aOneShotBodyIsSentOnceEvenOnA429(Path path, FaultServer server) {
    server.script("POST", "/orders", Fault.status(429).header("Retry-After", "1"), Fault.status(201));
    HttpRequest request = HttpRequest.newBuilder(server.uri("/orders"))
        .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(BODY_BYTES))).build();

    Outcome<String> outcome = h.call(path, client(), request);

    assertThat(outcome.response().statusCode()).isEqualTo(429);
    assertThat(server.requestCount("POST", "/orders")).isEqualTo(1);
    assertThat(h.time.elapsed()).isZero();
  }

  // ---- generated Idempotency-Keys ----------------------------------------------------------

  private ResilientHttpClient generatingClient() {
    return h.client(Harness.backoff(3, Duration.ofMillis(100))).generateIdempotencyKeys(true).build();
  }

  private static List<List<String>> keysSeen(FaultServer server) {
    return server.requests().stream()
        .map(call -> call.headers().getOrDefault("idempotency-key", List.of()))
        .collect(java.util.stream.Collectors.toList());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aGeneratedKeyIsOneUuidKeptAcrossAllAttempts(Path path, FaultServer server) {
    server.script("POST", "/orders", Fault.status(503), Fault.status(500), Fault.status(201));
    HttpRequest post = HttpRequest.newBuilder(server.uri("/orders")).POST(BodyPublishers.ofString(BODY)).build();

    Outcome<String> outcome = h.call(path, generatingClient(), post);

    assertThat(outcome.response().statusCode()).isEqualTo(201);
    List<List<String>> keys = keysSeen(server);
    assertThat(keys).hasSize(3).allSatisfy(values -> assertThat(values).hasSize(1));
    String key = keys.get(0).get(0);
    assertThat(key).matches(UUID_LIKE);
    assertThat(keys).containsOnly(List.of(key));
    assertThat(server.requests()).allSatisfy(call -> assertThat(call.body()).isEqualTo(BODY_BYTES));
    assertThat(post.headers().firstValue("Idempotency-Key")).isEmpty(); // The caller's request is untouched.
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void eachCallGetsItsOwnKey(Path path, FaultServer server) {
    server.script("POST", "/orders", Fault.status(201));
    ResilientHttpClient client = generatingClient();
    HttpRequest post = HttpRequest.newBuilder(server.uri("/orders")).POST(BodyPublishers.ofString("a")).build();

    h.call(path, client, post).response();
    h.call(path, client, post).response();

    List<List<String>> keys = keysSeen(server);
    assertThat(keys).hasSize(2).allSatisfy(values -> assertThat(values).singleElement().asString().matches(UUID_LIKE));
    assertThat(keys.get(0)).isNotEqualTo(keys.get(1));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aCallerSetKeyIsNeverOverwritten(Path path, FaultServer server) {
    server.script("POST", "/orders", Fault.status(503), Fault.status(503), Fault.status(201));
    HttpRequest post = HttpRequest.newBuilder(server.uri("/orders"))
        .header("Idempotency-Key", "caller-key-7")
        .POST(BodyPublishers.ofString(BODY)).build();

    Outcome<String> outcome = h.call(path, generatingClient(), post);

    assertThat(outcome.response().statusCode()).isEqualTo(201);
    assertThat(keysSeen(server)).hasSize(3).containsOnly(List.of("caller-key-7"));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void idempotentMethodsGetNoGeneratedKey(Path path, FaultServer server) {
    server.script("PUT", "/doc", Fault.status(503), Fault.status(200));
    HttpRequest put = HttpRequest.newBuilder(server.uri("/doc")).PUT(BodyPublishers.ofString("v")).build();

    h.call(path, generatingClient(), put).response();

    assertThat(keysSeen(server)).hasSize(2).containsOnly(List.of());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void withoutGenerationAPlainPostIsNotRetriedOn503(Path path, FaultServer server) {
    server.script("POST", "/orders", Fault.status(503), Fault.status(201));
    HttpRequest post = HttpRequest.newBuilder(server.uri("/orders")).POST(BodyPublishers.ofString(BODY)).build();

    Outcome<String> outcome = h.call(path, client(), post);

    assertThat(outcome.response().statusCode()).isEqualTo(503);
    assertThat(keysSeen(server)).containsExactly(List.of());
  }
}
