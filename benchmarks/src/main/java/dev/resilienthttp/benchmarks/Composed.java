package dev.resilienthttp.benchmarks;

import dev.resilienthttp.breaker.CallNotPermittedException;
import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.budget.RetryBudget;
import dev.resilienthttp.retry.CheckedSupplier;
import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.retry.Retry;
import dev.resilienthttp.retry.RetryContext;
import dev.resilienthttp.retry.RetryDecision;
import dev.resilienthttp.retry.RetryListener;
import dev.resilienthttp.time.TimeSource;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Retry, circuit breaker and retry budget from {@code resilient-http-core}, composed the way a
 * user of core alone would compose them (core has no class that bundles the three; the HTTP
 * client does it internally in {@code HttpCall}). Nothing here is specific to benchmarking.
 *
 * <ul>
 *   <li>The breaker guards every attempt: {@link CircuitBreaker#acquirePermission()} before it,
 *       {@link CircuitBreaker#onSuccess()} or {@link CircuitBreaker#onFailure()} after it.
 *   <li>The budget pays for every retry: a {@link Retrier} wrapper asks {@link
 *       RetryBudget#tryAcquireRetry(boolean)} when the wrapped retrier would retry, and gives up
 *       with {@link GiveUpReason#BUDGET_EXHAUSTED} when it refuses. A breaker refusal is never
 *       retried.
 *   <li>Successes earn the budget back. {@link Accounting#LEAN}: {@link
 *       RetryBudget#onFirstAttemptSuccess()} after every successful call, because {@link
 *       Retry#call} does not tell its caller how many attempts it took (a success after a retry
 *       earns 1 token instead of refunding the retry's cost). {@link Accounting#EXACT}: a {@link
 *       RetryListener} hears the attempt count and calls {@code onFirstAttemptSuccess} or
 *       {@code onRetrySuccess}, as the HTTP client does; a listener takes the engine off its
 *       allocation-free fast path.
 * </ul>
 */
final class Composed {

  /** How successes are credited to the budget. */
  enum Accounting {
    LEAN,
    EXACT
  }

  final CircuitBreaker breaker;
  final RetryBudget budget;
  final Retry retry;
  private final boolean lean;

  Composed(Retrier retrier, TimeSource time, CircuitBreaker breaker, RetryBudget budget,
      Accounting accounting) {
    this.breaker = breaker;
    this.budget = budget;
    this.lean = accounting == Accounting.LEAN;
    Retry.Builder builder =
        Retry.builder().retrier(new Budgeted(retrier, budget)).timeSource(time).useScope(false);
    if (!lean) {
      builder.listener(new RetryListener() {
        @Override
        public void onSuccess(RetryContext context, int attempts) {
          if (attempts == 1) {
            budget.onFirstAttemptSuccess();
          } else {
            budget.onRetrySuccess(false);
          }
        }
      });
    }
    this.retry = builder.build();
  }

  /** Returns {@code operation} guarded by the breaker, one attempt at a time. Build it once. */
  <T> CheckedSupplier<T, RuntimeException> guard(Supplier<T> operation) {
    CircuitBreaker breaker = this.breaker;
    return () -> {
      breaker.acquirePermission();
      T result;
      try {
        result = operation.get();
      } catch (RuntimeException | Error failure) {
        breaker.onFailure();
        throw failure;
      }
      breaker.onSuccess();
      return result;
    };
  }

  /** Runs a guarded operation with retries. */
  <T> T call(CheckedSupplier<T, RuntimeException> guarded) {
    T result = retry.call(guarded);
    if (lean) {
      budget.onFirstAttemptSuccess();
    }
    return result;
  }

  /** A retrier that lets a retry happen only when the budget pays for it. */
  private static final class Budgeted implements Retrier {
    private final Retrier delegate;
    private final RetryBudget budget;

    Budgeted(Retrier delegate, RetryBudget budget) {
      this.delegate = delegate;
      this.budget = budget;
    }

    @Override
    public int maxAttempts() {
      return delegate.maxAttempts();
    }

    @Override
    public boolean shouldRetry(RetryContext context, Throwable failure, int attempt) {
      return !(failure instanceof CallNotPermittedException)
          && delegate.shouldRetry(context, failure, attempt);
    }

    @Override
    public Duration delay(RetryContext context, Throwable failure, int attempt) {
      return delegate.delay(context, failure, attempt);
    }

    @Override
    public long delayNanos(RetryContext context, Throwable failure, int attempt) {
      return delegate.delayNanos(context, failure, attempt);
    }

    @Override
    public RetryDecision decide(RetryContext context, Throwable failure, int attempt) {
      RetryDecision decision = Retrier.super.decide(context, failure, attempt);
      if (decision instanceof RetryDecision.RetryAfter && !budget.tryAcquireRetry(false)) {
        return RetryDecision.giveUp(GiveUpReason.BUDGET_EXHAUSTED, "retry budget exhausted");
      }
      return decision;
    }
  }
}
