package dev.resilienthttp.http.internal.call;

import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.budget.RetryBudget;
import dev.resilienthttp.http.Route;
import dev.resilienthttp.http.auth.AuthListener;
import dev.resilienthttp.http.auth.TokenSource;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.retry.RetryListener;
import dev.resilienthttp.time.TimeSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Everything a client's builder collects, and the checks its setters share. The builder fills
 * one instance and hands a {@link #copy()} to each client it builds, which never changes it:
 * a built client's settings are effectively immutable.
 */
public final class Settings {

  /** The longest duration any setting may hold: what a {@code long} of nanoseconds can count. */
  public static final Duration MAX_DURATION = Duration.ofNanos(Long.MAX_VALUE);

  public HttpClient delegate;
  public Retrier retrier = Retrier.none();
  public TimeSource time = TimeSource.system();
  public Clock wallClock = Clock.systemUTC();
  public boolean throwMode;
  public int[] retryStatuses = {500, 502, 503, 504};
  public boolean retryRateLimited = true;
  public boolean retryConnectionRefused;
  public String[] idempotentMethods = {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"};
  public boolean generateIdempotencyKeys;
  public Supplier<String> idempotencyKeys = () -> UUID.randomUUID().toString();
  public Duration retryAfterCap = Duration.ofSeconds(60);
  /** {@code null}: no bound on a call. */
  public Duration callTimeout;
  /** {@code null}: an attempt is bounded only by its request's own timeout. */
  public Duration attemptTimeout;
  /** 0: request bodies are not buffered for replay. */
  public long replayBufferBytes;
  public List<RetryListener> listeners = new ArrayList<>();
  /** {@code null}: no retry budgets. */
  public Function<String, RetryBudget> retryBudgets = backend -> RetryBudget.builder().name(backend).build();
  /** {@code null}: no circuit breakers. */
  public Function<String, CircuitBreaker> circuitBreakers;
  /** {@code null}: the default, the HTTP rules' (5xx, timeouts, resets, refusals; never a 4xx). */
  public Predicate<Throwable> breakerFailure;
  public boolean gateOnRetryAfter = true;
  public Duration gateReleaseSpread = Duration.ofSeconds(1);
  public DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
  public int maxBackends = 1_000;
  public Duration backendIdleTimeout = Duration.ofMinutes(10);
  public List<Route> routes = new ArrayList<>();
  public List<Retrier> routeRetriers = new ArrayList<>();
  /** {@code null}: {@code scheme://host:port}. */
  public Function<? super URI, String> backendKeys;
  /** {@code null}: no bearer tokens. */
  public TokenSource tokenSource;
  public Predicate<? super HttpRequest> tokensApplyTo;
  public String tokensDescription;
  public Duration tokenRefreshSkew = Duration.ofSeconds(30);
  public Duration tokenFetchTimeout = Duration.ofSeconds(30);
  public int authRetries = 3;
  public Duration authInitialBackoff = Duration.ofMillis(100);
  /** {@code null}: the default auth breaker. */
  public Function<String, CircuitBreaker> authCircuitBreakers;
  public AuthListener authListener = new AuthListener() {};

  /** A copy for one client: lists are copied, so the builder can go on changing its own. */
  public Settings copy() {
    Settings copy = new Settings();
    copy.delegate = delegate;
    copy.retrier = retrier;
    copy.time = time;
    copy.wallClock = wallClock;
    copy.throwMode = throwMode;
    copy.retryStatuses = retryStatuses.clone();
    copy.retryRateLimited = retryRateLimited;
    copy.retryConnectionRefused = retryConnectionRefused;
    copy.idempotentMethods = idempotentMethods.clone();
    copy.generateIdempotencyKeys = generateIdempotencyKeys;
    copy.idempotencyKeys = idempotencyKeys;
    copy.retryAfterCap = retryAfterCap;
    copy.callTimeout = callTimeout;
    copy.attemptTimeout = attemptTimeout;
    copy.replayBufferBytes = replayBufferBytes;
    copy.listeners = List.copyOf(listeners);
    copy.retryBudgets = retryBudgets;
    copy.circuitBreakers = circuitBreakers;
    copy.breakerFailure = breakerFailure;
    copy.gateOnRetryAfter = gateOnRetryAfter;
    copy.gateReleaseSpread = gateReleaseSpread;
    copy.random = random;
    copy.maxBackends = maxBackends;
    copy.backendIdleTimeout = backendIdleTimeout;
    copy.routes = List.copyOf(routes);
    copy.routeRetriers = List.copyOf(routeRetriers);
    copy.backendKeys = backendKeys;
    copy.tokenSource = tokenSource;
    copy.tokensApplyTo = tokensApplyTo;
    copy.tokensDescription = tokensDescription;
    copy.tokenRefreshSkew = tokenRefreshSkew;
    copy.tokenFetchTimeout = tokenFetchTimeout;
    copy.authRetries = authRetries;
    copy.authInitialBackoff = authInitialBackoff;
    copy.authCircuitBreakers = authCircuitBreakers;
    copy.authListener = authListener;
    return copy;
  }

  /**
   * Checks that {@code value} is in (0, {@link #MAX_DURATION}].
   *
   * @throws IllegalArgumentException naming {@code setting}, the value and the range
   */
  public static Duration positiveNanos(String setting, Duration value) {
    Objects.requireNonNull(value, setting);
    if (value.isZero() || value.isNegative() || value.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException(
          setting + " must be in (PT0S, " + MAX_DURATION + "] but was " + value);
    }
    return value;
  }

  /**
   * Checks that {@code value} is in [0, {@link #MAX_DURATION}].
   *
   * @throws IllegalArgumentException naming {@code setting}, the value and the range
   */
  public static Duration nonNegativeNanos(String setting, Duration value) {
    Objects.requireNonNull(value, setting);
    if (value.isNegative() || value.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException(
          setting + " must be in [PT0S, " + MAX_DURATION + "] but was " + value);
    }
    return value;
  }
}
