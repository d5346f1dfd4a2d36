package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.http.Harness.Outcome;
import dev.resilienthttp.http.Harness.Path;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServerExtension;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Regression (issue failure 3): a caller's body handler that throws, or a delegate whose
 * {@code sendAsync} throws instead of returning a future, ends the call: {@code sendAsync}'s
 * future completes exceptionally instead of staying pending, {@code send} throws, and what the
 * handler threw is never retried. Against a real server, down both paths. The hang guards are
 * bounds on real time, not timing assertions.
 */
@ExtendWith(FaultServerExtension.class)
@Timeout(60) // a hang guard for the whole class, not a timing assertion
class FailingHandlerAndDelegateTest {

  private final Harness h = new Harness();
  private AuthFixture f;

  @AfterEach
  void close() {
    if (f != null) {
      f.close();
    }
  }

  /** A handler that throws for a 503 (and counts the 503s it was handed), else reads a string. */
  static final class ThrowingOn503 implements BodyHandler<String> {
    final AtomicInteger thrown = new AtomicInteger();
    final IllegalStateException failure = new IllegalStateException("handler refuses 503");

    @Override
    public HttpResponse.BodySubscriber<String> apply(HttpResponse.ResponseInfo info) {
      if (info.statusCode() == 503) {
        thrown.incrementAndGet();
        throw failure;
      }
      return HttpResponse.BodySubscribers.ofString(java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** Where the throwing handler meets the 503 (a retry candidate: GET, with a retrier). */
  enum Where {
    /** 503 on every attempt: the handler sees the last one. */
    ON_THE_LAST_ATTEMPT(3, Fault.status(503).body("down"), 3),
    /** A 503 whose Retry-After is beyond the cap ends retries at its headers, with attempts left. */
    WITH_ATTEMPTS_LEFT(3, Fault.status(503).header("Retry-After", "3600").body("down"), 1);

    final int maxAttempts;
    final Fault fault;
    final int expectedRequests;

    Where(int maxAttempts, Fault fault, int expectedRequests) {
      this.maxAttempts = maxAttempts;
      this.fault = fault;
      this.expectedRequests = expectedRequests;
    }
  }

  static Stream<Arguments> pathsAndWheres() {
    return Stream.of(Path.values())
        .flatMap(path -> Stream.of(Where.values()).map(where -> Arguments.of(path, where)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("pathsAndWheres")
  @Timeout(30)
  void aBodyHandlerThrowingOnA503EndsTheCallAndIsNeverRetried(Path path, Where where, FaultServer server) {
    // The 503s, then a 200 that only a retry of the handler's failure would reach.
    java.util.List<Fault> script = new java.util.ArrayList<>(java.util.Collections.nCopies(where.expectedRequests, where.fault));
    script.add(Fault.ok("never reached"));
    server.script("GET", "/api", script);
    ResilientHttpClient client = h.client(Harness.backoff(where.maxAttempts, Duration.ofMillis(100))).build();
    ThrowingOn503 handler = new ThrowingOn503();

    Outcome<String> outcome = callWithin(() -> h.call(path, client, Harness.get(server, "/api"), handler));

    Throwable failure = outcome.failure();
    assertThat(failure).satisfiesAnyOf(
        thrown -> assertThat(thrown).isSameAs(handler.failure),
        thrown -> assertThat(thrown).isInstanceOf(IOException.class).hasRootCause(handler.failure));
    assertThat(handler.thrown).as("the handler was handed one 503").hasValue(1);
    assertThat(server.requestCount("GET", "/api")).as("requests the server saw").isEqualTo(where.expectedRequests);
  }

  // ---- a delegate throwing from sendAsync while a bearer token is fetched ---------------------

  /** Which requests the delegate throws for. */
  enum Throws {
    FOR_THE_TOKEN_REQUEST,
    FOR_EVERY_REQUEST
  }

  static Stream<Arguments> pathsAndThrows() {
    return Stream.of(Path.values())
        .flatMap(path -> Stream.of(Throws.values()).map(t -> Arguments.of(path, t)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("pathsAndThrows")
  @Timeout(30)
  void aDelegateThrowingFromSendAsyncWhileATokenIsFetchedEndsTheCall(Path path, Throws throwsFor, FaultServer server) {
    f = new AuthFixture(server);
    server.script("POST", AuthFixture.TOKEN_PATH, Fault.ok("t1"));
    MisbehavingHttpClient delegate = new MisbehavingHttpClient(f.http);
    IllegalStateException thrown = new IllegalStateException("delegate refuses to send");
    delegate.plan = request -> throwsFor == Throws.FOR_EVERY_REQUEST
        || request.uri().getPath().equals(AuthFixture.TOKEN_PATH)
        ? MisbehavingHttpClient.Act.throwNow(thrown) : MisbehavingHttpClient.Act.forward();
    ResilientHttpClient client = f.client(delegate, Retrier.none(), f.tokenEndpoint(Duration.ofHours(1))).build();

    CompletableFuture<HttpResponse<String>> call = f.start(path, client, f.get("/api"));
    Outcome<String> outcome = AuthFixture.outcome(call);

    assertThat(call).isDone();
    assertThat(outcome.failure()).isInstanceOf(IOException.class);
    assertThat(causes(outcome.failure())).as("the delegate's exception is the reason").contains(thrown);
    assertThat(delegate.thrown.get()).isEqualTo(1);
    assertThat(server.requestCount()).as("nothing reached the server").isZero();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  @Timeout(30)
  void aDelegateThrowingFromSendAsyncWithNothingButTokensConfiguredEndsTheCall(Path path, FaultServer server) {
    f = new AuthFixture(server);
    MisbehavingHttpClient delegate = new MisbehavingHttpClient(f.http);
    IllegalStateException thrown = new IllegalStateException("delegate refuses to send");
    delegate.plan = request -> MisbehavingHttpClient.Act.throwNow(thrown);
    ResilientHttpClient client = ResilientHttpClient.newBuilder(delegate)
        .timeSource(f.clientTime)
        .bearerTokens(f.tokenEndpoint(Duration.ofHours(1)), "127.0.0.1")
        .build();

    CompletableFuture<HttpResponse<String>> call = f.start(path, client, f.get("/api"));
    Outcome<String> outcome = AuthFixture.outcome(call);

    assertThat(call).isDone();
    assertThat(outcome.failure()).isInstanceOf(IOException.class);
    assertThat(causes(outcome.failure())).contains(thrown);
    assertThat(server.requestCount()).isZero();
  }

  static java.util.List<Throwable> causes(Throwable failure) {
    java.util.List<Throwable> chain = new java.util.ArrayList<>();
    for (Throwable t = failure; t != null && chain.size() < 20; t = t.getCause()) {
      chain.add(t);
    }
    return chain;
  }

  /** Runs {@code call} on a thread of its own, failing the test if it has not ended within 5 s of real time. */
  static <T> Outcome<T> callWithin(java.util.function.Supplier<Outcome<T>> call) {
    AtomicReference<Outcome<T>> outcome = new AtomicReference<>();
    Thread caller = new Thread(() -> outcome.set(call.get()), "caller");
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
      throw new AssertionError("the call had not ended after 5 s of real time");
    }
    return outcome.get();
  }
}
