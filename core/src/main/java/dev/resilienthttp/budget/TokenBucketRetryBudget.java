package dev.resilienthttp.budget;

import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The token-bucket {@link RetryBudget}: a retry costs tokens, a first-attempt success earns
 * some back, and a retry is refused when the bucket cannot pay for it.
 *
 * <p>Thread-safe and lock-free: the bucket is one {@link AtomicLong} updated by compare-and-set.
 * No method allocates.
 */
final class TokenBucketRetryBudget implements RetryBudget {

  /*
   * Why a token bucket, and why these numbers.
   *
   * Retries are only cheap while failures are rare. When a backend is down, every caller that
   * retries three times sends three requests per call, so the load on the struggling backend
   * triples exactly when it can least take it. A retry budget shared by all calls to one
   * backend bounds the *extra* load retries may add, whatever each call's retrier says.
   *
   * The AWS SDKs' "standard" retry mode (AWS SDKs and Tools Reference Guide, "Retry
   * behavior"; SDK for Java v2 TokenBucketRetryCondition / StandardRetryStrategy) keeps a
   * bucket of 500 tokens per client: a retry costs 5, a retry after a timeout 10, a call that
   * succeeds without retrying returns 1, and a retry that succeeds refunds what it cost. gRPC's
   * retry throttling (proposal A6 "gRPC Retry Design") does the same with other units: failures
   * drain a bucket, successes refill a fraction of a token, and retries stop below half full.
   * We follow AWS (the numbers are the ones its SDKs ship and have run at scale).
   *
   * How "about 1.1 attempts per call under an outage" arises: a full bucket of 500 pays for
   * 500 / 5 = 100 retries. In a total outage nothing succeeds, so nothing refills it: after the
   * first 100 retries every call makes exactly one attempt. 1,000 calls then cost the server
   * 1,000 first attempts + 100 retries = 1,100 attempts, 1.1 per call, instead of 3,000; and the
   * ratio only falls as the outage goes on. If the failures were timeouts, 50 retries: 1.05.
   * In normal operation the bucket stays full: at 10 % transient failures a call earns
   * 0.9 * 1 tokens and spends about 0.1 * 5 (refunded when the retry works), so retries are
   * never refused; the budget only bites when failures become the rule.
   *
   * Tokens are kept as a long count of micro-tokens (fixed point, 10^-6). Floating-point tokens
   * would drift (a bucket of 0.3 paying retries of 0.1 holds 0.09999999999999998 after two,
   * so the third would be refused),
   * and a long updates atomically with a plain CAS. Capacity is capped at 10^12 tokens, so
   * capacity + any deposit stays far below Long.MAX_VALUE and the arithmetic cannot overflow.
   */

  static final RetryBudgetListener NO_LISTENER = new RetryBudgetListener() {};

  private static final System.Logger LOG = System.getLogger("dev.resilienthttp.budget");
  private static final double MICROS_PER_TOKEN = 1_000_000.0;

  private final String name;
  private final long capacity;
  private final long retryCost;
  private final long timeoutRetryCost;
  private final long successReward;
  private final RetryBudgetListener listener;
  private final AtomicLong microTokens;

  TokenBucketRetryBudget(RetryBudget.Builder builder) {
    this.name = builder.name;
    this.capacity = toMicros(builder.capacity);
    this.retryCost = toMicros(builder.retryCost);
    this.timeoutRetryCost = toMicros(builder.timeoutRetryCost);
    this.successReward = toMicros(builder.successReward);
    this.listener = builder.listener;
    this.microTokens = new AtomicLong(capacity);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean tryAcquireRetry(boolean afterTimeout) {
    long cost = afterTimeout ? timeoutRetryCost : retryCost;
    long current = microTokens.get();
    while (current >= cost) {
      long witness = microTokens.compareAndExchange(current, current - cost);
      if (witness == current) {
        return true;
      }
      current = witness;
    }
    exhausted(current);
    return false;
  }

  @Override
  public void onFirstAttemptSuccess() {
    deposit(successReward);
  }

  @Override
  public void onRetrySuccess(boolean afterTimeout) {
    deposit(afterTimeout ? timeoutRetryCost : retryCost);
  }

  @Override
  public double available() {
    return microTokens.get() / MICROS_PER_TOKEN;
  }

  /** Returns the capacity in tokens. */
  double capacity() {
    return capacity / MICROS_PER_TOKEN;
  }

  private void deposit(long amount) {
    long current = microTokens.get();
    // A full bucket is the common case: read only, so successes never contend on the line.
    while (amount > 0 && current < capacity) {
      long witness = microTokens.compareAndExchange(current, Math.min(capacity, current + amount));
      if (witness == current) {
        return;
      }
      current = witness;
    }
  }

  private void exhausted(long current) {
    try {
      listener.onBudgetExhausted(name, current / MICROS_PER_TOKEN);
    } catch (RuntimeException | LinkageError e) {
      LOG.log(Level.WARNING, () -> "retry budget listener " + listener.getClass().getName()
          + ".onBudgetExhausted threw " + e.getClass().getName() + "; the call goes on", e);
    }
  }

  private static long toMicros(double tokens) {
    return Math.round(tokens * MICROS_PER_TOKEN);
  }

  @Override
  public String toString() {
    return "RetryBudget[" + name + ", " + available() + "/" + capacity() + " tokens]";
  }
}
