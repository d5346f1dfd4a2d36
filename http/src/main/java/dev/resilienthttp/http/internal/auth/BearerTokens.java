package dev.resilienthttp.http.internal.auth;

import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.http.auth.AccessToken;
import dev.resilienthttp.http.auth.AuthListener;
import dev.resilienthttp.http.auth.TokenSource;
import dev.resilienthttp.http.internal.call.MarkedRequest;
import dev.resilienthttp.http.internal.rules.Redaction;
import dev.resilienthttp.flight.SingleFlight;
import dev.resilienthttp.time.ScheduledTask;
import dev.resilienthttp.time.TimeSource;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
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
 * <p>The fast path (a fresh token is cached) is one volatile read and a null check: no clock
 * read, no lock, no allocation. A token with a lifetime is dropped from the cache at its refresh
 * point by a task on the client's {@link TimeSource}, not by the readers comparing clocks.
 */
public final class BearerTokens {

  /*
   * Why a timer rather than a clock compare on every read (BENCHMARKS.md B6: a valid-token read
   * within 1.2x a volatile read). Comparing the entry's refresh time with the caller's clock
   * reading cost two dependent loads and a compare on every call: 0.64 ns against 0.35 ns for
   * the volatile read alone (1.85x). Instead, caching a token with a lifetime schedules one task
   * at its refresh point that replaces the entry with "no token", by compare-and-set, so only
   * if it is still that same entry: a task outliving its entry (replaced by a newer fetch,
   * dropped after a 401) can never knock out a newer token. The task of an entry that is
   * replaced or dropped is cancelled besides. A token without a lifetime schedules nothing and
   * is used until a server refuses it.
   *
   * The task holds this object and its entry weakly: a client its user dropped must not stay
   * reachable from the timer queue for the token's lifetime (hours, typically), nor its token.
   * What stays queued is the task itself, a few dozen bytes, until it falls due and does nothing.
   *
   * What a late timer costs, and the lines of defence behind it. The timer may run late (the
   * system time source hands due tasks to the common fork-join pool, which a user can starve);
   * until it runs, readers keep using the token past its refresh point. The refresh point is
   * already skew (default 30 s) before the token expires, so a timer late by less than that
   * does no harm. A flight that starts looks at the cache again with a fresh clock reading
   * (fetchIfStale), so no caller already refreshing is handed a token past its refresh point.
   * And a token used past its real expiry is refused with a 401, which drops it, fetches a new
   * one and replays the request once, as for a revoked token.
   */

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
  private final long fetchTimeoutNanos;
  private final SingleFlight<String, Cached> refreshes;
  /** The client a token source sends through: the owning client, marking its requests. */
  private volatile HttpClient tokenClient;
  /** The token in use; {@code null} before the first fetch and after a 401 dropped it. */
  private volatile Cached current;

  public BearerTokens(
      TokenSource source, Predicate<? super HttpRequest> appliesTo, Duration skew, Duration fetchTimeout,
      TimeSource time, AuthListener listener) {
    this.source = source;
    this.appliesTo = appliesTo;
    this.skewNanos = skew.toNanos();
    this.fetchTimeoutNanos = fetchTimeout.toNanos();
    this.time = time;
    this.listener = listener;
    this.refreshes = SingleFlight.create(time);
  }

  public void bind(HttpClient tokenClient) {
    this.tokenClient = tokenClient;
  }

  /** Whether a bearer token goes on {@code request} (the caller's unmarked request). */
  public boolean appliesTo(MarkedRequest.Marks marks, HttpRequest request) {
    return !marks.tokenFetch()
        && request.headers().allValues("Authorization").isEmpty()
        && appliesTo.test(request);
  }

  /**
   * The cached token if it is not due for a refresh, else {@code null}: one volatile read. A
   * token is due from its refresh point on, once its refresh task has run (see above).
   */
  public Cached fresh() {
    return current;
  }

  /**
   * Joins the fetch of a new token, starting it if none is in flight; this caller gives up when
   * {@code timeout} passes first ({@code null}: no timeout).
   */
  public CompletableFuture<Cached> refresh(Duration timeout) {
    return timeout == null
        ? refreshes.join(FLIGHT, key -> fetchIfStale())
        : refreshes.join(FLIGHT, timeout, key -> fetchIfStale());
  }

  /* A caller that found the token stale may reach the flight just after another fetch landed
   * and filled the cache: starting a new flight then would fetch a second token for one expiry
   * (seen once in 60 storms of 1,000 callers, BENCHMARKS.md B6). So a flight looks at the cache
   * again before it fetches, and reads the clock itself rather than trusting the refresh task
   * to have run on time: off the fast path, it costs readers nothing. */
  private CompletionStage<Cached> fetchIfStale() {
    Cached cached = current;
    return cached != null && !cached.isDue(time.nanoTime()) ? CompletableFuture.completedFuture(cached) : fetch();
  }

  /**
   * Drops {@code rejected}, which a server answered with a 401, unless another caller already
   * replaced it: callers holding the same rejected token share one refresh, and one holding an
   * older token than the current one does not throw the newer away.
   */
  public void reject(Cached rejected, String backend) {
    if (CURRENT.compareAndSet(this, rejected, (Cached) null)) {
      rejected.cancelRefresh();
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
    return withinFetchTimeout(fetched).handle(
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
          Cached cached = cache(token);
          LOG.log(Level.DEBUG, () -> "fetched a bearer token, lifetime " + token.lifetime().map(Duration::toString).orElse("unlimited"));
          try {
            listener.onTokenRefreshed(token.lifetime());
          } catch (RuntimeException | LinkageError e) {
            listenerFailed("onTokenRefreshed", e);
          }
          return cached;
        });
  }

  /*
   * A token endpoint that accepts the connection and never answers would hold the flight, and
   * every authenticated call waiting on it, for ever. The flight itself fails after the fetch
   * timeout; the next caller then starts a fresh one.
   */
  private CompletionStage<AccessToken> withinFetchTimeout(CompletionStage<AccessToken> fetched) {
    if (fetched instanceof CompletableFuture && ((CompletableFuture<?>) fetched).isDone()) {
      return fetched; // answered at once: nothing to bound
    }
    CompletableFuture<AccessToken> bounded = new CompletableFuture<>();
    ScheduledTask timer = time.schedule(new FetchTimeout(bounded, fetchTimeoutNanos), fetchTimeoutNanos);
    fetched.whenComplete((token, failure) -> {
      try {
        timer.cancel();
      } finally {
        if (failure != null) {
          bounded.completeExceptionally(failure);
        } else {
          bounded.complete(token);
        }
      }
    });
    return bounded;
  }

  /**
   * Caches {@code token} in place of the current entry, cancelling that entry's refresh task,
   * and schedules the new entry's own if the token has a lifetime.
   */
  private Cached cache(AccessToken token) {
    long now = time.nanoTime();
    Cached cached = new Cached(token, now, skewNanos);
    if (cached.expires && cached.refreshAtNanos == now) {
      // A token of no lifetime ("expires_in": 0) serves the calls that waited for it, once.
      return cached;
    }
    // Published before its task is scheduled: a task due at once must find it to drop it.
    Cached previous = (Cached) CURRENT.getAndSet(this, cached);
    if (previous != null) {
      previous.cancelRefresh();
    }
    if (cached.expires) {
      try {
        cached.refreshTask = time.schedule(new RefreshDue(this, cached), cached.refreshAtNanos - now);
      } catch (RuntimeException | Error e) {
        // Never cache a token that nothing would drop at its refresh point.
        CURRENT.compareAndSet(this, cached, (Cached) null);
        throw e;
      }
      // Replaced or dropped meanwhile, before its task was known to whoever did it: cancel it
      // here. (Both sides write, then read the other's volatile field: one of them sees it.)
      if (current != cached) {
        cached.cancelRefresh();
      }
    }
    return cached;
  }

  /** Drops {@code due} at its refresh point, unless it was replaced or dropped already. */
  public void refreshDue(Cached due) {
    if (CURRENT.compareAndSet(this, due, (Cached) null)) {
      LOG.log(Level.DEBUG, "the bearer token reached its refresh point; the next call fetches a new one");
    }
  }

  /** Reports an auth breaker's transitions to the listener. */
  public void breakerTransition(String backend, CircuitBreaker.State from, CircuitBreaker.State to) {
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

  /** A token as cached: its header value, when to refresh it, and the task that will. */
  public static final class Cached {
    public final String header;
    final boolean expires;
    final long refreshAtNanos;
    private final Optional<Duration> lifetime;
    /** The task dropping this entry at its refresh point; {@code null} until scheduled, or without a lifetime. */
    volatile ScheduledTask refreshTask;

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

    /** Whether this token is due for a refresh at {@code nowNanos}: never without a lifetime. */
    boolean isDue(long nowNanos) {
      return expires && nowNanos - refreshAtNanos >= 0;
    }

    void cancelRefresh() {
      ScheduledTask task = refreshTask;
      if (task != null) {
        task.cancel();
      }
    }

    @Override
    public String toString() {
      return "Bearer REDACTED" + " (lifetime " + lifetime.map(Duration::toString).orElse("unlimited") + ")";
    }
  }

  /** Fails a token fetch that took longer than the fetch timeout; the flight then ends. */
  public static final class FetchTimeout implements Runnable {
    private final CompletableFuture<?> fetch;
    private final long timeoutNanos;

    FetchTimeout(CompletableFuture<?> fetch, long timeoutNanos) {
      this.fetch = fetch;
      this.timeoutNanos = timeoutNanos;
    }

    @Override
    public void run() {
      fetch.completeExceptionally(new java.util.concurrent.TimeoutException(
          "the token source did not answer within the token fetch timeout of " + Duration.ofNanos(timeoutNanos)));
    }
  }

  /**
   * Drops one entry at its refresh point (see {@link #refreshDue}); holds the tokens and the
   * entry weakly, so that a pending task keeps neither a dropped client nor its token alive.
   */
  public static final class RefreshDue implements Runnable {
    private final WeakReference<BearerTokens> tokens;
    private final WeakReference<Cached> entry;

    RefreshDue(BearerTokens tokens, Cached entry) {
      this.tokens = new WeakReference<>(tokens);
      this.entry = new WeakReference<>(entry);
    }

    @Override
    public void run() {
      BearerTokens owner = tokens.get();
      Cached due = entry.get();
      // An entry cleared while its owner lives was replaced or dropped already: nothing to do.
      if (owner != null && due != null) {
        owner.refreshDue(due);
      }
    }

    @Override
    public String toString() {
      return "BearerTokens.RefreshDue";
    }
  }
}
