package dev.resilienthttp.retry;

import dev.resilienthttp.budget.RetryBudget;

/** One synchronous call through the engine. */
final class SyncExecution<T, E extends Exception> extends Execution {

  private final CheckedSupplier<T, E> call;

  SyncExecution(
      Retry retry, RetryDecider decider, RetryBudget budget, long startNanos, boolean hasDeadline,
      long deadlineNanos, CheckedSupplier<T, E> call) {
    super(retry, decider, budget, startNanos, hasDeadline, deadlineNanos, false);
    this.call = call;
  }

  /** Makes the first attempt, then retries as decided. */
  T run() throws E {
    attempts = 1;
    Listeners.attemptStarted(retry.listeners, this, 1);
    T result;
    try {
      result = call.get();
    } catch (Throwable failure) {
      return retryAfter(failure);
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
      RetryDecision decision = decide(failure);
      if (decision instanceof RetryDecision.GiveUp) {
        throw giveUpException((RetryDecision.GiveUp) decision, failure);
      }
      if (!(decision instanceof RetryDecision.RetryAfter)) {
        throw Execution.<E>sneakyThrow(rethrown(failure, GiveUpReason.NOT_RETRYABLE));
      }
      long delay = ((RetryDecision.RetryAfter) decision).delayNanos();
      retrying(failure);
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
        result = call.get();
      } catch (Throwable next) {
        failure = next;
        continue;
      }
      creditBudget(attempts);
      Listeners.success(retry.listeners, this, attempts);
      return result;
    }
  }
}
