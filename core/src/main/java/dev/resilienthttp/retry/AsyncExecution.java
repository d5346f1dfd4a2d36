package dev.resilienthttp.retry;

import dev.resilienthttp.time.ScheduledTask;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * One asynchronous call through the engine. Attempts run one after another: each starts from
 * the completion of the previous one or from a scheduled wait, so the per-call state needs no
 * lock; the fields a cancellation or a deadline timer reads from another thread are volatile.
 */
final class AsyncExecution<T> extends Execution {

  private final Supplier<? extends CompletionStage<T>> call;
  private final CompletableFuture<T> promise = new CompletableFuture<>();
  private volatile ScheduledTask pendingWait;
  private volatile ScheduledTask deadlineTimer;
  private volatile CompletableFuture<?> inFlight;
  private volatile Throwable lastFailure;

  AsyncExecution(
      Retry retry, Retrier retrier, long startNanos, boolean hasDeadline, long deadlineNanos,
      Supplier<? extends CompletionStage<T>> call) {
    super(retry, retrier, startNanos, hasDeadline, deadlineNanos, true);
    this.call = call;
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
      future = call.get().toCompletableFuture();
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
    if (isCancellation(failure)) {
      promise.completeExceptionally(rethrown(failure, GiveUpReason.CANCELLED));
      return;
    }
    RetryDecision decision;
    try {
      decision = decide(failure);
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
    recordRetriedFailure(failure);
    Listeners.retryScheduled(retry.listeners, this, attempts, delay, failure);
    previousDelayNanos = delay;
    pendingWait = retry.time.schedule(this::attempt, delay);
    if (promise.isDone()) {
      pendingWait.cancel();
    }
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
