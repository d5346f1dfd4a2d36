package dev.resilienthttp.retry;

import dev.resilienthttp.budget.RetryBudget;

/**
 * One synchronous call through the engine. It is also the {@link AttemptContext} of its
 * attempts: an early decision ({@link #decideNow}) may be made on another thread (a transport's)
 * while this one waits for the attempt, so that state is guarded by {@code this}.
 */
final class SyncExecution<T, E extends Exception> extends Execution implements AttemptContext {

  /* One field for the work and one for an early decision made only by attempts that take a
   * context: the call state stays as small as it was before early decisions, which a JVM that
   * does not keep it off the heap (RetryHotPathTest on JDK 25) allocates per call. */
  /** A {@link CheckedSupplier}, or a {@link CheckedAttempt} when {@link #withContext}. */
  private final Object work;
  private final boolean withContext;
  /** The early decision of the current attempt, or {@code null}; guarded by this. */
  private Early early;

  /** An early decision: the attempt it was made in, for which failure, and what it was. */
  private static final class Early {
    final int attempt;
    final Throwable failure;
    final RetryDecision decision;

    Early(int attempt, Throwable failure, RetryDecision decision) {
      this.attempt = attempt;
      this.failure = failure;
      this.decision = decision;
    }
  }

  SyncExecution(
      Retry retry, RetryDecider decider, RetryBudget budget, long startNanos, boolean hasDeadline,
      long deadlineNanos, CheckedSupplier<T, E> call) {
    this(retry, decider, budget, startNanos, hasDeadline, deadlineNanos, call, null);
  }

  SyncExecution(
      Retry retry, RetryDecider decider, RetryBudget budget, long startNanos, boolean hasDeadline,
      long deadlineNanos, CheckedSupplier<T, E> call, CheckedAttempt<T, E> attempt) {
    super(retry, decider, budget, startNanos, hasDeadline, deadlineNanos, false);
    this.withContext = attempt != null;
    this.work = withContext ? attempt : call;
  }

  @SuppressWarnings("unchecked")
  private T invoke() throws E {
    return withContext ? ((CheckedAttempt<T, E>) work).attempt(this) : ((CheckedSupplier<T, E>) work).get();
  }

  @Override
  public RetryDecision decideNow(Throwable failure) {
    java.util.Objects.requireNonNull(failure, "failure");
    synchronized (this) {
      int current = attempts;
      Early made = early;
      if (made != null && made.attempt == current) {
        if (made.failure == failure) {
          return made.decision;
        }
        throw new IllegalStateException(
            "decideNow was already called during attempt " + current + " for another failure ("
                + made.failure.getClass().getName() + "); one early decision per attempt");
      }
      RetryDecision decision = isCancellation(failure) ? RetryDecision.rethrow() : decide(failure);
      early = new Early(current, failure, decision);
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
      Early made = early;
      if (made == null || made.attempt != attempts) {
        return null;
      }
      early = null;
      decision = made.decision;
      decidedFor = made.failure;
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
    if (withContext) {
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
      RetryDecision settled = withContext ? settleEarly(unwrap(failure)) : null;
      RetryDecision decision = settled != null ? settled : decide(failure);
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
      if (withContext) {
        settleEarly(null);
      }
      creditBudget(attempts);
      Listeners.success(retry.listeners, this, attempts);
      return result;
    }
  }
}
