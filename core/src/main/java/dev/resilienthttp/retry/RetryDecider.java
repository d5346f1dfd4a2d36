package dev.resilienthttp.retry;

/**
 * What decides after a failed attempt: the engine's question, as {@link Retrier#decide} answers
 * it. Every {@link Retrier} is one; a layer that resolves its own policy per call (an HTTP
 * client classifying responses) passes one to {@link Retry#callAsync(RetryDecider,
 * dev.resilienthttp.budget.RetryBudget, java.time.Duration, java.util.function.Function)}.
 *
 * <p>Implementations must be thread-safe when shared between calls.
 */
@FunctionalInterface
public interface RetryDecider {

  /**
   * Decides what follows attempt number {@code attempt} (1 for the first), which failed with
   * {@code failure}: retry after a delay, give up for a reason, or rethrow the failure as it is.
   * The engine then applies its own limits (the deadline, the retry budget) to a retry.
   */
  RetryDecision decide(RetryContext context, Throwable failure, int attempt);
}
