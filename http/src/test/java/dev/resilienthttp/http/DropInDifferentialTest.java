package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.http.Harness.Path;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServer.RecordedCall;
import dev.resilienthttp.testing.FaultServerExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The drop-in promise, differentially: each scenario is sent through a plain JDK {@link
 * HttpClient} and through a {@link ResilientHttpClient} with nothing configured around a client
 * of the same kind, down both paths, and the caller must get the same thing (status, body,
 * headers but Date; or the same exception class and message) while the server sees the same
 * requests (method, target, headers but Host, User-Agent and Connection, body).
 */
@ExtendWith(FaultServerExtension.class)
@Timeout(60) // a hang guard for the whole class, not a timing assertion
class DropInDifferentialTest {

  private static final String PATH = "/d";
  private static final Set<String> IGNORED_REQUEST_HEADERS = Set.of("host", "user-agent", "connection");

  enum Scenario {
    OK(server -> server.script("GET", PATH, Fault.ok("hello").header("X-Trace", "abc")), uri -> get(uri)),
    NOT_FOUND(server -> server.script("GET", PATH, Fault.status(404).body("missing")), uri -> get(uri)),
    UNAVAILABLE(server -> server.script("GET", PATH, Fault.status(503).body("down")), uri -> get(uri)),
    UNAVAILABLE_WITH_RETRY_AFTER(server -> server.script("GET", PATH,
        Fault.status(503).header("Retry-After", "3").body("later")), uri -> get(uri)),
    RESET_BEFORE_HEADERS(server -> server.script("GET", PATH, Fault.resetBeforeHeaders()), uri -> get(uri)),
    CLOSE_WITHOUT_RESPONSE(server -> server.script("GET", PATH, Fault.closeWithoutResponse()), uri -> get(uri)),
    POST_WITH_A_BODY(server -> server.script("POST", PATH, Fault.status(201).body("created")),
        uri -> HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString("{\"order\":42,\"note\":\"caf\u00e9\"}")).build()),
    HEAD(server -> server.script("HEAD", PATH, Fault.ok("a body HEAD must not carry")),
        uri -> HttpRequest.newBuilder(uri).method("HEAD", BodyPublishers.noBody()).build()),
    REDIRECT(server -> {
      server.script("GET", PATH, Fault.status(302).header("Location", PATH + "-target"));
      server.script("GET", PATH + "-target", Fault.ok("landed"));
    }, uri -> get(uri)),
    SLOW_WITH_A_REQUEST_TIMEOUT(server -> server.script("GET", PATH, Fault.ok("too late").delay(Duration.ofSeconds(3))),
        uri -> HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(200)).build());

    final Consumer<FaultServer> script;
    final Function<URI, HttpRequest> request;

    Scenario(Consumer<FaultServer> script, Function<URI, HttpRequest> request) {
      this.script = script;
      this.request = request;
    }

    private static HttpRequest get(URI uri) {
      return HttpRequest.newBuilder(uri).header("Accept", "text/plain").build();
    }
  }

  static Stream<Arguments> scenariosAndPaths() {
    return Stream.of(Scenario.values())
        .flatMap(scenario -> Stream.of(Path.values()).map(path -> Arguments.of(scenario, path)));
  }

  private static HttpClient jdkClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NORMAL)
        .build();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("scenariosAndPaths")
  void withNothingConfiguredTheCallerAndTheServerSeeWhatAPlainJdkClientGives(
      Scenario scenario, Path path, FaultServer server) throws Exception {
    HttpClient plain = jdkClient();
    HttpClient resilient = ResilientHttpClient.newBuilder(jdkClient()).build();

    scenario.script.accept(server);
    int before = server.requestCount();
    String plainGot = send(plain, path, scenario.request.apply(server.uri(PATH)));
    List<String> plainSent = seen(server, before);

    scenario.script.accept(server); // afresh: the same faults in the same order
    before = server.requestCount();
    String resilientGot = send(resilient, path, scenario.request.apply(server.uri(PATH)));
    List<String> resilientSent = seen(server, before);

    assertThat(resilientGot).as("what the caller got").isEqualTo(plainGot);
    assertThat(resilientSent).as("what the server saw").isEqualTo(plainSent).isNotEmpty();
  }

  /** What the caller got, as text: the response (headers but Date) or the exception. */
  private static String send(HttpClient client, Path path, HttpRequest request) throws Exception {
    HttpResponse<String> response;
    try {
      if (path == Path.SYNC) {
        response = client.send(request, BodyHandlers.ofString());
      } else {
        response = client.sendAsync(request, BodyHandlers.ofString()).get(30, TimeUnit.SECONDS);
      }
    } catch (ExecutionException | CompletionException e) {
      return "threw " + describe(e.getCause());
    } catch (java.io.IOException | CancellationException | IllegalArgumentException e) {
      return "threw " + describe(e);
    }
    Map<String, List<String>> headers = new TreeMap<>(response.headers().map());
    headers.keySet().removeIf(name -> name.equalsIgnoreCase("date"));
    return "returned " + response.statusCode() + " " + response.version() + " " + response.uri().getPath()
        + " headers " + headers + " body [" + response.body() + "]";
  }

  /**
   * The exception's class and message. Not its causes: what java.net.http attaches below a
   * request timeout depends on a race inside the JDK (seen differing between two plain runs).
   */
  private static String describe(Throwable failure) {
    return failure.getClass().getName() + ": " + failure.getMessage();
  }

  /** The requests the server read since {@code from}, as text. */
  private static List<String> seen(FaultServer server, int from) {
    List<RecordedCall> calls = server.requests();
    return calls.subList(from, calls.size()).stream().map(call -> {
      Map<String, List<String>> headers = new TreeMap<>(call.headers());
      headers.keySet().removeIf(name -> IGNORED_REQUEST_HEADERS.contains(name.toLowerCase(Locale.ROOT)));
      return call.method() + " " + call.target() + " " + headers + " body [" + call.bodyAsString() + "]";
    }).collect(Collectors.toList());
  }
}
