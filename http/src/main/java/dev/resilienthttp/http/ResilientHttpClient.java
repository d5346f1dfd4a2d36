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
  public static final class Builder {
    private final Settings s = new Settings();

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
      s.retryStatuses = set.stream().mapToInt(Integer::intValue).toArray();
      return this;
    }

    /** Sets whether 429 Too Many Requests is retried, for every method (default true). */
    public Builder retryRateLimited(boolean retryRateLimited) {
      s.retryRateLimited = retryRateLimited;
      return this;
    }

    /**
     * Sets whether a refused connection is retried (default false: a refusing server is usually
     * down, and retrying only delays the failure).
     */
    public Builder retryConnectionRefused(boolean retryConnectionRefused) {
      s.retryConnectionRefused = retryConnectionRefused;
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
      s.idempotentMethods = set.toArray(new String[0]);
      return this;
    }

    /**
     * Sets whether a request of a non-idempotent method without an {@code Idempotency-Key} gets
     * one (a random UUID, the same on every attempt of the call), which makes it retryable
     * (default false). A key the caller set is never replaced.
     */
    public Builder generateIdempotencyKeys(boolean generate) {
      s.generateIdempotencyKeys = generate;
      return this;
    }

    /** Sets where generated idempotency keys come from (default random UUIDs). */
    public Builder idempotencyKeySource(Supplier<String> keys) {
      s.idempotencyKeys = Objects.requireNonNull(keys, "idempotencyKeySource");
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
     * Sets the retry budget of each backend, created on its first call (default: {@link
     * RetryBudget#ofDefaults()} settings, capacity 500, a retry costs 5, a retry after a timeout
     * 10, a first-try success earns 1). When a backend's budget is empty, calls to it stop
     * retrying with {@link dev.resilienthttp.retry.GiveUpReason#BUDGET_EXHAUSTED}: under a total
     * outage the server sees about 1.1 attempts per call instead of 3. Budgets matter only when
     * a retrier allows retries.
     */
    public Builder retryBudgets(Function<String, RetryBudget> perBackend) {
      s.retryBudgets = Objects.requireNonNull(perBackend, "retryBudgets");
      return this;
    }

    /** Turns retry budgets off: every call may use every attempt its retrier allows. */
    public Builder noRetryBudget() {
      s.retryBudgets = null;
      return this;
    }

    /**
     * Turns circuit breakers on (default off): one per backend, created on its first call. While
     * a backend's breaker is open, calls to it fail at once with a {@link
     * dev.resilienthttp.breaker.CallNotPermittedException} and retries stop with {@link
     * dev.resilienthttp.retry.GiveUpReason#CIRCUIT_OPEN}.
     */
    public Builder circuitBreakers(Function<String, CircuitBreaker> perBackend) {
      s.circuitBreakers = Objects.requireNonNull(perBackend, "circuitBreakers");
      return this;
    }

    /**
     * Sets which failed attempts count against a backend's breaker (default: 5xx responses,
     * timeouts, resets and refused connections; never a 4xx). Other outcomes count as
     * successes.
     */
    public Builder breakerFailure(Predicate<Throwable> isFailure) {
      s.breakerFailure = Objects.requireNonNull(isFailure, "breakerFailure");
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
      s.gateOnRetryAfter = gate;
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
     * @throws IllegalArgumentException if {@code spread} is not in [0, 292 years]
     */
    public Builder gateReleaseSpread(Duration spread) {
      Settings.nonNegativeNanos("gateReleaseSpread", spread);
      s.gateReleaseSpread = spread;
      return this;
    }

    /**
     * Sets the source of uniform random draws in {@code [0, 1)} that spread the release of a
     * Retry-After gate (default {@link ThreadLocalRandom}); it must be thread-safe. Tests inject
     * a fixed sequence. The retrier's own jitter has its own source.
     */
    public Builder random(DoubleSupplier random) {
      s.random = Objects.requireNonNull(random, "random");
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
      Settings.positiveNanos("idleTimeout", idleTimeout);
      s.maxBackends = maxBackends;
      s.backendIdleTimeout = idleTimeout;
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
      for (Route added : s.routes) {
        if (added.method().equals(route.method()) && added.pattern().equals(route.pattern())) {
          throw new IllegalArgumentException(
              "route must not repeat an earlier route's method and pattern but " + route
                  + " repeats " + added + " (the first match wins, so it would never apply)");
        }
      }
      s.routes.add(route);
      s.routeRetriers.add(retrier);
      return this;
    }

    /**
     * Attaches a bearer token from {@code source} to the requests sent to {@code hosts} (and
     * to no other host: a token must never reach a third party) that have no Authorization
     * header of their own, and handles 401 and 403 answers as the class description says.
     *
     * @throws IllegalArgumentException if no host is given, or one is blank
     */
    public Builder bearerTokens(TokenSource source, String... hosts) {
      Objects.requireNonNull(hosts, "hosts");
      if (hosts.length == 0) {
        throw new IllegalArgumentException(
            "hosts must name at least one host but was empty (a token goes only where you say)");
      }
      Set<String> names = new LinkedHashSet<>();
      for (String host : hosts) {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
          throw new IllegalArgumentException("hosts must not hold a blank host but was " + Arrays.toString(hosts));
        }
        names.add(host.toLowerCase(Locale.ROOT));
      }
      Set<String> allowed = Set.copyOf(names);
      return bearerTokens(source, request -> {
        String host = request.uri().getHost();
        return host != null && allowed.contains(host.toLowerCase(Locale.ROOT));
      });
    }

    /**
     * As {@link #bearerTokens(TokenSource, String...)}, for the requests {@code appliesTo}
     * accepts (for example those matching a {@link Route}: {@code request ->
     * route.matches(request.method(), request.uri())}).
     */
    public Builder bearerTokens(TokenSource source, Predicate<? super HttpRequest> appliesTo) {
      s.tokenSource = Objects.requireNonNull(source, "tokenSource");
      s.tokensApplyTo = Objects.requireNonNull(appliesTo, "appliesTo");
      return this;
    }

    /**
     * Bounds each fetch of a bearer token, shared by the calls waiting for it (default 30 s):
     * a token endpoint that never answers fails the fetch, and the next call starts a new one.
     *
     * @throws IllegalArgumentException if {@code timeout} is not in (0, 292 years]
     */
    public Builder tokenFetchTimeout(Duration timeout) {
      s.tokenFetchTimeout = Settings.positiveNanos("tokenFetchTimeout", timeout);
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
      s.tokenRefreshSkew = skew;
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
      s.authRetries = retries;
      s.authInitialBackoff = initialBackoff;
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
      s.authCircuitBreakers = Objects.requireNonNull(perBackend, "authCircuitBreakers");
      return this;
    }

    /** Sets the listener of token fetches, rejections and auth breaker transitions (default: none). */
    public Builder authListener(AuthListener listener) {
      s.authListener = Objects.requireNonNull(listener, "authListener");
      return this;
    }

    /**
     * Names the backend of each request (default {@code scheme://host:port}): requests with the
     * same name share one retry budget, circuit breaker, Retry-After gate and auth breaker. For
     * example {@code uri -> "api"} makes every host one backend. The function must be fast and
     * never return null or a blank name.
     */
    public Builder backendKey(Function<? super java.net.URI, String> backendKey) {
      s.backendKeys = Objects.requireNonNull(backendKey, "backendKey");
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

    /** Returns a new client with these settings. */
    public ResilientHttpClient build() {
      return new ResilientHttpClient(s.copy());
    }
  }
}
