package dev.resilienthttp.http.internal.call;

import dev.resilienthttp.backend.BackendRegistry;
import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.breaker.CircuitBreakerListener;
import dev.resilienthttp.budget.RetryBudget;
import dev.resilienthttp.http.HttpStatusException;
import dev.resilienthttp.http.Route;
import dev.resilienthttp.http.internal.auth.BearerTokens;
import dev.resilienthttp.http.internal.auth.TokenClient;
import dev.resilienthttp.http.internal.backend.Backend;
import dev.resilienthttp.http.internal.backend.BackendKeys;
import dev.resilienthttp.http.internal.jdk.RequestBodies;
import dev.resilienthttp.http.internal.rules.BodyKind;
import dev.resilienthttp.http.internal.rules.HttpRules;
import dev.resilienthttp.http.internal.rules.Redaction;
import dev.resilienthttp.http.internal.rules.RequestTraits;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.retry.Retry;
import dev.resilienthttp.retry.RetryScope;
import dev.resilienthttp.time.TimeSource;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.PushPromiseHandler;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A client's shared machinery: its settings, HTTP rules, routes, per-backend state, bearer
 * tokens and engine; it starts each {@link Call}. One per client; thread-safe.
 */
public final class Pipeline {

  private static final System.Logger LOG = System.getLogger("dev.resilienthttp.http");

  final Settings settings;
  final HttpClient delegate;
  final TimeSource time;
  final HttpRules rules;
  final Retry engine;
  private final Route[] routes;
  private final Retrier[] routeRetriers;
  private final BackendKeys defaultKeys = new BackendKeys();
  private final BackendRegistry<String, Backend> backends;
  /** {@code null} without bearer tokens. */
  final BearerTokens tokens;
  /** Calls waiting at a gate or between attempts: what {@code shutdownNow} stops. */
  private final Set<Call<?>> waiting = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  public Pipeline(Settings settings, HttpClient owner) {
    this.settings = settings;
    this.delegate = settings.delegate;
    this.time = settings.time;
    this.rules = HttpRules.builder()
        .retryStatuses(settings.retryStatuses)
        .retryRateLimited(settings.retryRateLimited)
        .retryConnectionRefused(settings.retryConnectionRefused)
        .idempotentMethods(settings.idempotentMethods)
        .generateIdempotencyKeys(settings.generateIdempotencyKeys)
        .build();
    this.routes = settings.routes.toArray(new Route[0]);
    this.routeRetriers = settings.routeRetriers.toArray(new Retrier[0]);
    this.tokens = settings.tokenSource == null ? null
        : new BearerTokens(settings.tokenSource, settings.tokensApplyTo, settings.tokenRefreshSkew,
            settings.tokenFetchTimeout, time, settings.authListener);
    Function<String, RetryBudget> budgets = settings.retryBudgets;
    Function<String, CircuitBreaker> breakers = settings.circuitBreakers;
    Function<String, CircuitBreaker> authBreakers = tokens == null ? null
        : settings.authCircuitBreakers != null ? settings.authCircuitBreakers : this::defaultAuthBreaker;
    int authRetries = settings.authRetries;
    this.backends = BackendRegistry.<String, Backend>builder(
            key -> new Backend(
                key,
                budgets == null ? null : budgets.apply(key),
                breakers == null ? null : breakers.apply(key),
                authBreakers == null ? null : authBreakers.apply(key),
                authRetries))
        .timeSource(time)
        .maxSize(settings.maxBackends)
        .idleTimeout(settings.backendIdleTimeout)
        .build();
    Retry.Builder engine = Retry.builder().name("resilient-http").timeSource(time).useScope(false);
    settings.listeners.forEach(engine::listener);
    this.engine = engine.build();
    if (tokens != null) {
      tokens.bind(new TokenClient(owner));
    }
    if (Boolean.getBoolean("jdk.httpclient.enableAllMethodRetry")) {
      LOG.log(Level.WARNING,
          "jdk.httpclient.enableAllMethodRetry is set: java.net.http may resend a non-idempotent"
              + " request once on its own, which this client cannot prevent");
    }
  }

  /* Opens after 5 exhausted sequences in a row, stays open 30 s, lets one probe sequence through. */
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

  /** The client's bearer tokens, or {@code null} without. */
  public BearerTokens tokens() {
    return tokens;
  }

  /** The backend a request to {@code uri} belongs to. */
  public String backendOf(URI uri) {
    if (settings.backendKeys == null) {
      return defaultKeys.keyOf(uri);
    }
    String key = settings.backendKeys.apply(uri);
    if (key == null || key.isBlank()) {
      throw new IllegalStateException("backendKey returned " + (key == null ? "null" : "a blank key")
          + " for " + Redaction.uri(uri) + "; it must name a backend");
    }
    return key;
  }

  /** The state of {@code uri}'s backend, if it was called recently. */
  public Optional<Backend> backendIfPresent(URI uri) {
    return backends.getIfPresent(backendOf(uri));
  }

  /**
   * A new call of {@code request}, or {@code null} when nothing applies to it and it goes
   * straight to the delegate: no retrier, no bearer token, no breaker, no deadline, no attempt
   * timeout, no listener, no THROW mode. That is the drop-in promise: nothing changes until something is configured.
   */
  <T> Call<T> newCall(
      HttpRequest marked, HttpResponse.BodyHandler<T> handler, HttpResponse.PushPromiseHandler<T> push) {
    MarkedRequest.Marks marks = MarkedRequest.marksOf(marked);
    HttpRequest request = MarkedRequest.unmarked(marked);
    int route = -1;
    for (int i = 0; i < routes.length; i++) {
      if (routes[i].matches(request.method(), request.uri())) {
        route = i;
        break;
      }
    }
    Retrier retrier = route >= 0 ? routeRetriers[route] : settings.retrier;
    if (!marks.tokenFetch()) {
      // A token fetch runs under the token route's retrier, never the scope of whichever
      // caller happened to start it.
      Optional<Retrier> scoped = RetryScope.current();
      if (scoped.isPresent()) {
        retrier = scoped.get();
      }
    }
    Duration deadline = marks.callTimeout() != null ? marks.callTimeout() : settings.callTimeout;
    boolean withTokens = tokens != null && tokens.appliesTo(marks, request);
    if (retrier == Retrier.none() && !withTokens && settings.circuitBreakers == null && deadline == null
        && settings.attemptTimeout == null && settings.listeners.isEmpty() && !settings.throwMode) {
      return null;
    }
    Backend backend = backends.get(backendOf(request.uri()));
    Optional<BodyPublisher> publisher = request.bodyPublisher();
    BodyKind kind;
    RequestBodies.Tracked body = null;
    if (marks.oneShot()) {
      kind = BodyKind.ONE_SHOT;
    } else if (publisher.isEmpty()) {
      kind = BodyKind.NONE;
    } else if (marks.replayable() || RequestBodies.knownReplayable(publisher.get())) {
      kind = BodyKind.REPLAYABLE;
    } else if (settings.replayBufferBytes > 0) {
      kind = BodyKind.BUFFERED_REPLAYABLE;
    } else {
      kind = BodyKind.ONE_SHOT;
    }
    if (publisher.isPresent() && (kind == BodyKind.ONE_SHOT || kind == BodyKind.BUFFERED_REPLAYABLE)) {
      body = kind == BodyKind.ONE_SHOT
          ? new RequestBodies.OneShot(publisher.get())
          : new RequestBodies.Buffering(publisher.get(), settings.replayBufferBytes);
    }
    boolean routeIdempotent = route >= 0 && routes[route].isIdempotent();
    RequestTraits traits = RequestTraits.of(request.method(), request.headers()::allValues, kind,
        marks.idempotent(), routeIdempotent, rules, settings.idempotencyKeys);
    HttpRequest template = request;
    if (traits.generatedKey() || body != null) {
      HttpRequest.Builder builder = HttpRequest.newBuilder(request, (name, value) -> true);
      if (traits.generatedKey()) {
        builder.header("Idempotency-Key", traits.idempotencyKey().orElseThrow());
      }
      if (body != null) {
        builder.method(request.method(), body);
      }
      template = builder.build();
    }
    return new Call<>(this, request, handler, push, traits, body, template, backend, retrier, deadline,
        withTokens && backend.authBreaker != null ? tokens : null);
  }

  /** {@code HttpClient.send}: see {@link Paths#send}. */
  public <T> HttpResponse<T> send(HttpRequest request, BodyHandler<T> handler)
      throws IOException, InterruptedException {
    return Paths.send(this, request, handler);
  }

  /** {@code HttpClient.sendAsync}: see {@link Paths#sendAsync}. */
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, BodyHandler<T> handler, PushPromiseHandler<T> push) {
    return Paths.sendAsync(this, request, handler, push);
  }

  /** Whether {@code failure} counts against a backend's breaker. */
  boolean isBreakerFailure(Throwable failure) {
    if (settings.breakerFailure != null) {
      return settings.breakerFailure.test(failure);
    }
    return failure instanceof HttpStatusException
        ? rules.isBackendFailure(((HttpStatusException) failure).statusCode())
        : rules.isBackendFailure(failure);
  }

  /*
   * Every call a gate held would otherwise wake in the same instant and reach a server that has
   * just asked for a pause all at once (the simulator's 429 storm showed 190 attempts within
   * 10 ms of the gate opening). Each held call adds a uniform random extra of up to the spread,
   * or up to its own wait when that is shorter, so a short gate is not stretched many times over.
   */
  long releaseSpread(long waitNanos) {
    long spread = Math.min(settings.gateReleaseSpread.toNanos(), waitNanos);
    if (spread <= 0) {
      return 0;
    }
    double draw = settings.random.getAsDouble();
    if (!(draw >= 0 && draw < 1)) {
      throw new IllegalStateException("random must return a draw in [0, 1) but returned " + draw);
    }
    return (long) (draw * spread);
  }

  /** {@code call} is waiting (at a gate or between attempts): {@code shutdownNow} stops it. */
  void waiting(Call<?> call) {
    waiting.add(call);
    if (closed) {
      abort(call);
    }
  }

  void done(Call<?> call) {
    waiting.remove(call);
  }

  public boolean isClosed() {
    return closed;
  }

  /** No new call is accepted, and no attempt starts from now on. */
  public void close() {
    closed = true;
  }

  /** As {@link #close()}, and every call waiting fails at once. */
  public void closeNow() {
    closed = true;
    for (Call<?> call : waiting) {
      abort(call);
    }
  }

  private static void abort(Call<?> call) {
    CompletableFuture<?> future = call.callerFuture;
    if (future != null) {
      future.completeExceptionally(Failures.closed(call.backend.key));
    }
    Thread thread = call.syncThread;
    if (thread != null) {
      thread.interrupt();
    }
  }
}
