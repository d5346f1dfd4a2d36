package dev.resilienthttp.http;

import dev.resilienthttp.backend.BackendRegistry;
import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.breaker.CircuitBreakerListener;
import dev.resilienthttp.budget.RetryBudget;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.retry.Retry;
import dev.resilienthttp.retry.RetryCancelledException;
import dev.resilienthttp.retry.RetryExhaustedException;
import dev.resilienthttp.retry.RetryListener;
import dev.resilienthttp.retry.RetryScope;
import dev.resilienthttp.time.TimeSource;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
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
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A drop-in {@link HttpClient} that retries with HTTP semantics: it never sends twice a request
 * that must not be sent twice, honours Retry-After, and drains every response it discards.
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
 *     .bearerTokens(tokenSource)
 *     .build();
 * }</pre>
 *
 * <p>With {@link Builder#bearerTokens}, every request without an Authorization header of its
 * own carries {@code Authorization: Bearer <token>}. The client caches the token and fetches a
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
 * <p>Thread-safe; share one instance.
 */
public final class ResilientHttpClient extends HttpClient {

  private static final System.Logger LOG = System.getLogger("dev.resilienthttp.http");
  /* Retry statuses are in [500, 599] and 429 is the only other candidate: a table read by status
   * code replaces a boxed Set<Integer> lookup on every response (ClientOverheadBenchmark's
   * hottest frame of the library's own, `-prof stack`). */
  private static final int STATUS_TABLE_SIZE = 600;
  private static final byte RETRY_STATUS = 1;
  private static final byte RETRY_CANDIDATE = 2;

  final HttpClient delegate;
  final Retrier retrier;
  final TimeSource time;
  final Clock wallClock;
  final ResultMode resultMode;
  final boolean retryRateLimited;
  final boolean retryConnectionRefused;
  final Set<String> idempotentMethods;
  final boolean generateIdempotencyKeys;
  final Supplier<String> idempotencyKeys;
  final Duration retryAfterCap;
  final Duration callTimeout;
  final Predicate<Throwable> breakerFailure;
  final boolean gateOnRetryAfter;
  final long gateReleaseSpreadNanos;
  final DoubleSupplier random;
  /** {@code null} without bearer tokens. */
  final BearerTokens tokens;
  final int authRetries;
  private final long authInitialBackoffNanos;
  private final Route[] routes;
  private final Retrier[] routeRetriers;
  private final Function<? super java.net.URI, String> backendKeys;
  /** The default backend keys, remembered per authority; used when {@link #backendKeys} is null. */
  private final BackendKeys defaultBackendKeys = new BackendKeys();
  /**
   * By status code below {@value #STATUS_TABLE_SIZE}: {@link #RETRY_STATUS} if it is among the
   * retry statuses, {@link #RETRY_CANDIDATE} if a response of it may be retried (a retry
   * status, or 429 when rate-limited responses are retried).
   */
  private final byte[] statusTable = new byte[STATUS_TABLE_SIZE];
  private final BackendRegistry<String, Backend> backends;
  private final Retry engine;

  private ResilientHttpClient(Builder builder) {
    this.delegate = builder.delegate;
    this.retrier = builder.retrier;
    this.time = builder.time;
    this.wallClock = builder.wallClock;
    this.resultMode = builder.resultMode;
    for (int status : builder.retryStatuses) {
      statusTable[status] = RETRY_STATUS | RETRY_CANDIDATE;
    }
    this.retryRateLimited = builder.retryRateLimited;
    if (retryRateLimited) {
      statusTable[429] |= RETRY_CANDIDATE;
    }
    this.retryConnectionRefused = builder.retryConnectionRefused;
    this.idempotentMethods = Set.copyOf(builder.idempotentMethods);
    this.generateIdempotencyKeys = builder.generateIdempotencyKeys;
    this.idempotencyKeys = builder.idempotencyKeys;
    this.retryAfterCap = builder.retryAfterCap;
    this.callTimeout = builder.callTimeout;
    this.breakerFailure = builder.breakerFailure;
    this.gateOnRetryAfter = builder.gateOnRetryAfter;
    this.gateReleaseSpreadNanos = builder.gateReleaseSpread.toNanos();
    this.random = builder.random;
    this.routes = builder.routes.toArray(new Route[0]);
    this.routeRetriers = builder.routeRetriers.toArray(new Retrier[0]);
    this.backendKeys = builder.backendKeys;
    this.authRetries = builder.authRetries;
    this.authInitialBackoffNanos = builder.authInitialBackoff.toNanos();
    this.tokens =
        builder.tokenSource == null
            ? null
            : new BearerTokens(builder.tokenSource, builder.tokensApplyTo, builder.tokenRefreshSkew,
                builder.time, builder.authListener);
    Function<String, RetryBudget> budgets = builder.retryBudgets;
    Function<String, CircuitBreaker> breakers = builder.circuitBreakers;
    Function<String, CircuitBreaker> authBreakers =
        tokens == null ? null : builder.authCircuitBreakers != null ? builder.authCircuitBreakers : this::defaultAuthBreaker;
    int authRetryCount = authRetries;
    this.backends =
        BackendRegistry.<String, Backend>builder(
                key -> new Backend(
                    key,
                    budgets == null ? null : budgets.apply(key),
                    breakers == null ? null : breakers.apply(key),
                    authBreakers == null ? null : authBreakers.apply(key),
                    authRetryCount))
            .timeSource(time)
            .maxSize(builder.maxBackends)
            .idleTimeout(builder.backendIdleTimeout)
            .build();
    Retry.Builder engineBuilder =
        Retry.builder().name("resilient-http").timeSource(time).useScope(false);
    builder.listeners.forEach(engineBuilder::listener);
    this.engine = engineBuilder.build();
    if (tokens != null) {
      tokens.bind(new TokenClient(this));
    }
    if (Boolean.getBoolean("jdk.httpclient.enableAllMethodRetry")) {
      LOG.log(Level.WARNING,
          "jdk.httpclient.enableAllMethodRetry is set: java.net.http may resend a non-idempotent"
              + " request once on its own, which this client cannot prevent");
    }
  }

  /* Opens after 5 exhausted sequences in a row (the failure rate of a 5-call window at 100 % is
   * the same rule), stays open 30 s, lets one probe sequence through. */
  private CircuitBreaker defaultAuthBreaker(String backend) {
    BearerTokens listener = tokens;
    return CircuitBreaker.builder(backend)
        .consecutiveFailureThreshold(5)
        .failureRateThreshold(100)
        .slidingWindowSize(5)
        .minimumNumberOfCalls(5)
        .openDuration(Duration.ofSeconds(30))
        .halfOpenProbes(1)
        .timeSource(time)
        .listener(new CircuitBreakerListener() {
          @Override
          public void onStateTransition(String name, CircuitBreaker.State from, CircuitBreaker.State to) {
            listener.breakerTransition(backend, from, to);
          }
        })
        .build();
  }

  /** The wait before auth-failure retry {@code retry} (1 for the first): the initial backoff, doubled each time. */
  long authBackoffNanos(int retry) {
    long backoff = authInitialBackoffNanos;
    for (int i = 1; i < retry && backoff < Long.MAX_VALUE / 2; i++) {
      backoff *= 2;
    }
    return backoff;
  }

  /** The backend a request to {@code uri} belongs to. */
  String backendOf(java.net.URI uri) {
    if (backendKeys == null) {
      return defaultBackendKeys.keyOf(uri);
    }
    String key = backendKeys.apply(uri);
    if (key == null || key.isBlank()) {
      throw new IllegalStateException("backendKeys returned " + (key == null ? "null" : "a blank key")
          + " for " + Redaction.uri(uri));
    }
    return key;
  }

  /** Returns a builder of a client that sends every attempt through {@code delegate}. */
  public static Builder newBuilder(HttpClient delegate) {
    return new Builder(delegate);
  }

  /** The retrier applied when no {@link RetryScope} is open. */
  public Retrier retrier() {
    return retrier;
  }

  /**
   * The circuit breaker of the backend ({@code scheme://host:port}) of {@code uri}, if breakers
   * are on and the backend was called recently.
   */
  public Optional<CircuitBreaker> circuitBreaker(java.net.URI uri) {
    return backends.getIfPresent(backendOf(uri)).map(backend -> backend.breaker);
  }

  /**
   * The auth circuit breaker of the backend of {@code uri}, if bearer tokens are on and the
   * backend was called recently.
   */
  public Optional<CircuitBreaker> authCircuitBreaker(java.net.URI uri) {
    return backends.getIfPresent(backendOf(uri)).map(backend -> backend.authBreaker);
  }

  /** The routes, in the order they are matched. */
  public List<Route> routes() {
    return List.of(routes);
  }

  /**
   * The retry budget of the backend ({@code scheme://host:port}) of {@code uri}, if budgets are
   * on and the backend was called recently.
   */
  public Optional<RetryBudget> retryBudget(java.net.URI uri) {
    return backends.getIfPresent(backendOf(uri)).map(backend -> backend.budget);
  }

  /** The client every attempt is sent through. */
  public HttpClient delegate() {
    return delegate;
  }

  /** Whether a response of {@code status} may be retried: a retry status, or 429 when retried. */
  boolean isRetryCandidate(int status) {
    return status >= 0 && status < STATUS_TABLE_SIZE && (statusTable[status] & RETRY_CANDIDATE) != 0;
  }

  /** Whether {@code status} is among the retry statuses ({@link Builder#retryStatuses}). */
  boolean isRetryStatus(int status) {
    return status >= 0 && status < STATUS_TABLE_SIZE && (statusTable[status] & RETRY_STATUS) != 0;
  }

  private <T> HttpCall<T> newCall(HttpRequest request, BodyHandler<T> handler) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(handler, "responseBodyHandler");
    // Most specific first: scope, route, client default (which is Retrier.none() unless set).
    Retrier applying = RetryScope.current().orElse(null);
    boolean routeIdempotent = false;
    for (int i = 0; i < routes.length; i++) {
      if (routes[i].matches(request.method(), request.uri())) {
        if (applying == null) {
          applying = routeRetriers[i];
        }
        routeIdempotent = routes[i].isIdempotent();
        break;
      }
    }
    if (applying == null) {
      applying = retrier;
    }
    return new HttpCall<>(
        this, request, handler, applying, backends.get(backendOf(request.uri())), routeIdempotent);
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, BodyHandler<T> responseBodyHandler)
      throws IOException, InterruptedException {
    HttpCall<T> call = newCall(request, responseBodyHandler);
    Retry retry = engine.withRetrier(call);
    HttpResponse<T> response;
    try {
      response = call.callTimeout == null
          ? retry.call(call::sendSync)
          : retry.call(call.callTimeout, call::sendSync);
    } catch (HttpStatusException notRetried) {
      if (resultMode == ResultMode.RETURN_LAST_RESPONSE) {
        return call.replaySync(notRetried);
      }
      throw notRetried;
    } catch (RetryExhaustedException exhausted) {
      Throwable last = exhausted.getCause();
      if (resultMode == ResultMode.RETURN_LAST_RESPONSE) {
        if (last instanceof HttpStatusException) {
          return call.replaySync((HttpStatusException) last);
        }
        if (last instanceof IOException) {
          throw asIOException(exhausted, (IOException) last);
        }
      }
      throw exhausted;
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      throw e;
    } catch (Exception unexpected) {
      throw new IOException(unexpected);
    } finally {
      call.finished();
    }
    return resultMode == ResultMode.THROW ? throwIfFailure(call, response) : response;
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, BodyHandler<T> responseBodyHandler) {
    return sendAsync(request, responseBodyHandler, null);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, BodyHandler<T> responseBodyHandler, PushPromiseHandler<T> pushPromiseHandler) {
    HttpCall<T> call = newCall(request, responseBodyHandler);
    Retry retry = engine.withRetrier(call);
    CompletableFuture<HttpResponse<T>> attempts =
        call.callTimeout == null
            ? retry.callAsync(() -> call.sendAsync(pushPromiseHandler))
            : retry.callAsync(call.callTimeout, () -> call.sendAsync(pushPromiseHandler));
    CompletableFuture<HttpResponse<T>> result = new CompletableFuture<>();
    attempts.whenComplete(
        (response, failure) -> {
          call.finished();
          if (failure == null) {
            try {
              result.complete(resultMode == ResultMode.THROW ? throwIfFailure(call, response) : response);
            } catch (HttpStatusException e) {
              result.completeExceptionally(e);
            }
            return;
          }
          Throwable cause = unwrap(failure);
          HttpStatusException status = null;
          if (resultMode == ResultMode.RETURN_LAST_RESPONSE) {
            if (cause instanceof HttpStatusException) {
              status = (HttpStatusException) cause;
            } else if (cause instanceof RetryExhaustedException && cause.getCause() instanceof HttpStatusException) {
              status = (HttpStatusException) cause.getCause();
            } else if (cause instanceof RetryExhaustedException && cause.getCause() instanceof IOException) {
              cause = asIOException((RetryExhaustedException) cause, (IOException) cause.getCause());
            }
          }
          if (status == null) {
            result.completeExceptionally(cause);
            return;
          }
          call.replay(status)
              .whenComplete(
                  (replayed, replayFailure) -> {
                    if (replayFailure == null) {
                      result.complete(replayed);
                    } else {
                      result.completeExceptionally(unwrap(replayFailure));
                    }
                  });
        });
    result.whenComplete(
        (response, failure) -> {
          if (result.isCancelled()) {
            attempts.cancel(true);
          }
        });
    return result;
  }

  /** The default of {@link Builder#breakerFailure}: 5xx, timeouts, resets, refusals; never 4xx. */
  static boolean isBackendFailure(Throwable failure) {
    if (failure instanceof HttpStatusException) {
      return ((HttpStatusException) failure).statusCode() >= 500;
    }
    return failure instanceof IOException;
  }

  private static <T> HttpResponse<T> throwIfFailure(HttpCall<T> call, HttpResponse<T> response)
      throws HttpStatusException {
    int status = response.statusCode();
    if (status >= 400) {
      throw HttpStatusException.of(
          status, call.method(), call.uri(), response.headers(), null);
    }
    return response;
  }

  /**
   * The last I/O failure, as {@code send} promises, carrying the earlier failures and why retries
   * stopped as suppressed exceptions.
   */
  private static IOException asIOException(RetryExhaustedException exhausted, IOException last) {
    for (Throwable earlier : exhausted.getSuppressed()) {
      if (earlier != last) {
        last.addSuppressed(earlier);
      }
    }
    last.addSuppressed(
        new RetryExhaustedException(exhausted.reason(), exhausted.getMessage(), exhausted.attempts(), null));
    return last;
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable current = failure;
    while (current instanceof CompletionException && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }

  @Override
  public Optional<CookieHandler> cookieHandler() {
    return delegate.cookieHandler();
  }

  @Override
  public Optional<Duration> connectTimeout() {
    return delegate.connectTimeout();
  }

  @Override
  public Redirect followRedirects() {
    return delegate.followRedirects();
  }

  @Override
  public Optional<ProxySelector> proxy() {
    return delegate.proxy();
  }

  @Override
  public SSLContext sslContext() {
    return delegate.sslContext();
  }

  @Override
  public SSLParameters sslParameters() {
    return delegate.sslParameters();
  }

  @Override
  public Optional<Authenticator> authenticator() {
    return delegate.authenticator();
  }

  @Override
  public Version version() {
    return delegate.version();
  }

  @Override
  public Optional<Executor> executor() {
    return delegate.executor();
  }

  @Override
  public java.net.http.WebSocket.Builder newWebSocketBuilder() {
    return delegate.newWebSocketBuilder();
  }

  @Override
  public String toString() {
    return "ResilientHttpClient{retrier=" + retrier
        + (routes.length == 0 ? "" : ", routes=" + routes())
        + (tokens == null ? "" : ", bearerTokens=on")
        + ", resultMode=" + resultMode + '}';
  }

  /**
   * Builds a {@link ResilientHttpClient}. Each setter checks its value at once. Not
   * thread-safe.
   */
  public static final class Builder {
    private final HttpClient delegate;
    private Retrier retrier = Retrier.none();
    private TimeSource time = TimeSource.system();
    private Clock wallClock = Clock.systemUTC();
    private ResultMode resultMode = ResultMode.RETURN_LAST_RESPONSE;
    private Set<Integer> retryStatuses = Set.of(500, 502, 503, 504);
    private boolean retryRateLimited = true;
    private boolean retryConnectionRefused;
    private Set<String> idempotentMethods = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");
    private boolean generateIdempotencyKeys;
    private Supplier<String> idempotencyKeys = () -> UUID.randomUUID().toString();
    private Duration retryAfterCap = Duration.ofSeconds(60);
    private Duration callTimeout;
    private final List<RetryListener> listeners = new java.util.ArrayList<>();
    private Function<String, RetryBudget> retryBudgets =
        backend -> RetryBudget.builder().name(backend).build();
    private Function<String, CircuitBreaker> circuitBreakers;
    private Predicate<Throwable> breakerFailure = ResilientHttpClient::isBackendFailure;
    private boolean gateOnRetryAfter = true;
    private Duration gateReleaseSpread = Duration.ofSeconds(1);
    private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
    private int maxBackends = 1_000;
    private Duration backendIdleTimeout = Duration.ofMinutes(10);
    private final List<Route> routes = new java.util.ArrayList<>();
    private final List<Retrier> routeRetriers = new java.util.ArrayList<>();
    private Function<? super java.net.URI, String> backendKeys;
    private TokenSource tokenSource;
    private Predicate<? super HttpRequest> tokensApplyTo = request -> true;
    private Duration tokenRefreshSkew = Duration.ofSeconds(30);
    private int authRetries = 3;
    private Duration authInitialBackoff = Duration.ofMillis(100);
    private Function<String, CircuitBreaker> authCircuitBreakers;
    private AuthListener authListener = new AuthListener() {};

    private Builder(HttpClient delegate) {
      this.delegate = Objects.requireNonNull(delegate, "delegate");
      if (delegate instanceof ResilientHttpClient) {
        throw new IllegalArgumentException(
            "delegate must be a plain HttpClient but was a ResilientHttpClient: retries would multiply");
      }
    }

    /** Sets the retrier applied when no {@link RetryScope} is open (default {@link Retrier#none()}). */
    public Builder retrier(Retrier retrier) {
      this.retrier = Objects.requireNonNull(retrier, "retrier");
      return this;
    }

    /** Sets the time source every wait goes through (default {@link TimeSource#system()}). */
    public Builder timeSource(TimeSource timeSource) {
      this.time = Objects.requireNonNull(timeSource, "timeSource");
      return this;
    }

    /**
     * Sets the wall clock that a Retry-After HTTP-date is measured against when the response has
     * no Date header (default {@link Clock#systemUTC()}).
     */
    public Builder wallClock(Clock wallClock) {
      this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
      return this;
    }

    /** Adds a listener of every attempt, retry and give-up. */
    public Builder listener(RetryListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** Sets what the caller gets once retries stop (default {@link ResultMode#RETURN_LAST_RESPONSE}). */
    public Builder resultMode(ResultMode resultMode) {
      this.resultMode = Objects.requireNonNull(resultMode, "resultMode");
      return this;
    }

    /**
     * Sets the statuses retried for idempotent requests (default 500, 502, 503, 504).
     *
     * @throws IllegalArgumentException if a status is outside [500, 599]
     */
    public Builder retryStatuses(int... statuses) {
      Set<Integer> set = new LinkedHashSet<>();
      for (int status : statuses) {
        if (status < 500 || status > 599) {
          throw new IllegalArgumentException(
              "retryStatuses must be in [500, 599] but contained " + status
                  + " (429 is governed by retryRateLimited; other 4xx are never retried)");
        }
        set.add(status);
      }
      this.retryStatuses = set;
      return this;
    }

    /** Sets whether 429 Too Many Requests is retried, for every method (default true). */
    public Builder retryRateLimited(boolean retryRateLimited) {
      this.retryRateLimited = retryRateLimited;
      return this;
    }

    /**
     * Sets whether a refused connection is retried (default false: a refusing server is usually
     * down, and retrying only delays the failure).
     */
    public Builder retryConnectionRefused(boolean retryConnectionRefused) {
      this.retryConnectionRefused = retryConnectionRefused;
      return this;
    }

    /**
     * Sets the methods treated as idempotent (default GET, HEAD, OPTIONS, TRACE, PUT, DELETE).
     *
     * @throws IllegalArgumentException if a method is blank or not upper case
     */
    public Builder idempotentMethods(String... methods) {
      Set<String> set = new LinkedHashSet<>();
      for (String method : methods) {
        Objects.requireNonNull(method, "method");
        if (method.isBlank() || !method.equals(method.toUpperCase(Locale.ROOT))) {
          throw new IllegalArgumentException(
              "idempotentMethods must hold upper-case method names but contained '" + method
                  + "' in " + Arrays.toString(methods));
        }
        set.add(method);
      }
      this.idempotentMethods = set;
      return this;
    }

    /**
     * Sets whether a request of a non-idempotent method without an {@code Idempotency-Key} gets
     * one (a random UUID, the same on every attempt of the call), which makes it retryable
     * (default false). A key the caller set is never replaced.
     */
    public Builder generateIdempotencyKeys(boolean generate) {
      this.generateIdempotencyKeys = generate;
      return this;
    }

    /** Sets where generated idempotency keys come from (default random UUIDs). */
    public Builder idempotencyKeySource(Supplier<String> keys) {
      this.idempotencyKeys = Objects.requireNonNull(keys, "idempotencyKeySource");
      return this;
    }

    /**
     * Sets the longest Retry-After this client waits for (default 60 s); a longer one ends the
     * retries at once.
     *
     * @throws IllegalArgumentException if {@code cap} is negative
     */
    public Builder retryAfterCap(Duration cap) {
      Objects.requireNonNull(cap, "retryAfterCap");
      if (cap.isNegative()) {
        throw new IllegalArgumentException("retryAfterCap must be >= 0 but was " + cap);
      }
      this.retryAfterCap = cap;
      return this;
    }

    /**
     * Bounds each call, all attempts and waits included (default: no bound). No wait starts that
     * would end after the deadline; each attempt's request timeout is cut to the time left; an
     * asynchronous call fails when the deadline passes during an attempt.
     *
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     */
    public Builder callTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "callTimeout");
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("callTimeout must be > 0 but was " + timeout);
      }
      this.callTimeout = timeout;
      return this;
    }

    /**
     * Sets the retry budget of each backend, created on its first call (default: {@link
     * RetryBudget#ofDefaults()} settings, capacity 500, a retry costs 5, a retry after a timeout
     * 10, a first-try success earns 1). When a backend's budget is empty, calls to it stop
     * retrying with {@link dev.resilienthttp.retry.GiveUpReason#BUDGET_EXHAUSTED}: under a total
     * outage the server sees about 1.1 attempts per call instead of 3. Budgets matter only when
     * a retrier allows retries.
     */
    public Builder retryBudgets(Function<String, RetryBudget> perBackend) {
      this.retryBudgets = Objects.requireNonNull(perBackend, "retryBudgets");
      return this;
    }

    /** Turns retry budgets off: every call may use every attempt its retrier allows. */
    public Builder noRetryBudget() {
      this.retryBudgets = null;
      return this;
    }

    /**
     * Turns circuit breakers on (default off): one per backend, created on its first call. While
     * a backend's breaker is open, calls to it fail at once with a {@link
     * dev.resilienthttp.breaker.CallNotPermittedException} and retries stop with {@link
     * dev.resilienthttp.retry.GiveUpReason#CIRCUIT_OPEN}.
     */
    public Builder circuitBreakers(Function<String, CircuitBreaker> perBackend) {
      this.circuitBreakers = Objects.requireNonNull(perBackend, "circuitBreakers");
      return this;
    }

    /**
     * Sets which failed attempts count against a backend's breaker (default: 5xx responses,
     * timeouts, resets and refused connections; never a 4xx). Other outcomes count as
     * successes.
     */
    public Builder breakerFailure(Predicate<Throwable> isFailure) {
      this.breakerFailure = Objects.requireNonNull(isFailure, "breakerFailure");
      return this;
    }

    /**
     * Sets whether a 429 or 503 with Retry-After holds back every new call to that backend until
     * the time it names (default true): a new call waits for it, within its deadline, or fails
     * at once with an {@link java.net.http.HttpTimeoutException} when the wait would pass the
     * deadline or is longer than {@link #retryAfterCap}, instead of hammering the server one by
     * one.
     */
    public Builder gateOnRetryAfter(boolean gate) {
      this.gateOnRetryAfter = gate;
      return this;
    }

    /**
     * Spreads out the calls a Retry-After gate held back, so that they do not all reach the
     * server in the instant the gate opens (default 1 s): each held call waits for the gate plus
     * a random extra of up to {@code spread}, and of up to its own wait when that is shorter (a
     * call held 200 ms waits 200 to 400 ms). The extra never takes more than half of the time
     * a call with a deadline has left after the gate.
     * {@link Duration#ZERO} releases them all at once.
     *
     * @throws IllegalArgumentException if {@code spread} is negative
     */
    public Builder gateReleaseSpread(Duration spread) {
      Objects.requireNonNull(spread, "gateReleaseSpread");
      if (spread.isNegative()) {
        throw new IllegalArgumentException("gateReleaseSpread must be >= 0 but was " + spread);
      }
      this.gateReleaseSpread = spread;
      return this;
    }

    /**
     * Sets the source of uniform random draws in {@code [0, 1)} that spread the release of a
     * Retry-After gate (default {@link ThreadLocalRandom}); it must be thread-safe. Tests inject
     * a fixed sequence. The retrier's own jitter has its own source.
     */
    public Builder random(DoubleSupplier random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Bounds the per-backend state kept: at most {@code maxBackends} backends, and a backend
     * not called for {@code idleTimeout} is forgotten (defaults 1,000 and 10 minutes).
     *
     * @throws IllegalArgumentException if {@code maxBackends < 1} or {@code idleTimeout} is not
     *     positive
     */
    public Builder backendLimits(int maxBackends, Duration idleTimeout) {
      if (maxBackends < 1) {
        throw new IllegalArgumentException("maxBackends must be >= 1 but was " + maxBackends);
      }
      Objects.requireNonNull(idleTimeout, "idleTimeout");
      if (idleTimeout.isZero() || idleTimeout.isNegative()) {
        throw new IllegalArgumentException("idleTimeout must be > 0 but was " + idleTimeout);
      }
      this.maxBackends = maxBackends;
      this.backendIdleTimeout = idleTimeout;
      return this;
    }

    /**
     * Gives the requests on {@code route} their own retrier; routes are tried in the order added
     * and the first that matches wins. Which retrier applies to a call, most specific first: an
     * open {@link RetryScope}, the route's, the client's ({@link #retrier}), {@link
     * Retrier#none()}. A route {@linkplain Route#idempotent() marked idempotent} makes its
     * requests safe to repeat whichever retrier applies.
     *
     * @throws IllegalArgumentException if a route of the same method and pattern was added
     *     already (it would never match)
     */
    public Builder route(Route route, Retrier retrier) {
      Objects.requireNonNull(route, "route");
      Objects.requireNonNull(retrier, "retrier");
      for (Route added : routes) {
        if (added.method().equals(route.method()) && added.pattern().equals(route.pattern())) {
          throw new IllegalArgumentException(
              "route must not repeat an earlier route's method and pattern but " + route
                  + " repeats " + added + " (the first match wins, so it would never apply)");
        }
      }
      routes.add(route);
      routeRetriers.add(retrier);
      return this;
    }

    /**
     * Attaches a bearer token from {@code source} to every request that has no Authorization
     * header of its own, and handles 401 and 403 answers as the class description says. The
     * token goes to every host this client calls; use {@link #bearerTokens(TokenSource,
     * Predicate)} when it calls hosts that must not see it.
     */
    public Builder bearerTokens(TokenSource source) {
      return bearerTokens(source, request -> true);
    }

    /**
     * As {@link #bearerTokens(TokenSource)}, for the requests {@code appliesTo} accepts only
     * (for example {@code request -> request.uri().getHost().equals("api.example.com")}).
     */
    public Builder bearerTokens(TokenSource source, Predicate<? super HttpRequest> appliesTo) {
      this.tokenSource = Objects.requireNonNull(source, "tokenSource");
      this.tokensApplyTo = Objects.requireNonNull(appliesTo, "appliesTo");
      return this;
    }

    /**
     * Sets how long before its expiry a token is replaced (default 30 s). A token living less
     * than twice this is replaced halfway through its life.
     *
     * @throws IllegalArgumentException if {@code skew} is not in [0, 1 day]
     */
    public Builder tokenRefreshSkew(Duration skew) {
      Objects.requireNonNull(skew, "tokenRefreshSkew");
      if (skew.isNegative() || skew.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException("tokenRefreshSkew must be in [PT0S, PT24H] but was " + skew);
      }
      this.tokenRefreshSkew = skew;
      return this;
    }

    /**
     * Sets the auth-failure retries made when a call is still refused (401 after the replay with
     * a new token, or 403): {@code retries} retries, the first after {@code initialBackoff}, each
     * wait twice the one before (default 3 retries from 100 ms: 100, 200, 400 ms). Callers of one
     * backend reaching the same retry share its wait.
     *
     * @throws IllegalArgumentException if {@code retries} is not in [0, 10] or {@code
     *     initialBackoff} is not in (0, 1 min]
     */
    public Builder authFailureRetries(int retries, Duration initialBackoff) {
      if (retries < 0 || retries > 10) {
        throw new IllegalArgumentException("authFailureRetries must be in [0, 10] but was " + retries);
      }
      Objects.requireNonNull(initialBackoff, "initialBackoff");
      if (initialBackoff.isZero() || initialBackoff.isNegative()
          || initialBackoff.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("initialBackoff must be in (PT0S, PT1M] but was " + initialBackoff);
      }
      this.authRetries = retries;
      this.authInitialBackoff = initialBackoff;
      return this;
    }

    /**
     * Sets the auth circuit breaker of each backend, created on its first call (default: opens
     * after 5 exhausted auth-failure retry sequences in a row, stays open 30 s, lets 1 probe
     * sequence through, on this client's time source, reporting to the {@link #authListener}).
     * While it is open, a refused call gets no auth-failure retries and its error names the
     * backend and when the next probe goes. A breaker given here reports to its own listener.
     */
    public Builder authCircuitBreakers(Function<String, CircuitBreaker> perBackend) {
      this.authCircuitBreakers = Objects.requireNonNull(perBackend, "authCircuitBreakers");
      return this;
    }

    /** Sets the listener of token fetches, rejections and auth breaker transitions (default: none). */
    public Builder authListener(AuthListener listener) {
      this.authListener = Objects.requireNonNull(listener, "authListener");
      return this;
    }

    /**
     * Names the backend of each request (default {@code scheme://host:port}): requests with the
     * same name share one retry budget, circuit breaker, Retry-After gate and auth breaker. For
     * example {@code uri -> "api"} makes every host one backend. The function must be fast and
     * never return null or a blank name.
     */
    public Builder backendKey(Function<? super java.net.URI, String> backendKey) {
      this.backendKeys = Objects.requireNonNull(backendKey, "backendKey");
      return this;
    }

    /** Returns a new client with these settings. */
    public ResilientHttpClient build() {
      return new ResilientHttpClient(this);
    }
  }
}
