package dev.resilienthttp.retry;

/**
 * One synchronous attempt of {@link Retry#call(RetryDecider, dev.resilienthttp.budget.RetryBudget,
 * java.time.Duration, CheckedAttempt)}, given the call's {@link AttemptContext}.
 *
 * @param <T> the result
 * @param <E> the checked exception it may throw
 */
@FunctionalInterface
public interface CheckedAttempt<T, E extends Exception> {

  /** Makes the attempt. */
  T attempt(AttemptContext context) throws E;
}
