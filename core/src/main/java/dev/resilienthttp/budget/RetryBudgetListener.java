package dev.resilienthttp.budget;

/**
 * Hears what a {@link RetryBudget} does. Every method has a no-op default, so methods can be
 * added in later versions without breaking implementations.
 *
 * <p>Methods are called synchronously on the thread that asked the budget, possibly from many
 * threads at once: they must be fast, thread-safe and should not throw. Whatever they throw
 * (a {@link RuntimeException} or {@link LinkageError}) is caught and logged through {@link
 * System.Logger}; it never reaches the call that was being made.
 */
public interface RetryBudgetListener {

  /**
   * A retry was refused because the budget could not pay for it. Called once for every refused
   * retry, so under an outage it is called about once per failing call.
   *
   * @param budgetName the {@linkplain RetryBudget#name() name} of the budget, usually the backend
   * @param available the tokens left when the retry was refused (less than the retry's cost)
   */
  default void onBudgetExhausted(String budgetName, double available) {}
}
