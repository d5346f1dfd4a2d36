package dev.resilienthttp.retry;

import dev.resilienthttp.budget.RetryBudget;
import dev.resilienthttp.time.ScheduledTask;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One asynchronous call through the engine. Attempts run one after another: each starts from
 * the completion of the previous one or from a scheduled wait, so the per-call state needs no
 * lock; the fields a cancellation or a deadline timer reads from another thread are volatile.
 * It is also the {@link AttemptContext} of its attempts; an early decision ({@link #decideNow})
 * is guarded by {@code this}.
 */
final class AsyncExecution<T> extends Execution implements AttemptContext {

  /** The attempt when it takes no context, else {@code null}. */
  private final Supplier<? extends CompletionStage<T>> call;
  /** The attempt when it takes the context, else {@code null}. */
  private final Function<? super AttemptContext, ? extends CompletionStage<T>> contextualCall;
  private final CompletableFuture<T> promise = new CompletableFuture<>();
  private volatile ScheduledTask pendingWait;
  private volatile ScheduledTask deadlineTimer;
  private volatile CompletableFuture<?> inFlight;
  private volatile Throwable lastFailure;
  /**
   * The thread scheduling and reporting the pending retry until listeners have heard of it, then
   * {@code null}: the wait's task starts the next attempt only once this is {@code null}.
   */
  private volatile Thread reportingThread;
  /** Whether the pending retry's wait ended inside schedule(), on the reporting thread. */
  private boolean waitOverEarly; // written and read by the reporting thread only
  /** The attempt an early decision was made in, 0 for none; this and the next three: by this. */
  private int earlyAttempt;
  private Throwable earlyFailure;
  private RetryDecision earlyDecision;
  /** Whether the engine has acted on the early decision or refunded it. */
  private boolean earlySettled;

  AsyncExecution(
      Retry retry, RetryDecider decider, RetryBudget budget, long startNanos, boolean hasDeadline,
      long deadlineNanos, Supplier<? extends CompletionStage<T>> call,
      Function<? super AttemptContext, ? extends CompletionStage<T>> contextualCall) {
    super(retry, decider, budget, startNanos, hasDeadline, deadlineNanos, true);
    this.call = call;
    this.contextualCall = contextualCall;
  }

  CompletableFuture<T> start() {
    promise.whenComplete((result, failure) -> stopEverything(failure));
    if (hasDeadline) {
      deadlineTimer = retry.time.schedule(this::deadlinePassed, deadlineNanos - retry.time.nanoTime());
    }
    attempt();
    return promise;
  }

  private void attempt() {
    if (promise.isDone()) {
      return;
    }
    int attempt = ++attempts;
    Listeners.attemptStarted(retry.listeners, this, attempt);
    CompletableFuture<T> future;
    try {
      CompletionStage<T> stage = call != null ? call.get() : contextualCall.apply(this);
      future = stage.toCompletableFuture();
    } catch (Throwable failure) {
      failed(failure);
      return;
    }
    inFlight = future;
    if (promise.isDone()) {
      future.cancel(true);
      return;
    }
    future.whenComplete(
        (result, failure) -> {
          if (failure == null) {
            if (promise.complete(result)) {
              settleEarlyDecision(attempt, null);
              creditBudget(attempt);
              Listeners.success(retry.listeners, this, attempt);
            }
          } else {
            failed(unwrap(failure));
          }
        });
  }

  private void failed(Throwable failure) {
    if (promise.isDone()) {
      return;
    }
    lastFailure = failure;
    RetryDecision early = settleEarlyDecision(attempts, failure);
    if (isCancellation(failure)) {
      promise.completeExceptionally(rethrown(failure, GiveUpReason.CANCELLED));
      return;
    }
    RetryDecision decision;
    try {
      decision = early != null ? early : decide(failure);
    } catch (RuntimeException | Error retrierFailure) {
      promise.completeExceptionally(retrierFailure);
      return;
    }
    if (decision instanceof RetryDecision.GiveUp) {
      promise.completeExceptionally(giveUpException((RetryDecision.GiveUp) decision, failure));
      return;
    }
    if (!(decision instanceof RetryDecision.RetryAfter)) {
      promise.completeExceptionally(rethrown(failure, GiveUpReason.NOT_RETRYABLE));
      return;
    }
    long delay = ((RetryDecision.RetryAfter) decision).delayNanos();
    retrying(failure);
    recordRetriedFailure(failure);
    // The wait is handed to the time source before listeners hear of it, so that whoever learns
    // of the retry (a test moving a virtual clock once no attempt is in flight) finds the wait
    // already queued rather than a later timer (the deadline's).
    waitOverEarly = false;
    reportingThread = Thread.currentThread();
    pendingWait = retry.time.schedule(this::waitOver, delay);
    Listeners.retryScheduled(retry.listeners, this, attempts, delay, failure);
    previousDelayNanos = delay;
    reportingThread = null;
    if (waitOverEarly) {
      attempt(); // a time source that ran the wait inside schedule(): see waitOver
    }
    if (promise.isDone()) {
      pendingWait.cancel();
    }
  }

  /*
   * The next attempt starts from the time source's task, never from the thread reporting the
   * retry: so "retry scheduled" always precedes "attempt started", and until the attempt starts
   * a task of this call stays queued, so a virtual clock is never moved past it. If the wait is
   * over before the retry has been reported (a wait of zero, or a listener still running on
   * another thread), the task queues itself again at once and looks again. A time source that
   * runs a due task inside schedule() itself runs it on the reporting thread, before the report:
   * then the reporting thread starts the attempt once it has reported.
   */
  private void waitOver() {
    Thread reporting = reportingThread;
    if (reporting == null) {
      attempt();
      return;
    }
    if (reporting == Thread.currentThread()) {
      waitOverEarly = true;
      return;
    }
    if (promise.isDone()) {
      return;
    }
    pendingWait = retry.time.schedule(this::waitOver, 0);
    if (promise.isDone()) {
      pendingWait.cancel();
    }
  }

  @Override
  public RetryDecision decideNow(Throwable failure) {
    Objects.requireNonNull(failure, "failure");
    synchronized (this) {
      int attempt = attempts;
      if (earlyAttempt == attempt) {
        if (earlyFailure == failure) {
          return earlyDecision;
        }
        throw new IllegalStateException(
            "decideNow was already called during attempt " + attempt + " for another failure ("
                + earlyFailure.getClass().getName() + "); one early decision per attempt");
      }
      RetryDecision decision;
      if (isCancellation(failure)) {
        decision = RetryDecision.rethrow();
      } else if (promise.isDone()) {
        decision = callEnded();
      } else {
        decision = decide(failure);
      }
      earlyAttempt = attempt;
      earlyFailure = failure;
      earlyDecision = decision;
      earlySettled = false;
      return decision;
    }
  }

  /** The early decision once the call is over: its deadline passed, or it was ended otherwise. */
  private RetryDecision callEnded() {
    if (hasDeadline && retry.time.nanoTime() - deadlineNanos >= 0) {
      return new RetryDecision.GiveUp(
          GiveUpReason.DEADLINE,
          "deadline of " + Durations.format(deadlineNanos - startNanos) + " passed after "
              + plural(attempts, "attempt"));
    }
    return new RetryDecision.GiveUp(
        GiveUpReason.CANCELLED, "call ended after " + plural(attempts, "attempt"));
  }

  /**
   * Settles an early decision made during attempt {@code attempt}, which ended with {@code
   * outcome} ({@code null} for a success): returns it when it was made for that very failure,
   * else refunds the retry it paid for and returns {@code null}, as it does when there was none.
   */
  private RetryDecision settleEarlyDecision(int attempt, Throwable outcome) {
    RetryDecision decision;
    Throwable decidedFor;
    synchronized (this) {
      if (earlyAttempt != attempt || earlySettled) {
        return null;
      }
      earlySettled = true;
      decision = earlyDecision;
      decidedFor = earlyFailure;
    }
    if (outcome == decidedFor) {
      return decision;
    }
    if (budget != null && decision instanceof RetryDecision.RetryAfter) {
      budget.onRetrySuccess(isTimeout(decidedFor));
    }
    return null;
  }

  private void deadlinePassed() {
    if (promise.isDone()) {
      return;
    }
    Throwable last = lastFailure;
    RetryDecision.GiveUp giveUp =
        new RetryDecision.GiveUp(
            GiveUpReason.DEADLINE,
            "deadline of " + Durations.format(deadlineNanos - startNanos) + " passed during attempt "
                + attempts);
    RuntimeException exhausted = giveUpException(giveUp, last);
    promise.completeExceptionally(exhausted);
  }

  /** Runs when the promise completes for any reason, including cancellation by the caller. */
  private void stopEverything(Throwable failure) {
    if (failure instanceof CancellationException && failure != lastFailure) {
      // Cancelled by the caller, not by a failed attempt: report it as the synchronous path
      // reports an interrupted wait, so every started attempt ends with an event.
      Listeners.gaveUp(retry.listeners, this, GiveUpReason.CANCELLED, attempts, lastFailure);
    }
    ScheduledTask wait = pendingWait;
    if (wait != null) {
      wait.cancel();
    }
    ScheduledTask timer = deadlineTimer;
    if (timer != null) {
      timer.cancel();
    }
    CompletableFuture<?> attemptInFlight = inFlight;
    if (attemptInFlight != null && !attemptInFlight.isDone()) {
      attemptInFlight.cancel(true);
    }
  }
}
