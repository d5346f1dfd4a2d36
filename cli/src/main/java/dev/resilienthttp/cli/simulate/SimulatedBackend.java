package dev.resilienthttp.cli.simulate;

import dev.resilienthttp.testing.VirtualTime;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.PushPromiseHandler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * A backend in virtual time, posing as the {@link HttpClient} every attempt is sent through: an
 * attempt reaches the "server" half a round trip after it is sent, is answered there as the
 * scenario's {@link Fault} says at that instant, and the response arrives half a round trip
 * later. Nothing touches the network and nothing sleeps; every step is a task on the {@link
 * VirtualTime} queue, run on the thread that drives it.
 *
 * <p>Each request carries its call's number in the {@value #CALL_HEADER} header, so the server
 * counts the attempts it saw per call, as a real server's access log would.
 *
 * <p>Not thread-safe: one simulation, one thread.
 */
final class SimulatedBackend extends HttpClient {

  static final String CALL_HEADER = "X-Simulated-Call";
  static final URI URI_OF_BACKEND = URI.create("http://backend.simulated/resource");

  /** What the server answers an attempt reaching it {@code atNanos} after the run started. */
  interface Fault {
    /** The status; 200 for a success. */
    int status(long atNanos, SplittableRandom random);

    /** The Retry-After header to send with a failure, in seconds; 0 for none. */
    default long retryAfterSeconds(long atNanos) {
      return 0;
    }
  }

  private static final HttpHeaders NO_HEADERS = HttpHeaders.of(Map.of(), (name, value) -> true);

  private final VirtualTime time;
  private final long origin;
  private final Fault fault;
  private final SplittableRandom random;
  private final long roundTripNanos;
  private final int[] attemptsByCall;
  final Timeline attempts = new Timeline();
  final Timeline retries = new Timeline();

  SimulatedBackend(VirtualTime time, Fault fault, long seed, Duration roundTrip, int calls) {
    this.time = time;
    this.origin = time.nanoTime();
    this.fault = fault;
    this.random = new SplittableRandom(seed);
    this.roundTripNanos = roundTrip.toNanos();
    this.attemptsByCall = new int[calls];
  }

  /** The request of call number {@code call}: a GET carrying the call's number. */
  static HttpRequest request(int call) {
    return HttpRequest.newBuilder(URI_OF_BACKEND).header(CALL_HEADER, Integer.toString(call)).GET().build();
  }

  /** The attempts of call number {@code call} that reached the server. */
  int attemptsSeen(int call) {
    return attemptsByCall[call];
  }

  /** Nanoseconds since the run started. */
  long now() {
    return time.nanoTime() - origin;
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, BodyHandler<T> handler) {
    CompletableFuture<HttpResponse<T>> response = new CompletableFuture<>();
    // A round trip of about roundTrip (normal, 20 % spread), half each way.
    long trip = Math.abs(Math.round(roundTripNanos * (1 + 0.2 * gaussian())));
    long there = trip / 2;
    time.schedule(() -> arrive(request, handler, response, trip - there), there);
    return response;
  }

  private <T> void arrive(
      HttpRequest request, BodyHandler<T> handler, CompletableFuture<HttpResponse<T>> response,
      long back) {
    if (response.isDone()) {
      return; // Cancelled on the way: the server never saw it.
    }
    long now = now();
    int call = Integer.parseInt(request.headers().firstValue(CALL_HEADER).orElseThrow());
    if (attemptsByCall[call]++ > 0) {
      retries.add(now);
    }
    attempts.add(now);
    int status = fault.status(now, random);
    long retryAfter = status == 200 ? 0 : fault.retryAfterSeconds(now);
    HttpHeaders headers = retryAfter > 0
        ? HttpHeaders.of(Map.of("Retry-After", List.of(Long.toString(retryAfter))), (n, v) -> true)
        : NO_HEADERS;
    time.schedule(() -> respond(request, handler, response, status, headers), back);
  }

  private static <T> void respond(
      HttpRequest request, BodyHandler<T> handler, CompletableFuture<HttpResponse<T>> response,
      int status, HttpHeaders headers) {
    if (response.isDone()) {
      return;
    }
    BodySubscriber<T> subscriber;
    try {
      subscriber = handler.apply(new Info(status, headers));
      subscriber.onSubscribe(NoSubscription.INSTANCE);
      subscriber.onComplete(); // An empty body.
    } catch (RuntimeException e) {
      response.completeExceptionally(e);
      return;
    }
    subscriber.getBody().whenComplete((body, failure) -> {
      if (failure != null) {
        response.completeExceptionally(failure);
      } else {
        response.complete(new Response<>(request, status, headers, body));
      }
    });
  }

  private double gaussian() {
    // Box-Muller from the seeded stream, so runs are reproducible on every JDK.
    double u = 1.0 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, BodyHandler<T> handler, PushPromiseHandler<T> pushPromiseHandler) {
    return sendAsync(request, handler);
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, BodyHandler<T> handler)
      throws IOException {
    throw new IOException("the simulated backend answers asynchronous calls only");
  }

  @Override
  public Optional<CookieHandler> cookieHandler() {
    return Optional.empty();
  }

  @Override
  public Optional<Duration> connectTimeout() {
    return Optional.empty();
  }

  @Override
  public Redirect followRedirects() {
    return Redirect.NEVER;
  }

  @Override
  public Optional<ProxySelector> proxy() {
    return Optional.empty();
  }

  @Override
  public SSLContext sslContext() {
    throw new UnsupportedOperationException("the simulated backend has no TLS");
  }

  @Override
  public SSLParameters sslParameters() {
    return new SSLParameters();
  }

  @Override
  public Optional<Authenticator> authenticator() {
    return Optional.empty();
  }

  @Override
  public Version version() {
    return Version.HTTP_1_1;
  }

  @Override
  public Optional<Executor> executor() {
    return Optional.empty();
  }

  private record Info(int statusCode, HttpHeaders headers) implements HttpResponse.ResponseInfo {
    @Override
    public Version version() {
      return Version.HTTP_1_1;
    }
  }

  private enum NoSubscription implements Flow.Subscription {
    INSTANCE;

    @Override
    public void request(long n) {}

    @Override
    public void cancel() {}
  }

  private record Response<T>(HttpRequest request, int statusCode, HttpHeaders headers, T body)
      implements HttpResponse<T> {
    @Override
    public Optional<HttpResponse<T>> previousResponse() {
      return Optional.empty();
    }

    @Override
    public Optional<SSLSession> sslSession() {
      return Optional.empty();
    }

    @Override
    public URI uri() {
      return request.uri();
    }

    @Override
    public Version version() {
      return Version.HTTP_1_1;
    }
  }
}
