package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.http.Harness.Outcome;
import dev.resilienthttp.http.Harness.Path;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServer.RecordedCall;
import dev.resilienthttp.testing.FaultServerExtension;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What frameworks such as Spring need, against a real server, down both paths: {@code
 * replayBodiesUpTo} makes a one-shot request body (an input stream, a publisher) replayable when
 * it fits the buffer, and says so when it does not; {@code attemptTimeout} lets a slow attempt
 * time out and be retried. Real time is used only as the server's delay, never asserted on.
 */
@ExtendWith(FaultServerExtension.class)
@Timeout(60) // a hang guard for the whole class, not a timing assertion
class FrameworkBodiesAndAttemptTimeoutTest {

  private final Harness h = new Harness();

  private static byte[] body(int size) {
    byte[] bytes = new byte[size];
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) ('a' + i % 26);
    }
    return bytes;
  }

  /** Bodies a framework hands over, which the client cannot know to replay by themselves. */
  enum OneShotBody {
    INPUT_STREAM((uri, bytes) -> HttpRequest.newBuilder(uri)
        .PUT(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))).build()),
    PUBLISHER((uri, bytes) -> HttpRequest.newBuilder(uri)
        .PUT(BodyPublishers.fromPublisher(BodyPublishers.ofByteArray(bytes))).build());

    final BiFunction<URI, byte[], HttpRequest> put;

    OneShotBody(BiFunction<URI, byte[], HttpRequest> put) {
      this.put = put;
    }
  }

  static Stream<Arguments> pathsAndBodies() {
    return Stream.of(Path.values())
        .flatMap(path -> Stream.of(OneShotBody.values()).map(body -> Arguments.of(path, body)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("pathsAndBodies")
  void aOneShotBodyWithinTheReplayBufferIsRetriedWithIdenticalBytes(Path path, OneShotBody kind, FaultServer server) {
    byte[] bytes = body(1000);
    server.script("PUT", "/doc", Fault.status(503), Fault.ok("stored"));
    ResilientHttpClient client = h.client(Harness.backoff(3, Duration.ofMillis(100))).replayBodiesUpTo(1024).build();

    Outcome<String> outcome = h.call(path, client, kind.put.apply(server.uri("/doc"), bytes));

    assertThat(outcome.response().body()).isEqualTo("stored");
    List<RecordedCall> puts = server.requests();
    assertThat(puts).hasSize(2).allSatisfy(call -> {
      assertThat(call.method()).isEqualTo("PUT");
      assertThat(call.body()).isEqualTo(bytes);
    });
  }

  static Stream<Arguments> pathsBodiesAndModes() {
    return pathsAndBodies().flatMap(arguments -> Stream.of(ResultMode.values())
        .map(mode -> Arguments.of(arguments.get()[0], arguments.get()[1], mode)));
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("pathsBodiesAndModes")
  void aOneShotBodyLongerThanTheReplayBufferIsSentOnceAndTheCallSaysWhy(
      Path path, OneShotBody kind, ResultMode mode, FaultServer server) {
    byte[] bytes = body(4096);
    server.script("PUT", "/doc", Fault.status(503).body("busy"), Fault.ok("stored"));
    ResilientHttpClient client = h.client(Harness.backoff(3, Duration.ofMillis(100)))
        .replayBodiesUpTo(1024)
        .resultMode(mode)
        .build();

    Outcome<String> outcome = h.call(path, client, kind.put.apply(server.uri("/doc"), bytes));

    assertThat(server.requestCount("PUT", "/doc")).as("PUTs the server saw").isEqualTo(1);
    assertThat(server.requests().get(0).body()).isEqualTo(bytes);
    assertThat(h.events.retryDelays).isEmpty();
    if (mode == ResultMode.RETURN_LAST_RESPONSE) {
      assertThat(outcome.response().statusCode()).isEqualTo(503);
      assertThat(outcome.response().body()).isEqualTo("busy");
    } else {
      ServerUnavailableException unavailable = outcome.failure(ServerUnavailableException.class);
      assertThat(Arrays.stream(unavailable.getSuppressed()).map(Throwable::getMessage))
          .as("the notes attached to the failure")
          .anySatisfy(note -> assertThat(note).contains("longer than the replay buffer").contains("1024"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aSlowFirstAttemptTimesOutAtTheAttemptTimeoutAndIsRetried(Path path, FaultServer server) {
    // The first answer comes after 30 s of real time; the attempt gives up after 200 ms.
    server.script("GET", "/slow", Fault.ok("too late").delay(Duration.ofSeconds(30)), Fault.ok("fast"));
    ResilientHttpClient client = h.client(Harness.backoff(3, Duration.ofMillis(100)))
        .attemptTimeout(Duration.ofMillis(200))
        .build();

    Outcome<String> outcome = h.call(path, client, Harness.get(server, "/slow"));

    assertThat(outcome.response().body()).isEqualTo("fast");
    assertThat(server.requestCount("GET", "/slow")).isEqualTo(2);
    assertThat(h.events.retriedFailures).singleElement().isInstanceOf(HttpTimeoutException.class);
    assertThat(h.events.retryDelays).containsExactly(Duration.ofMillis(100));
  }
}
