package dev.resilienthttp.integration.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.http.CallRejectedException;
import dev.resilienthttp.http.ResilientHttpClient;
import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.retry.RetryContext;
import dev.resilienthttp.retry.RetryListener;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServer.RecordedCall;
import dev.resilienthttp.testing.FaultServerExtension;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/**
 * Spring Framework's {@link RestClient} over {@code new JdkClientHttpRequestFactory(resilient)}:
 * the client is a drop-in {@link HttpClient} there too. Spring sends through {@code sendAsync},
 * writes every request body through a one-shot publisher (so the client is built with {@code
 * replayBodiesUpTo}), and bounds the whole call with its read timeout (so a slow attempt is
 * retried only under the client's {@code attemptTimeout}). Every test counts what the server
 * really received.
 */
@ExtendWith(FaultServerExtension.class)
class SpringRestClientTest {

  /** Three attempts, 20 ms apart: small waits, so a Retry-After is what makes a long one. */
  private static final FixedDelayRetrier RETRIER = FixedDelayRetrier.of(3, Duration.ofMillis(20));

  private final List<ResilientHttpClient> clients = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeClients() {
    clients.forEach(ResilientHttpClient::close);
  }

  private ResilientHttpClient resilient(UnaryOperator<ResilientHttpClient.Builder> settings) {
    ResilientHttpClient client = settings.apply(
        ResilientHttpClient.newBuilder(HttpClient.newHttpClient())
            .retrier(RETRIER)
            .replayBodiesUpTo(64 * 1024))
        .build();
    clients.add(client);
    return client;
  }

  private static RestClient restClient(JdkClientHttpRequestFactory factory, FaultServer server) {
    return RestClient.builder()
        .requestFactory(factory)
        .baseUrl(server.uri("/").toString())
        .build();
  }

  private static RestClient restClient(HttpClient client, FaultServer server) {
    return restClient(new JdkClientHttpRequestFactory(client), server);
  }

  private static List<RecordedCall> requests(FaultServer server, String method, String path) {
    return server.requests().stream()
        .filter(call -> call.method().equals(method) && call.path().equals(path))
        .collect(Collectors.toList());
  }

  @Test
  void aGetAnswered503Then503Then200SucceedsAndWaitsTheRetryAfter(FaultServer server) {
    server.script("GET", "/items",
        Fault.status(503).header("Retry-After", "1"), Fault.status(503), Fault.ok("done"));
    List<Duration> waits = new CopyOnWriteArrayList<>();
    List<Long> attemptStarts = new CopyOnWriteArrayList<>();
    RetryListener listener = new RetryListener() {
      @Override
      public void onAttemptStarted(RetryContext context, int attempt) {
        attemptStarts.add(System.nanoTime());
      }

      @Override
      public void onRetryScheduled(RetryContext context, int attempt, Duration delay,
          Throwable failure) {
        waits.add(delay);
      }
    };
    RestClient rest = restClient(resilient(b -> b.listener(listener)), server);

    ResponseEntity<String> response = rest.get().uri("/items").retrieve().toEntity(String.class);

    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(response.getBody()).isEqualTo("done");
    assertThat(server.requestCount("GET", "/items")).isEqualTo(3);
    assertThat(server.requestCount()).isEqualTo(3);
    // The wait after the first 503 is max(20 ms backoff, Retry-After 1 s); the second 503 had
    // no Retry-After, so its wait is the retrier's own. Lower bounds only: never flaky.
    assertThat(waits).hasSize(2);
    assertThat(waits.get(0)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(waits.get(1)).isLessThan(Duration.ofSeconds(1));
    assertThat(attemptStarts).hasSize(3);
    assertThat(Duration.ofNanos(attemptStarts.get(1) - attemptStarts.get(0)))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aPutAndAPostWithAnIdempotencyKeyAreRetriedWithTheSameBodies(FaultServer server) {
    server.script("PUT", "/things/1", Fault.status(503), Fault.ok("put"));
    server.script("POST", "/orders", Fault.status(503), Fault.ok("posted"));
    RestClient rest = restClient(resilient(b -> b), server);

    String put = rest.put().uri("/things/1")
        .contentType(MediaType.TEXT_PLAIN).body("v1")
        .retrieve().body(String.class);
    String post = rest.post().uri("/orders")
        .contentType(MediaType.APPLICATION_JSON).header("Idempotency-Key", "k1").body("{\"a\":1}")
        .retrieve().body(String.class);

    assertThat(put).isEqualTo("put");
    assertThat(post).isEqualTo("posted");
    List<RecordedCall> puts = requests(server, "PUT", "/things/1");
    assertThat(puts).hasSize(2);
    assertThat(puts).extracting(RecordedCall::bodyAsString).containsExactly("v1", "v1");
    List<RecordedCall> posts = requests(server, "POST", "/orders");
    assertThat(posts).hasSize(2);
    assertThat(posts).extracting(RecordedCall::bodyAsString)
        .containsExactly("{\"a\":1}", "{\"a\":1}");
    assertThat(posts).extracting(call -> call.header("Idempotency-Key").orElse(null))
        .containsExactly("k1", "k1");
    assertThat(server.requestCount()).isEqualTo(4);
  }

  @Test
  void aPostWithoutAKeyAnswered503IsSentOnceAndSpringThrowsHttpServerErrorException(
      FaultServer server) {
    server.script("POST", "/orders", Fault.status(503), Fault.ok("must not be reached"));
    RestClient rest = restClient(resilient(b -> b), server);

    HttpServerErrorException thrown = catchThrowableOfType(HttpServerErrorException.class,
        () -> rest.post().uri("/orders")
            .contentType(MediaType.APPLICATION_JSON).body("{\"a\":1}")
            .retrieve().toBodilessEntity());

    assertThat(thrown).isNotNull();
    assertThat(thrown.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
    List<RecordedCall> posts = requests(server, "POST", "/orders");
    assertThat(posts).hasSize(1);
    assertThat(posts.get(0).bodyAsString()).isEqualTo("{\"a\":1}");
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void aSlowFirstAttemptIsRetriedWithinSpringsReadTimeout(FaultServer server) {
    server.script("GET", "/slow",
        Fault.ok("too late").delay(Duration.ofSeconds(2)), Fault.ok("fast"));
    JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(
        resilient(b -> b.attemptTimeout(Duration.ofMillis(500))));
    factory.setReadTimeout(Duration.ofSeconds(5)); // bounds the whole call, all attempts
    RestClient rest = restClient(factory, server);

    String body = rest.get().uri("/slow").retrieve().body(String.class);

    // Spring's timeout would have failed the call at 5 s: the answer came from the second
    // attempt, after the first timed out at 500 ms.
    assertThat(body).isEqualTo("fast");
    assertThat(server.requestCount("GET", "/slow")).isEqualTo(2);
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void anOpenBreakerSurfacesAsResourceAccessExceptionCausedByCallRejectedException(
      FaultServer server) {
    server.script("POST", "/orders", Fault.status(503));
    server.script("GET", "/items", Fault.ok("must not be reached"));
    RestClient rest = restClient(resilient(b -> b.circuitBreakers(
        name -> CircuitBreaker.builder(name).consecutiveFailureThreshold(1).build())), server);

    // One 503, to a POST that is never retried, opens the backend's breaker.
    HttpServerErrorException opened = catchThrowableOfType(HttpServerErrorException.class,
        () -> rest.post().uri("/orders").contentType(MediaType.APPLICATION_JSON).body("{}")
            .retrieve().toBodilessEntity());
    assertThat(opened).isNotNull();
    assertThat(opened.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
    assertThat(server.requestCount()).isEqualTo(1);

    ResourceAccessException rejected = catchThrowableOfType(ResourceAccessException.class,
        () -> rest.get().uri("/items").retrieve().toBodilessEntity());

    assertThat(rejected).isNotNull();
    assertThat(rejected.getCause()).isInstanceOf(CallRejectedException.class);
    assertThat(((CallRejectedException) rejected.getCause()).backend())
        .contains("127.0.0.1:" + server.port());
    assertThat(server.requestCount("GET", "/items")).isZero();
    assertThat(server.requestCount()).isEqualTo(1);
  }

  /**
   * The call whose own 503 opens the breaker is answered with that 503: the breaker stops its
   * retries ({@code GiveUpReason.CIRCUIT_OPEN}) and, by default, the caller gets the last
   * response. It must not end with a {@link CallRejectedException}, which says the call was
   * refused before being sent, when it was sent and answered.
   */
  @Test
  void theCallWhose503OpensTheBreakerGetsThat503(FaultServer server) {
    server.script("GET", "/items", Fault.status(503), Fault.ok("must not be reached"));
    List<String> events = new CopyOnWriteArrayList<>();
    RetryListener listener = new RetryListener() {
      @Override
      public void onRetryScheduled(RetryContext context, int attempt, Duration delay,
          Throwable failure) {
        events.add("retry scheduled after attempt " + attempt + " (" + failure + ")");
      }

      @Override
      public void onGiveUp(RetryContext context, GiveUpReason reason, int attempts,
          Throwable failure) {
        events.add("gave up: " + reason + " after " + attempts + " (" + failure + ")");
      }
    };
    RestClient rest = restClient(resilient(b -> b.listener(listener).circuitBreakers(
        name -> CircuitBreaker.builder(name).consecutiveFailureThreshold(1).build())), server);

    Throwable thrown = catchThrowable(() -> rest.get().uri("/items").retrieve().toBodilessEntity());

    assertThat(server.requestCount("GET", "/items")).isEqualTo(1);
    assertThat(thrown).as("listener events: %s", events)
        .isInstanceOf(HttpServerErrorException.class);
    assertThat(((HttpServerErrorException) thrown).getStatusCode())
        .isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
  }
}
