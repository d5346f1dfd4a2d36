package dev.resilienthttp.http.internal.backend;

import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.budget.RetryBudget;
import java.net.URI;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What a client shares across the calls to one backend (scheme, host and port, unless the user
 * names backends otherwise): its retry budget, its circuit breaker, the "not before" gate a
 * Retry-After sets, and with bearer tokens its auth circuit breaker and the backoff waits its
 * callers share. Created lazily by the client's {@link dev.resilienthttp.backend.BackendRegistry};
 * touched without locks.
 */
public final class Backend {

  public final String key;
  /** {@code null} when budgets are off. */
  public final RetryBudget budget;
  /** {@code null} when breakers are off. */
  public final CircuitBreaker breaker;
  /** Guards auth-failure retries; {@code null} without bearer tokens. */
  public final CircuitBreaker authBreaker;
  /**
   * The auth-failure backoff wait in progress for each retry number (index 1 for the first
   * retry), shared by every caller of this backend reaching that retry while it lasts.
   */
  private final AtomicReferenceArray<SharedWait> authWaits;
  /** The time before which no new call is sent, in the client's nanoTime; valid while {@link #gated}. */
  private final AtomicLong notBeforeNanos = new AtomicLong();
  private volatile boolean gated;

  public Backend(String key, RetryBudget budget, CircuitBreaker breaker, CircuitBreaker authBreaker, int authRetries) {
    this.key = key;
    this.budget = budget;
    this.breaker = breaker;
    this.authBreaker = authBreaker;
    this.authWaits = authBreaker == null ? null : new AtomicReferenceArray<>(authRetries + 1);
  }

  /*
   * Why a shared end rather than a shared timer: the engine does the waiting, so that a caller's
   * own deadline, its cancellation, the listener's "retry scheduled" event and the budget work
   * exactly as for any other retry. What callers share is the instant the wait ends: the first
   * caller to reach retry n starts a wait of backoff(n), and every caller reaching retry n
   * before it ends waits for the same instant, so they retry together, once per wait, instead
   * of each starting a full backoff of its own. A caller whose deadline comes before that
   * instant never starts the wait and gives up at once, as the engine does for any wait.
   */

  /**
   * The instant (client nanoTime) at which the shared wait before auth-failure retry {@code n}
   * ends: the one in progress, or a new one of {@code backoffNanos} from {@code nowNanos}.
   * Lock-free; allocates only when it starts a wait.
   */
  public long sharedAuthWaitEnd(int n, long nowNanos, long backoffNanos) {
    while (true) {
      SharedWait current = authWaits.get(n);
      if (current != null && current.endNanos - nowNanos > 0) {
        return current.endNanos;
      }
      SharedWait started = new SharedWait(nowNanos + backoffNanos);
      if (authWaits.compareAndSet(n, current, started)) {
        return started.endNanos;
      }
    }
  }

  /** The backend of {@code uri}: {@code scheme://host:port}, the port made explicit. */
  public static String keyOf(URI uri) {
    String scheme = uri.getScheme() == null ? "http" : uri.getScheme().toLowerCase(Locale.ROOT);
    int port = uri.getPort() != -1 ? uri.getPort() : ("https".equals(scheme) ? 443 : 80);
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    return scheme + "://" + host + ":" + port;
  }

  /**
   * Holds new calls back until {@code untilNanos}; a later gate never shortens an earlier one.
   * The caller bounds {@code untilNanos} by the client's Retry-After cap, so that one response
   * never shuts a backend for longer than that.
   */
  public void gateUntil(long untilNanos) {
    while (true) {
      long current = notBeforeNanos.get();
      if (gated && current - untilNanos >= 0) {
        return;
      }
      if (notBeforeNanos.compareAndSet(current, untilNanos)) {
        gated = true;
        return;
      }
    }
  }

  /** Whether a Retry-After ever gated this backend: if not, {@link #gateWaitNanos} is 0 at any time. */
  public boolean isGated() {
    return gated;
  }

  /** How long a new call must wait before its first attempt, in nanoseconds; 0 when open. */
  public long gateWaitNanos(long nowNanos) {
    if (!gated) {
      return 0;
    }
    long wait = notBeforeNanos.get() - nowNanos;
    return Math.max(0, wait);
  }

  @Override
  public String toString() {
    return "Backend{" + key + '}';
  }

  /** One auth-failure backoff wait shared by a backend's callers. */
  private static final class SharedWait {
    final long endNanos;

    SharedWait(long endNanos) {
      this.endNanos = endNanos;
    }
  }
}
