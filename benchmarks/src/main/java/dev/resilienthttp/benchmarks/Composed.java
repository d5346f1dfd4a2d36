package dev.resilienthttp.benchmarks;

import dev.resilienthttp.breaker.CallNotPermittedException;
import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.budget.RetryBudget;
import dev.resilienthttp.retry.CheckedSupplier;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.retry.Retry;
import dev.resilienthttp.retry.RetryContext;
import dev.resilienthttp.time.TimeSource;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Retry, circuit breaker and retry budget from {@code resilient-http-core}, composed the way a
 * user of core alone would compose them (the HTTP client does the same internally in {@code
 * HttpCall}). Nothing here is specific to benchmarking.
 *
 * <ul>
 *   <li>The breaker guards every attempt: {@link CircuitBreaker#acquirePermission()} before it,
 *       {@link CircuitBreaker#onSuccess()} or {@link CircuitBreaker#onFailure()} after it. A
 *       breaker refusal is never retried.
 *   <li>The engine pays every retry from the budget and credits it on success ({@link
 *       Retry.Builder#retryBudget}): a first-attempt success earns a token back, a success on a
 *       retry is refunded, and a refused retry ends the call with {@code BUDGET_EXHAUSTED}.
 * </ul>
 */
final class Composed {

  final CircuitBreaker breaker;
  final RetryBudget budget;
  final Retry retry;

  Composed(Retrier retrier, TimeSource time, CircuitBreaker breaker, RetryBudget budget) {
    this.breaker = breaker;
    this.budget = budget;
    this.retry = Retry.builder()
        .retrier(new NotWhenRefused(retrier))
        .timeSource(time)
        .retryBudget(budget)
        .useScope(false)
        .build();
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
    return retry.call(guarded);
  }

  /** The wrapped retrier, except that a call the breaker refused is not retried. */
  private static final class NotWhenRefused implements Retrier {
    private final Retrier delegate;

    NotWhenRefused(Retrier delegate) {
      this.delegate = delegate;
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
  }
}
