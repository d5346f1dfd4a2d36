package dev.resilienthttp.http.internal.backend;

import dev.resilienthttp.breaker.CircuitBreaker;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One attempt's permission from its backend's circuit breaker, settled exactly once whatever
 * happens to the attempt: as a success, as a failure, or given back without a verdict (the
 * attempt was cancelled, or failed before anything was sent). Whichever comes first wins the
 * compare-and-set; the others do nothing. So a half-open breaker always learns what became of
 * its probe and never stays half-open with no probe in flight.
 */
public final class Permit extends AtomicBoolean {

  private static final long serialVersionUID = 1L;

  private final transient CircuitBreaker breaker;

  private Permit(CircuitBreaker breaker) {
    this.breaker = breaker;
  }

  /**
   * Takes a permission from {@code breaker}.
   *
   * @throws dev.resilienthttp.breaker.CallNotPermittedException if the breaker refuses
   */
  public static Permit acquire(CircuitBreaker breaker) {
    breaker.acquirePermission();
    return new Permit(breaker);
  }

  /** Records the attempt's outcome, unless the permit was settled already. */
  public void settle(boolean failure) {
    if (compareAndSet(false, true)) {
      if (failure) {
        breaker.onFailure();
      } else {
        breaker.onSuccess();
      }
    }
  }

  /** Gives the permission back without a verdict, unless the permit was settled already. */
  public void release() {
    if (compareAndSet(false, true)) {
      breaker.releasePermission();
    }
  }
}
