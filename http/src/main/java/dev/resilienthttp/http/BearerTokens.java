package dev.resilienthttp.http;

import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.flight.SingleFlight;
import dev.resilienthttp.time.TimeSource;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * A client's bearer token: the cached one, the single fetch of a new one that concurrent
 * callers share, and the listener told about both. One per client; thread-safe.
 *
 * <p>The fast path (a fresh token is cached) is one volatile read and one clock read, no lock and
 * no allocation.
 */
final class BearerTokens {

  private static final System.Logger LOG = System.getLogger("dev.resilienthttp.http");
  private static final String FLIGHT = "bearer token";
  private static final VarHandle CURRENT;

  static {
    try {
      CURRENT = MethodHandles.lookup().findVarHandle(BearerTokens.class, "current", Cached.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final TokenSource source;
  private final Predicate<? super HttpRequest> appliesTo;
  private final long skewNanos;
  private final TimeSource time;
  private final AuthListener listener;
  private final SingleFlight<String, Cached> refreshes;
  /** The client a token source sends through: the owning client, marking its requests. */
  private volatile HttpClient tokenClient;
  /** The token in use; {@code null} before the first fetch and after a 401 dropped it. */
  private volatile Cached current;

  BearerTokens(
      TokenSource source, Predicate<? super HttpRequest> appliesTo, Duration skew, TimeSource time,
      AuthListener listener) {
    this.source = source;
    this.appliesTo = appliesTo;
    this.skewNanos = skew.toNanos();
    this.time = time;
    this.listener = listener;
    this.refreshes = SingleFlight.create(time);
  }

  void bind(HttpClient tokenClient) {
    this.tokenClient = tokenClient;
  }

  /** Whether a bearer token goes on {@code request} (the caller's unmarked request). */
  boolean appliesTo(HttpRequest marked, HttpRequest request) {
    return !ResilientRequests.isTokenFetch(marked)
        && request.headers().firstValue("Authorization").isEmpty()
        && appliesTo.test(request);
  }

  /** The cached token if it is not due for a refresh at {@code nowNanos}, else {@code null}. */
  Cached fresh(long nowNanos) {
    Cached cached = current;
    if (cached != null && (!cached.expires || nowNanos - cached.refreshAtNanos < 0)) {
      return cached;
    }
    return null;
  }

  /**
   * Joins the fetch of a new token, starting it if none is in flight; this caller gives up when
   * {@code timeout} passes first ({@code null}: no timeout).
   */
  CompletableFuture<Cached> refresh(Duration timeout) {
    return timeout == null
        ? refreshes.join(FLIGHT, key -> fetchIfStale())
        : refreshes.join(FLIGHT, timeout, key -> fetchIfStale());
  }

  /* A caller that found the token stale may reach the flight just after another fetch landed
   * and filled the cache: starting a new flight then would fetch a second token for one expiry
   * (seen once in 60 storms of 1,000 callers, BENCHMARKS.md B6). So a flight looks at the cache
   * again before it fetches. */
  private CompletionStage<Cached> fetchIfStale() {
    Cached cached = fresh(time.nanoTime());
    return cached != null ? CompletableFuture.completedFuture(cached) : fetch();
  }

  /**
   * Drops {@code rejected}, which a server answered with a 401, unless another caller already
   * replaced it: callers holding the same rejected token share one refresh, and one holding an
   * older token than the current one does not throw the newer away.
   */
  void reject(Cached rejected, String backend) {
    if (CURRENT.compareAndSet(this, rejected, (Cached) null)) {
      LOG.log(Level.DEBUG, "{0} answered 401; the bearer token is dropped", backend);
    }
    try {
      listener.onTokenRejected(backend);
    } catch (RuntimeException | LinkageError e) {
      listenerFailed("onTokenRejected", e);
    }
  }

  private CompletionStage<Cached> fetch() {
    CompletionStage<AccessToken> fetched;
    try {
      fetched = source.fetchToken(tokenClient);
      if (fetched == null) {
        throw new NullPointerException("TokenSource.fetchToken returned null instead of a stage");
      }
    } catch (RuntimeException | Error e) {
      fetched = CompletableFuture.failedFuture(e);
    }
    // The cache is filled before the flight lands, so a caller arriving meanwhile finds it.
    return fetched.handle(
        (token, failure) -> {
          if (failure != null || token == null) {
            Throwable why = failure != null
                ? unwrap(failure)
                : new NullPointerException("TokenSource.fetchToken completed with null");
            LOG.log(Level.DEBUG, () -> "could not fetch a bearer token: " + Redaction.text(String.valueOf(why.getMessage())));
            try {
              listener.onTokenRefreshFailed(why);
            } catch (RuntimeException | LinkageError e) {
              listenerFailed("onTokenRefreshFailed", e);
            }
            throw new java.util.concurrent.CompletionException(why);
          }
          Cached cached = new Cached(token, time.nanoTime(), skewNanos);
          current = cached;
          LOG.log(Level.DEBUG, () -> "fetched a bearer token, lifetime " + token.lifetime().map(Duration::toString).orElse("unlimited"));
          try {
            listener.onTokenRefreshed(token.lifetime());
          } catch (RuntimeException | LinkageError e) {
            listenerFailed("onTokenRefreshed", e);
          }
          return cached;
        });
  }

  /** Reports an auth breaker's transitions to the listener. */
  void breakerTransition(String backend, CircuitBreaker.State from, CircuitBreaker.State to) {
    try {
      listener.onAuthBreakerTransition(backend, from, to);
    } catch (RuntimeException | LinkageError e) {
      listenerFailed("onAuthBreakerTransition", e);
    }
  }

  private void listenerFailed(String method, Throwable e) {
    LOG.log(Level.WARNING, () -> "auth listener " + listener.getClass().getName() + "." + method
        + " threw " + e.getClass().getName() + "; the call goes on", e);
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable current = failure;
    while (current instanceof java.util.concurrent.CompletionException && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }

  @Override
  public String toString() {
    Cached cached = current;
    return "BearerTokens{" + (cached == null ? "no token" : cached) + '}';
  }

  /** A token as cached: its header value and when to refresh it. */
  static final class Cached {
    final String header;
    final boolean expires;
    final long refreshAtNanos;
    private final Optional<Duration> lifetime;

    /* Refreshed skew before it expires, or halfway through its life if that is shorter than
     * twice the skew: a token living 40 s with a 30 s skew is refreshed after 20 s, not after
     * 10 s and not on every call. */
    Cached(AccessToken token, long receivedNanos, long skewNanos) {
      this.header = "Bearer " + token.value();
      this.lifetime = token.lifetime();
      this.expires = lifetime.isPresent();
      long life = expires ? lifetime.get().toNanos() : 0;
      this.refreshAtNanos = receivedNanos + life - Math.min(skewNanos, life / 2);
    }

    @Override
    public String toString() {
      return "Bearer " + Redaction.MASK + " (lifetime " + lifetime.map(Duration::toString).orElse("unlimited") + ")";
    }
  }
}
