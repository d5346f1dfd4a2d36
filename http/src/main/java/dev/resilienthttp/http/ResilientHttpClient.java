package dev.resilienthttp.http;

import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.budget.RetryBudget;
import dev.resilienthttp.http.auth.AuthListener;
import dev.resilienthttp.http.auth.TokenSource;
import dev.resilienthttp.http.internal.backend.Backend;
import dev.resilienthttp.http.internal.call.Pipeline;
import dev.resilienthttp.http.internal.call.Settings;
import dev.resilienthttp.http.internal.jdk.Lifecycle;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.retry.RetryListener;
import dev.resilienthttp.retry.RetryScope;
import dev.resilienthttp.time.TimeSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.PushPromiseHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;


/**
 * A drop-in {@link HttpClient} that retries with HTTP semantics: it never sends twice a request
 * that must not be sent twice, honours Retry-After, and never holds a response body.
 *
 * <pre>{@code
 * HttpClient client = ResilientHttpClient.newBuilder(HttpClient.newHttpClient())
 *     .retrier(ExponentialBackoffRetrier.ofDefaults())   // 3 attempts, 100 ms, x2, 5 s cap, jitter
 *     .build();
 * HttpResponse<String> response = client.send(request, BodyHandlers.ofString());
 * }</pre>
 *
 * <p>Nothing changes until a retrier applies: the retrier is, most specific first, the one of
 * the {@link RetryScope} open when the call starts, the one of the first {@link Route} the
 * request matches ({@link Builder#route}), the client's, or {@link Retrier#none()}.
 *
 * <h2>Bearer tokens</h2>
 *
 * <pre>{@code
 * HttpClient client = ResilientHttpClient.newBuilder(HttpClient.newHttpClient())
 *     .retrier(ExponentialBackoffRetrier.ofDefaults())
 *     .route(Route.post("/auth/token").idempotent(), ExponentialBackoffRetrier.builder()
 *         .maxAttempts(7).initialDelay(Duration.ofSeconds(2)).maxDelay(Duration.ofSeconds(60)).build())
 *     .bearerTokens(tokenSource, "api.example.com")   // tokens go to this host only
 *     .build();
 * }</pre>
 *
 * <p>With {@link Builder#bearerTokens}, every request to the hosts named there without an
 * Authorization header of its own carries {@code Authorization: Bearer <token>}. The client caches the token and fetches a
 * new one {@link Builder#tokenRefreshSkew skew} (default 30 s) before it expires; concurrent calls
 * needing one share one fetch. A 401 drops the token, and the request is replayed once with a new
 * one (if its body can be sent again). A 401 after that, or a 403, is retried with backoff (100
 * ms, doubling, 3 retries; {@link Builder#authFailureRetries}); the callers of one backend share
 * each of those waits, and a per-backend auth circuit breaker stops the retries after 5 exhausted
 * sequences in a row, for 30 s. The token source fetches through this client, so a route for the
 * token endpoint gives the fetch its own retrier; a refused connection to the token endpoint
 * fails at once, as any refused connection does unless {@link Builder#retryConnectionRefused}.
 *
 * <h2>What is retried by default</h2>
 *
 * <table>
 *   <caption>outcome of an attempt, by kind of request</caption>
 *   <tr><th>outcome</th><th>idempotent request</th><th>other requests</th></tr>
 *   <tr><td>connect timeout (nothing was sent)</td><td>retry</td><td>retry</td></tr>
 *   <tr><td>connection refused</td><td>only with {@link Builder#retryConnectionRefused}</td><td>same</td></tr>
 *   <tr><td>timeout or reset after the request was sent</td><td>retry</td><td>never</td></tr>
 *   <tr><td>500 502 503 504</td><td>retry</td><td>never</td></tr>
 *   <tr><td>429 Too Many Requests</td><td>retry, honouring Retry-After</td><td>same</td></tr>
 *   <tr><td>any other 4xx, 501, 505</td><td>no</td><td>no</td></tr>
 *   <tr><td>cancellation, interrupt, deadline passed</td><td>no</td><td>no</td></tr>
 *   <tr><td>a one-shot body that was already sent</td><td>no</td><td>no</td></tr>
 * </table>
 *
 * <p>A request is idempotent when its method is GET, HEAD, OPTIONS, TRACE, PUT or DELETE, when
 * it is marked with {@link ResilientRequests#idempotent}, or when it carries an {@code
 * Idempotency-Key} header (which {@link Builder#generateIdempotencyKeys} can add, one key kept
 * across all attempts of a call). A body is replayable when it comes from {@code ofString},
 * {@code ofByteArray}, {@code ofFile} or {@code noBody}, or is marked with {@link
 * ResilientRequests#replayable}; any other body is sent at most once.
 *
 * <p>The wait before a retry is {@code max(backoff, Retry-After)}. A Retry-After above {@link
 * Builder#retryAfterCap} (default 60 s) or beyond the call's deadline ends the retries at once.
 *
 * <h2>On top of java.net.http's own resends</h2>
 *
 * <p>The JDK client already resends a GET or HEAD once, at once and silently, when the
 * connection closes before any byte of the response arrives, and retries a refused connection
 * once. So one attempt counted against {@code maxAttempts} may be two requests on the wire for
 * those methods. It never resends other methods unless the system property {@code
 * jdk.httpclient.enableAllMethodRetry} is set; with that property set, the JDK would resend
 * non-idempotent requests behind this client's back, which it logs as a warning when built.
 *
 * <h2>What the caller gets</h2>
 *
 * <p>{@code send} and {@code sendAsync} fail only as {@link HttpClient}'s contract allows. By
 * default ({@link ResultMode#RETURN_LAST_RESPONSE}) the caller gets the last response, whatever
 * its status, or the last attempt's {@link IOException} (earlier failures and why retries stopped
 * attached as suppressed). A deadline is a {@link CallTimeoutException} (an {@link
 * java.net.http.HttpTimeoutException}) on both paths; an open breaker, a Retry-After beyond the
 * cap and a shut-down client are a {@link CallRejectedException}; a token that could not be had
 * is a {@link TokenUnavailableException}; an interrupt during a wait is an {@link
 * InterruptedException}. In {@link ResultMode#THROW}, a failure status is its typed {@link
 * HttpStatusException} and a call that ran out of retries a {@link RetriesExhaustedException}:
 * {@link IOException}s too, and the bodies the caller is not handed are closed.
 *
 * <p>Whether another attempt follows is decided at each response's headers: only a response
 * that will be retried is discarded (a short body read to its end, any other cut off); the one
 * that ends the call streams into the caller's body handler. The client never holds a body.
 *
 * <p>With nothing configured (no retrier, route, scope, bearer tokens, breakers or timeouts) a
 * call goes to the delegate untouched. Thread-safe; share one instance. {@link #close()},
 * {@link #shutdown()} and {@link #shutdownNow()} reach the delegate on JDK 21 and later.
 */
public final class ResilientHttpClient extends ForwardingHttpClient implements AutoCloseable {

  private final Settings settings;
  private final Pipeline pipeline;
  private volatile boolean shutdown;

  private ResilientHttpClient(Settings settings) {
    super(settings.delegate);
    this.settings = settings;
    this.pipeline = new Pipeline(settings, this);
  }

  /** Returns a builder of a client that sends every attempt through {@code delegate}. */
  public static Builder newBuilder(HttpClient delegate) {
    return new Builder(delegate);
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, BodyHandler<T> responseBodyHandler)
      throws IOException, InterruptedException {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(responseBodyHandler, "responseBodyHandler");
    return pipeline.send(request, responseBodyHandler);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, BodyHandler<T> responseBodyHandler) {
    return sendAsync(request, responseBodyHandler, null);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, BodyHandler<T> responseBodyHandler, PushPromiseHandler<T> pushPromiseHandler) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(responseBodyHandler, "responseBodyHandler");
    return pipeline.sendAsync(request, responseBodyHandler, pushPromiseHandler);
  }

  /** The retrier applied when no {@link RetryScope} is open and no route matches. */
  public Retrier retrier() {
    return settings.retrier;
  }

  /** The call bound set with {@link Builder#callTimeout}, if any. */
  public Optional<Duration> callTimeout() {
    return Optional.ofNullable(settings.callTimeout);
  }

  /** What the caller gets once retries stop. */
  public ResultMode resultMode() {
    return settings.throwMode ? ResultMode.THROW : ResultMode.RETURN_LAST_RESPONSE;
  }

  /**
   * The circuit breaker of the backend of {@code uri}, if breakers are on and the backend was
   * called recently.
   */
  public Optional<CircuitBreaker> circuitBreaker(URI uri) {
    return pipeline.backendIfPresent(uri).map(backend -> backend.breaker);
  }

  /**
   * The auth circuit breaker of the backend of {@code uri}, if bearer tokens are on and the
   * backend was called recently.
   */
  public Optional<CircuitBreaker> authCircuitBreaker(URI uri) {
    return pipeline.backendIfPresent(uri).map(backend -> backend.authBreaker);
  }

  /**
   * The retry budget of the backend of {@code uri}, if budgets are on and the backend was
   * called recently.
   */
  public Optional<RetryBudget> retryBudget(URI uri) {
    return pipeline.backendIfPresent(uri).map(backend -> backend.budget);
  }

  /** The routes, in the order they are matched. */
  public List<Route> routes() {
    return settings.routes;
  }

  /** The client's bearer tokens, or {@code null}: for the tests of this package. */
  dev.resilienthttp.http.internal.auth.BearerTokens tokens() {
    return pipeline.tokens();
  }

  /** The client every attempt is sent through. */
  public HttpClient delegate() {
    return delegate;
  }

  // ---- Lifecycle: JDK 21's HttpClient methods, declared without @Override to compile for 17.

  /**
   * Stops accepting calls (they fail with a {@link CallRejectedException}), lets the calls in
   * flight end (a retry they would make fails the same way), and forwards to the delegate's
   * {@code shutdown()} on JDK 21 and later.
   */
  public void shutdown() {
    shutdown = true;
    pipeline.close();
    Lifecycle.shutdown(delegate);
  }

  /**
   * As {@link #shutdown()}, and every call waiting (at a Retry-After gate, or between attempts)
   * fails at once; forwards to the delegate's {@code shutdownNow()} on JDK 21 and later.
   */
  public void shutdownNow() {
    shutdown = true;
    pipeline.closeNow();
    Lifecycle.shutdownNow(delegate);
  }

  /**
   * Waits for the delegate to terminate after a shutdown, for at most {@code duration}; on a
   * JDK before 21, returns {@code true} at once.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean awaitTermination(Duration duration) throws InterruptedException {
    Objects.requireNonNull(duration, "duration");
    return Lifecycle.awaitTermination(delegate, duration);
  }

  /** Whether the client was shut down and its delegate terminated. */
  public boolean isTerminated() {
    return shutdown && Lifecycle.isTerminated(delegate, true);
  }

  /**
   * Shuts this client down and closes the delegate (JDK 21 and later: waiting for its
   * exchanges to end, as {@code HttpClient.close()} does). Calls after it fail with a {@link
   * CallRejectedException}.
   */
  @Override
  public void close() {
    shutdown = true;
    pipeline.close();
    Lifecycle.close(delegate);
  }

  @Override
  public String toString() {
    return "ResilientHttpClient{retrier=" + settings.retrier
        + (settings.routes.isEmpty() ? "" : ", routes=" + settings.routes)
        + (settings.tokenSource == null ? "" : ", bearerTokens=on")
        + ", resultMode=" + resultMode() + '}';
  }

  /**
   * Builds a {@link ResilientHttpClient}. Each setter checks its value at once. Not
   * thread-safe.
   */
  public static final class Builder extends BuilderSettings {

    private Builder(HttpClient delegate) {
      s.delegate = Objects.requireNonNull(delegate, "delegate");
      if (delegate instanceof ResilientHttpClient) {
        throw new IllegalArgumentException(
            "delegate must be a plain HttpClient but was a ResilientHttpClient: retries would multiply");
      }
    }

    /** Sets the retrier applied when no {@link RetryScope} is open (default {@link Retrier#none()}). */
    public Builder retrier(Retrier retrier) {
      s.retrier = Objects.requireNonNull(retrier, "retrier");
      return this;
    }

    /** Sets the time source every wait goes through (default {@link TimeSource#system()}). */
    public Builder timeSource(TimeSource timeSource) {
      s.time = Objects.requireNonNull(timeSource, "timeSource");
      return this;
    }

    /**
     * Sets the wall clock that a Retry-After HTTP-date is measured against when the response has
     * no Date header (default {@link Clock#systemUTC()}).
     */
    public Builder wallClock(Clock wallClock) {
      s.wallClock = Objects.requireNonNull(wallClock, "wallClock");
      return this;
    }

    /** Adds a listener of every attempt, retry and give-up. */
    public Builder listener(RetryListener listener) {
      s.listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** Sets what the caller gets once retries stop (default {@link ResultMode#RETURN_LAST_RESPONSE}). */
    public Builder resultMode(ResultMode resultMode) {
      s.throwMode = Objects.requireNonNull(resultMode, "resultMode") == ResultMode.THROW;
      return this;
    }

    /**
     * Sets the longest Retry-After this client waits for (default 60 s); a longer one ends the
     * retries at once.
     *
     * @throws IllegalArgumentException if {@code cap} is not in [0, 292 years]
     */
    public Builder retryAfterCap(Duration cap) {
      Settings.nonNegativeNanos("retryAfterCap", cap);
      s.retryAfterCap = cap;
      return this;
    }

    /**
     * Bounds each call, all attempts and waits included (default: no bound). No wait starts that
     * would end after the deadline; each attempt's request timeout is cut to the time left; an
     * asynchronous call fails when the deadline passes during an attempt.
     *
     * @throws IllegalArgumentException if {@code timeout} is not in (0, 292 years]
     */
    public Builder callTimeout(Duration timeout) {
      Settings.positiveNanos("callTimeout", timeout);
      s.callTimeout = timeout;
      return this;
    }

    /**
     * Bounds each attempt whose request sets no timeout of its own (default: none): an attempt
     * receiving no response headers within it fails with an {@link
     * java.net.http.HttpTimeoutException}, which is retried for an idempotent request. Within a
     * framework that bounds the whole call (Spring's read timeout), this is what lets a slow
     * attempt be retried. Cut to the time left before the call's deadline.
     *
     * @throws IllegalArgumentException if {@code timeout} is not in (0, 292 years]
     */
    public Builder attemptTimeout(Duration timeout) {
      s.attemptTimeout = Settings.positiveNanos("attemptTimeout", timeout);
      return this;
    }

    /**
     * Makes request bodies that are not known to be replayable (a publisher, an input stream:
     * what frameworks such as Spring send) replayable by keeping a copy as their first send
     * reads them, up to {@code maxBytes} per call (default: off, such bodies are sent at most
     * once). A longer body stays one-shot, and a call refused a retry for it says so in a
     * suppressed exception.
     *
     * @throws IllegalArgumentException if {@code maxBytes} is not in [1, 2^31 - 1]
     */
    public Builder replayBodiesUpTo(long maxBytes) {
      if (maxBytes < 1 || maxBytes > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "replayBodiesUpTo must be in [1, " + Integer.MAX_VALUE + "] bytes but was " + maxBytes);
      }
      s.replayBufferBytes = maxBytes;
      return this;
    }

    @Override
    Builder self() {
      return this;
    }

    /** Returns a new client with these settings. */
    public ResilientHttpClient build() {
      return new ResilientHttpClient(s.copy());
    }
  }
}
