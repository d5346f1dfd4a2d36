package dev.resilienthttp.retry;

import dev.resilienthttp.budget.RetryBudget;

/**
 * One synchronous call through the engine. It is also the {@link AttemptContext} of its
 * attempts: an early decision ({@link #decideNow}) may be made on another thread (a transport's)
 * while this one waits for the attempt, so that state is guarded by {@code this}.
 */
final class SyncExecution<T, E extends Exception> extends Execution implements AttemptContext {

  private final CheckedSupplier<T, E> call;
  private final CheckedAttempt<T, E> attempt;
  /** The attempt an early decision was made in, 0 for none; this and the next two: by this. */
  private int earlyAttempt;
  private Throwable earlyFailure;
  private RetryDecision earlyDecision;

  SyncExecution(
      Retry retry, RetryDecider decider, RetryBudget budget, long startNanos, boolean hasDeadline,
      long deadlineNanos, CheckedSupplier<T, E> call) {
    this(retry, decider, budget, startNanos, hasDeadline, deadlineNanos, call, null);
  }

  SyncExecution(
      Retry retry, RetryDecider decider, RetryBudget budget, long startNanos, boolean hasDeadline,
      long deadlineNanos, CheckedSupplier<T, E> call, CheckedAttempt<T, E> attempt) {
    super(retry, decider, budget, startNanos, hasDeadline, deadlineNanos, false);
    this.call = call;
    this.attempt = attempt;
  }

  private T invoke() throws E {
    return call != null ? call.get() : attempt.attempt(this);
  }

  @Override
  public RetryDecision decideNow(Throwable failure) {
    java.util.Objects.requireNonNull(failure, "failure");
    synchronized (this) {
      int current = attempts;
      if (earlyAttempt == current) {
        if (earlyFailure == failure) {
          return earlyDecision;
        }
        throw new IllegalStateException(
            "decideNow was already called during attempt " + current + " for another failure ("
                + earlyFailure.getClass().getName() + "); one early decision per attempt");
      }
      RetryDecision decision = isCancellation(failure) ? RetryDecision.rethrow() : decide(failure);
      earlyAttempt = current;
      earlyFailure = failure;
      earlyDecision = decision;
      return decision;
    }
  }

  /**
   * The early decision made during the attempt that just ended with {@code outcome} ({@code
   * null}: success), if it was made for that very failure; a retry it paid for is refunded
   * otherwise. Clears it either way.
   */
  private RetryDecision settleEarly(Throwable outcome) {
    RetryDecision decision;
    Throwable decidedFor;
    synchronized (this) {
      if (earlyAttempt != attempts) {
        return null;
      }
      earlyAttempt = 0;
      decision = earlyDecision;
      decidedFor = earlyFailure;
      earlyDecision = null;
      earlyFailure = null;
    }
    if (outcome == decidedFor) {
      return decision;
    }
    refundEarly(decision, decidedFor);
    return null;
  }

  /** Makes the first attempt, then retries as decided. */
  T run() throws E {
    attempts = 1;
    Listeners.attemptStarted(retry.listeners, this, 1);
    T result;
    try {
      result = invoke();
    } catch (Throwable failure) {
      return retryAfter(failure);
    }
    if (attempt != null) {
      settleEarly(null);
    }
    creditBudget(1);
    Listeners.success(retry.listeners, this, 1);
    return result;
  }

  /** Continues a call whose first attempt, made on the engine's fast path, failed. */
  T afterFailure(Throwable failure) throws E {
    attempts = 1;
    return retryAfter(failure);
  }

  private T retryAfter(Throwable firstFailure) throws E {
    Throwable failure = firstFailure;
    while (true) {
      if (isCancellation(failure)) {
        throw Execution.<E>sneakyThrow(rethrown(failure, GiveUpReason.CANCELLED));
      }
      RetryDecision early = attempt != null ? settleEarly(unwrap(failure)) : null;
      RetryDecision decision = early != null ? early : decide(failure);
      if (decision instanceof RetryDecision.GiveUp) {
        throw giveUpException((RetryDecision.GiveUp) decision, failure);
      }
      if (!(decision instanceof RetryDecision.RetryAfter)) {
        throw Execution.<E>sneakyThrow(rethrown(failure, GiveUpReason.NOT_RETRYABLE));
      }
      long delay = ((RetryDecision.RetryAfter) decision).delayNanos();
      retrying(failure, decision);
      recordRetriedFailure(failure);
      Listeners.retryScheduled(retry.listeners, this, attempts, delay, failure);
      try {
        retry.time.sleep(delay);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        RetryCancelledException cancelled = new RetryCancelledException(attempts, interrupted);
        addEarlierTo(cancelled, null);
        Listeners.gaveUp(retry.listeners, this, GiveUpReason.CANCELLED, attempts, failure);
        throw cancelled;
      }
      previousDelayNanos = delay;
      attempts++;
      Listeners.attemptStarted(retry.listeners, this, attempts);
      T result;
      try {
        result = invoke();
      } catch (Throwable next) {
        failure = next;
        continue;
      }
      if (attempt != null) {
        settleEarly(null);
      }
      creditBudget(attempts);
      Listeners.success(retry.listeners, this, attempts);
      return result;
    }
  }
}
