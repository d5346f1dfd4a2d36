package dev.resilienthttp.budget;

import java.util.Objects;

/**
 * Caps the retries that many calls to one backend may make together, so that retrying clients
 * do not multiply the load on a backend that is already failing. Keep one budget per backend
 * and share it between every call to that backend.
 *
 * <p>The budget is asked before every retry (never before a first attempt): {@link
 * #tryAcquireRetry(boolean)} either pays for the retry and returns {@code true}, or returns
 * {@code false} and the call gives up with the reason "retry budget exhausted". Successes
 * earn the budget back: {@link #onFirstAttemptSuccess()} after a call that succeeded on its
 * first attempt, {@link #onRetrySuccess(boolean)} after a call that succeeded on a retry.
 *
 * <p>The library ships a token bucket ({@link #builder()}, {@link #ofDefaults()}); it is an
 * interface so that state can live elsewhere (a budget shared by a fleet, for instance).
 * Implementations must be thread-safe and should be lock-free: every method is on the path of
 * every call.
 */
public interface RetryBudget {

  /** Returns the name of this budget, usually the backend it protects; used in events. */
  String name();

  /**
   * Asks to retry a call whose last attempt failed, paying the retry's cost if the budget can.
   *
   * @param afterTimeout {@code true} if the attempt that failed timed out (a token bucket
   *     charges more for it: a timeout held a connection and a thread for the whole timeout)
   * @return {@code true} if the retry may be made (its cost is paid); {@code false} if the
   *     budget is exhausted and the call must not be retried, in which case nothing is charged
   *     and the budget's listener hears {@link RetryBudgetListener#onBudgetExhausted}
   */
  boolean tryAcquireRetry(boolean afterTimeout);

  /**
   * Records a call that succeeded on its first attempt; the budget earns a little back.
   * Cheap when the budget is full (one read, no write).
   */
  void onFirstAttemptSuccess();

  /**
   * Records a call that succeeded on a retry: the cost of that retry is refunded, as the AWS
   * SDKs do, since a retry that worked is exactly what the budget is for.
   *
   * @param afterTimeout the value passed to the {@link #tryAcquireRetry(boolean)} call that
   *     granted the successful retry, so the refund equals what was paid
   */
  void onRetrySuccess(boolean afterTimeout);

  /**
   * Returns the tokens available now: a snapshot that may be stale as soon as it is returned.
   * A retry is granted while this is at least the retry's cost.
   */
  double available();

  /**
   * Returns a builder for a token-bucket budget with the defaults of {@link #ofDefaults()}.
   */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a token-bucket budget named {@code "default"} with the defaults: capacity 500, a
   * retry costs 5, a retry after a timeout costs 10, a first-attempt success earns 1. The
   * bucket starts full. Under a total outage it grants 100 retries and then none, until
   * successes earn tokens back.
   */
  static RetryBudget ofDefaults() {
    return builder().build();
  }

  /**
   * Builds a token-bucket {@link RetryBudget}. Costs and capacity are in tokens and may be
   * fractional down to one millionth of a token (finer values are rounded to the nearest
   * millionth); the budget keeps them exactly, with no floating-point drift, so 10 retries
   * costing 0.1 use exactly 1.0.
   *
   * <p>Mutable and not thread-safe; {@link #build()} copies the settings, so one builder can
   * build many budgets.
   */
  final class Builder {

    /** The largest capacity or cost accepted, in tokens. */
    static final double MAX_TOKENS = 1e12;
    /** The smallest non-zero amount, in tokens: the resolution of the bucket. */
    static final double MIN_TOKENS = 1e-6;

    String name = "default";
    double capacity = 500;
    double retryCost = 5;
    double timeoutRetryCost = 10;
    double successReward = 1;
    RetryBudgetListener listener = TokenBucketRetryBudget.NO_LISTENER;

    Builder() {}

    /**
     * Sets the name reported in events, usually the backend ({@code "api.example.com:443"}).
     * Default {@code "default"}.
     *
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank but was '" + name + "'");
      }
      this.name = name;
      return this;
    }

    /**
     * Sets the most tokens the bucket holds, and starts with. Default 500.
     *
     * @throws IllegalArgumentException if {@code capacity} is not in [0.000001, 1.0E12]
     */
    public Builder capacity(double capacity) {
      this.capacity = tokens("capacity", capacity, MIN_TOKENS);
      return this;
    }

    /**
     * Sets what a retry costs after a failure other than a timeout. Default 5.
     *
     * @throws IllegalArgumentException if {@code retryCost} is not in [0.000001, 1.0E12]
     */
    public Builder retryCost(double retryCost) {
      this.retryCost = tokens("retryCost", retryCost, MIN_TOKENS);
      return this;
    }

    /**
     * Sets what a retry costs after an attempt that timed out. Default 10.
     *
     * @throws IllegalArgumentException if {@code timeoutRetryCost} is not in [0.000001, 1.0E12]
     */
    public Builder timeoutRetryCost(double timeoutRetryCost) {
      this.timeoutRetryCost = tokens("timeoutRetryCost", timeoutRetryCost, MIN_TOKENS);
      return this;
    }

    /**
     * Sets what a call that succeeded on its first attempt earns back (never beyond the
     * capacity). Default 1. Zero means only refunded retries refill the bucket.
     *
     * @throws IllegalArgumentException if {@code successReward} is not in [0, 1.0E12]
     */
    public Builder successReward(double successReward) {
      this.successReward = tokens("successReward", successReward, 0);
      return this;
    }

    /**
     * Sets the listener told when a retry is refused. Default: none.
     *
     * @throws NullPointerException if {@code listener} is null
     */
    public Builder listener(RetryBudgetListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Builds a budget from the current settings, starting full.
     *
     * @throws IllegalArgumentException if {@code retryCost} or {@code timeoutRetryCost}
     *     exceeds {@code capacity} (no such retry could ever be granted)
     */
    public RetryBudget build() {
      if (retryCost > capacity) {
        throw new IllegalArgumentException(
            "retryCost must be <= capacity (" + capacity + ") but was " + retryCost);
      }
      if (timeoutRetryCost > capacity) {
        throw new IllegalArgumentException(
            "timeoutRetryCost must be <= capacity (" + capacity + ") but was " + timeoutRetryCost);
      }
      return new TokenBucketRetryBudget(this);
    }

    private static double tokens(String setting, double value, double min) {
      // Written so that NaN fails too.
      if (!(value >= min && value <= MAX_TOKENS)) {
        throw new IllegalArgumentException(
            setting + " must be in [" + (min == 0 ? "0" : "0.000001") + ", 1.0E12] but was " + value);
      }
      return value;
    }
  }
}
