package dev.resilienthttp.retry;

/**
 * The context an attempt of {@link Retry#callAsync(RetryDecider,
 * dev.resilienthttp.budget.RetryBudget, java.time.Duration, java.util.function.Function)}
 * receives: the call's {@link RetryContext} (read it while the attempt runs), plus a way to learn
 * before the attempt's stage completes what its failure will lead to.
 */
public interface AttemptContext extends RetryContext {

  /**
   * Decides now what follows if the current attempt fails with {@code failure}: exactly the
   * decision the engine would make when the attempt fails. In order: a deadline that has passed
   * gives up with {@link GiveUpReason#DEADLINE}; otherwise the call's {@link RetryDecider}
   * answers; a {@link RetryDecision.RetryAfter} whose wait would end at or after the deadline
   * becomes a give-up with {@link GiveUpReason#DEADLINE}; then the retry is paid from the call's
   * budget, and a refusal becomes a give-up with {@link GiveUpReason#BUDGET_EXHAUSTED}. An
   * {@link InterruptedException} or a {@link java.util.concurrent.CancellationException} is
   * never retried: for it this returns {@link RetryDecision#rethrow()} and asks no one. Once the
   * call has ended (cancelled, or given up by its deadline timer) this returns a give-up with
   * {@link GiveUpReason#CANCELLED} or {@link GiveUpReason#DEADLINE} and asks no one.
   *
   * <p>When the attempt's stage then completes exceptionally with that same instance (after
   * unwrapping {@link java.util.concurrent.CompletionException}s and {@link
   * java.util.concurrent.ExecutionException}s), the engine acts on this decision and neither
   * decides nor pays again. This lets a transport decide at a response's headers whether the
   * body will be discarded or handed to the caller.
   *
   * <p>The early decision is meant for a failure that will be the attempt's outcome. If the
   * attempt nevertheless succeeds, or fails with another instance (which the engine then decides
   * on afresh), a retry this decision paid for is refunded with {@link
   * dev.resilienthttp.budget.RetryBudget#onRetrySuccess(boolean)}.
   *
   * <p>Thread-safe and lock-free. At most one early decision per attempt: a second call during
   * the same attempt returns the first decision if it is for the same failure instance (waiting
   * for it if another thread is still making it). If the decider or the budget throws, so does
   * this, and no early decision is recorded: the engine decides afresh when the attempt fails.
   *
   * @throws IllegalStateException if an early decision was already made during this attempt
   *     for another failure instance
   * @throws NullPointerException if {@code failure} is null
   */
  RetryDecision decideNow(Throwable failure);
}
