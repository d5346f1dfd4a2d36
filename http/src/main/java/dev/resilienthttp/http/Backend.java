package dev.resilienthttp.http;

import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.budget.RetryBudget;
import java.net.URI;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a client shares across the calls to one backend (scheme, host and port): its retry
 * budget, its circuit breaker, and the "not before" gate a Retry-After sets. Created lazily by
 * the client's {@link dev.resilienthttp.backend.BackendRegistry}; touched without locks.
 */
final class Backend {

  final String key;
  /** {@code null} when budgets are off. */
  final RetryBudget budget;
  /** {@code null} when breakers are off. */
  final CircuitBreaker breaker;
  /** The time before which no new call is sent, in the client's nanoTime; valid while {@link #gated}. */
  private final AtomicLong notBeforeNanos = new AtomicLong();
  private volatile boolean gated;

  Backend(String key, RetryBudget budget, CircuitBreaker breaker) {
    this.key = key;
    this.budget = budget;
    this.breaker = breaker;
  }

  /** The backend of {@code uri}: {@code scheme://host:port}, the port made explicit. */
  static String keyOf(URI uri) {
    String scheme = uri.getScheme() == null ? "http" : uri.getScheme().toLowerCase(Locale.ROOT);
    int port = uri.getPort() != -1 ? uri.getPort() : ("https".equals(scheme) ? 443 : 80);
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    return scheme + "://" + host + ":" + port;
  }

  /** Holds new calls back until {@code untilNanos}; a later gate never shortens an earlier one. */
  void gateUntil(long untilNanos) {
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

  /** How long a new call must wait before its first attempt, in nanoseconds; 0 when open. */
  long gateWaitNanos(long nowNanos) {
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
}
