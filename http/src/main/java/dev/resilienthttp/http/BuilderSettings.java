package dev.resilienthttp.http;

import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.budget.RetryBudget;
import dev.resilienthttp.http.auth.AuthListener;
import dev.resilienthttp.http.auth.TokenSource;
import dev.resilienthttp.http.internal.call.Settings;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.retry.RetryScope;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The settings of a {@link ResilientHttpClient.Builder} that say what is retried, protect a
 * backend (retry budgets, circuit breakers, the Retry-After gate, per-backend state), route
 * calls, and handle bearer tokens: the builder's other half, kept apart so each file stays
 * readable. Not thread-safe.
 */
abstract class BuilderSettings {

  final Settings s = new Settings();

  abstract ResilientHttpClient.Builder self();

    /**
     * Sets the statuses retried for idempotent requests (default 500, 502, 503, 504).
     *
     * @throws IllegalArgumentException if a status is outside [500, 599]
     */
    public ResilientHttpClient.Builder retryStatuses(int... statuses) {
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
      return self();
    }

    /** Sets whether 429 Too Many Requests is retried, for every method (default true). */
    public ResilientHttpClient.Builder retryRateLimited(boolean retryRateLimited) {
      s.retryRateLimited = retryRateLimited;
      return self();
    }

    /**
     * Sets whether a refused connection is retried (default false: a refusing server is usually
     * down, and retrying only delays the failure).
     */
    public ResilientHttpClient.Builder retryConnectionRefused(boolean retryConnectionRefused) {
      s.retryConnectionRefused = retryConnectionRefused;
      return self();
    }

    /**
     * Sets the methods treated as idempotent (default GET, HEAD, OPTIONS, TRACE, PUT, DELETE).
     *
     * @throws IllegalArgumentException if a method is blank or not upper case
     */
    public ResilientHttpClient.Builder idempotentMethods(String... methods) {
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
      return self();
    }

    /**
     * Sets whether a request of a non-idempotent method without an {@code Idempotency-Key} gets
     * one (a random UUID, the same on every attempt of the call), which makes it retryable
     * (default false). A key the caller set is never replaced.
     */
    public ResilientHttpClient.Builder generateIdempotencyKeys(boolean generate) {
      s.generateIdempotencyKeys = generate;
      return self();
    }

    /** Sets where generated idempotency keys come from (default random UUIDs). */
    public ResilientHttpClient.Builder idempotencyKeySource(Supplier<String> keys) {
      s.idempotencyKeys = Objects.requireNonNull(keys, "idempotencyKeySource");
      return self();
    }

    /**
     * Sets the retry budget of each backend, created on its first call (default: {@link
     * RetryBudget#ofDefaults()} settings, capacity 500, a retry costs 5, a retry after a timeout
     * 10, a first-try success earns 1). When a backend's budget is empty, calls to it stop
     * retrying with {@link dev.resilienthttp.retry.GiveUpReason#BUDGET_EXHAUSTED}: under a total
     * outage the server sees about 1.1 attempts per call instead of 3. Budgets matter only when
     * a retrier allows retries.
     */
    public ResilientHttpClient.Builder retryBudgets(Function<String, RetryBudget> perBackend) {
      s.retryBudgets = Objects.requireNonNull(perBackend, "retryBudgets");
      return self();
    }

    /** Turns retry budgets off: every call may use every attempt its retrier allows. */
    public ResilientHttpClient.Builder noRetryBudget() {
      s.retryBudgets = null;
      return self();
    }

    /**
     * Turns circuit breakers on (default off): one per backend, created on its first call. While
     * a backend's breaker is open, calls to it fail at once with a {@link
     * dev.resilienthttp.breaker.CallNotPermittedException} and retries stop with {@link
     * dev.resilienthttp.retry.GiveUpReason#CIRCUIT_OPEN}.
     */
    public ResilientHttpClient.Builder circuitBreakers(Function<String, CircuitBreaker> perBackend) {
      s.circuitBreakers = Objects.requireNonNull(perBackend, "circuitBreakers");
      return self();
    }

    /**
     * Sets which failed attempts count against a backend's breaker (default: 5xx responses,
     * timeouts, resets and refused connections; never a 4xx). Other outcomes count as
     * successes.
     */
    public ResilientHttpClient.Builder breakerFailure(Predicate<Throwable> isFailure) {
      s.breakerFailure = Objects.requireNonNull(isFailure, "breakerFailure");
      return self();
    }

    /**
     * Sets whether a 429 or 503 with Retry-After holds back every new call to that backend until
     * the time it names, never for longer than the Retry-After cap (default true). It applies
     * where a retrier is configured (the client's, a route's or a scope's): a new call waits for
     * the gate within its deadline, or fails at once with a {@link CallTimeoutException} when the
     * wait would pass its deadline, instead of hammering the server one by one.
     */
    public ResilientHttpClient.Builder gateOnRetryAfter(boolean gate) {
      s.gateOnRetryAfter = gate;
      return self();
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
    public ResilientHttpClient.Builder gateReleaseSpread(Duration spread) {
      Settings.nonNegativeNanos("gateReleaseSpread", spread);
      s.gateReleaseSpread = spread;
      return self();
    }

    /**
     * Sets the source of uniform random draws in {@code [0, 1)} that spread the release of a
     * Retry-After gate (default {@link java.util.concurrent.ThreadLocalRandom}); it must be thread-safe. Tests inject
     * a fixed sequence. The retrier's own jitter has its own source.
     */
    public ResilientHttpClient.Builder random(DoubleSupplier random) {
      s.random = Objects.requireNonNull(random, "random");
      return self();
    }

    /**
     * Bounds the per-backend state kept: at most {@code maxBackends} backends, and a backend
     * not called for {@code idleTimeout} is forgotten (defaults 1,000 and 10 minutes).
     *
     * @throws IllegalArgumentException if {@code maxBackends < 1} or {@code idleTimeout} is not
     *     positive
     */
    public ResilientHttpClient.Builder backendLimits(int maxBackends, Duration idleTimeout) {
      if (maxBackends < 1) {
        throw new IllegalArgumentException("maxBackends must be >= 1 but was " + maxBackends);
      }
      Settings.positiveNanos("idleTimeout", idleTimeout);
      s.maxBackends = maxBackends;
      s.backendIdleTimeout = idleTimeout;
      return self();
    }

    /**
     * Gives the requests on {@code route} their own retrier; routes are tried in the order added
     * and the first that matches wins. Which retrier applies to a call, most specific first: an
     * open {@link RetryScope}, the route's, the client's ({@link ResilientHttpClient.Builder#retrier}), {@link
     * Retrier#none()}. A route {@linkplain Route#idempotent() marked idempotent} makes its
     * requests safe to repeat whichever retrier applies.
     *
     * @throws IllegalArgumentException if a route of the same method and pattern was added
     *     already (it would never match)
     */
    public ResilientHttpClient.Builder route(Route route, Retrier retrier) {
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
      return self();
    }

    /**
     * Attaches a bearer token from {@code source} to the requests sent to {@code hosts} (and
     * to no other host: a token must never reach a third party) that have no Authorization
     * header of their own, and handles 401 and 403 answers as the class description says.
     *
     * @throws IllegalArgumentException if no host is given, or one is blank
     */
    public ResilientHttpClient.Builder bearerTokens(TokenSource source, String... hosts) {
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
    public ResilientHttpClient.Builder bearerTokens(TokenSource source, Predicate<? super HttpRequest> appliesTo) {
      s.tokenSource = Objects.requireNonNull(source, "tokenSource");
      s.tokensApplyTo = Objects.requireNonNull(appliesTo, "appliesTo");
      return self();
    }

    /**
     * Bounds each fetch of a bearer token, shared by the calls waiting for it (default 30 s):
     * a token endpoint that never answers fails the fetch, and the next call starts a new one.
     *
     * @throws IllegalArgumentException if {@code timeout} is not in (0, 292 years]
     */
    public ResilientHttpClient.Builder tokenFetchTimeout(Duration timeout) {
      s.tokenFetchTimeout = Settings.positiveNanos("tokenFetchTimeout", timeout);
      return self();
    }

    /**
     * Sets how long before its expiry a token is replaced (default 30 s). A token living less
     * than twice this is replaced halfway through its life.
     *
     * @throws IllegalArgumentException if {@code skew} is not in [0, 1 day]
     */
    public ResilientHttpClient.Builder tokenRefreshSkew(Duration skew) {
      Objects.requireNonNull(skew, "tokenRefreshSkew");
      if (skew.isNegative() || skew.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException("tokenRefreshSkew must be in [PT0S, PT24H] but was " + skew);
      }
      s.tokenRefreshSkew = skew;
      return self();
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
    public ResilientHttpClient.Builder authFailureRetries(int retries, Duration initialBackoff) {
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
      return self();
    }

    /**
     * Sets the auth circuit breaker of each backend, created on its first call (default: opens
     * after 5 exhausted auth-failure retry sequences in a row, stays open 30 s, lets 1 probe
     * sequence through, on this client's time source, reporting to the {@link #authListener}).
     * While it is open, a refused call gets no auth-failure retries and its error names the
     * backend and when the next probe goes. A breaker given here reports to its own listener.
     */
    public ResilientHttpClient.Builder authCircuitBreakers(Function<String, CircuitBreaker> perBackend) {
      s.authCircuitBreakers = Objects.requireNonNull(perBackend, "authCircuitBreakers");
      return self();
    }

    /** Sets the listener of token fetches, rejections and auth breaker transitions (default: none). */
    public ResilientHttpClient.Builder authListener(AuthListener listener) {
      s.authListener = Objects.requireNonNull(listener, "authListener");
      return self();
    }

    /**
     * Names the backend of each request (default {@code scheme://host:port}): requests with the
     * same name share one retry budget, circuit breaker, Retry-After gate and auth breaker. For
     * example {@code uri -> "api"} makes every host one backend. The function must be fast and
     * never return null or a blank name.
     */
    public ResilientHttpClient.Builder backendKey(Function<? super java.net.URI, String> backendKey) {
      s.backendKeys = Objects.requireNonNull(backendKey, "backendKey");
      return self();
    }

}
