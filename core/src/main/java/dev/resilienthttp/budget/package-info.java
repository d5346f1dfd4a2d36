/**
 * Retry budgets: a cap, shared by every call to one backend, on the retries those calls may
 * make together, so that retrying clients do not multiply the load on a failing backend.
 * Start at {@link dev.resilienthttp.budget.RetryBudget}.
 */
package dev.resilienthttp.budget;
