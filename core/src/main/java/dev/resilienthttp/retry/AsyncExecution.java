package dev.resilienthttp.retry;

import dev.resilienthttp.budget.RetryBudget;
import dev.resilienthttp.time.ScheduledTask;
import dev.resilienthttp.time.TimeSource;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * is claimed with a compare-and-set, so no path of the call takes a lock.
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
  /** No retry is being reported or waited for: an attempt is in flight, or none started yet. */
  private static final int NO_RETRY = 0;
  /** A retry's wait is queued and its listeners are hearing of it. */
  private static final int REPORTING = 1;
  /** Listeners have heard of the retry; the wait's task starts the next attempt. */
  private static final int REPORTED = 2;
  /** The wait ended while listeners still heard of the retry; the reporter starts the attempt. */
  private static final int WAIT_OVER = 3;
  private static final VarHandle RETRY_STATE;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      RETRY_STATE = lookup.findVarHandle(AsyncExecution.class, "retryState", int.class);
      EARLY = lookup.findVarHandle(AsyncExecution.class, "early", EarlyDecision.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Where the pending retry stands: {@link #NO_RETRY}, {@link #REPORTING}, ...; see waitOver. */
  private volatile int retryState;
  /** The latest early decision, or {@code null}; replaced only through EARLY.compareAndSet. */
  private volatile EarlyDecision early;
  private static final VarHandle EARLY;

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
    attempt(TimeSource.Hold.NONE);
    return promise;
  }

  /** Starts the next attempt, releasing {@code hold} once listeners have heard of it. */
  private void attempt(TimeSource.Hold hold) {
    retryState = NO_RETRY;
    if (promise.isDone()) {
      hold.close();
      return;
    }
    int attempt = ++attempts;
    try {
      Listeners.attemptStarted(retry.listeners, this, attempt);
    } finally {
      hold.close();
    }
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

  /**
   * Handles the failure of the current attempt with the clock held (see waitOver), so that a
   * virtual clock driven once the call looks idle to listeners moves neither to a later timer
   * (the deadline's) before the call has given up, nor past the wait before the next attempt.
   */
  private void failed(Throwable failure) {
    if (promise.isDone()) {
      return;
    }
    TimeSource.Hold hold = retry.time.hold();
    boolean holdHandedOn = false;
    try {
      holdHandedOn = handleFailure(failure, hold);
    } finally {
      if (!holdHandedOn) {
        hold.close();
      }
    }
  }

  /** Gives up or retries after {@code failure}; returns whether it handed {@code hold} on. */
  private boolean handleFailure(Throwable failure, TimeSource.Hold hold) {
    lastFailure = failure;
    RetryDecision early = settleEarlyDecision(attempts, failure);
    if (isCancellation(failure)) {
      promise.completeExceptionally(rethrown(failure, GiveUpReason.CANCELLED));
      return false;
    }
    RetryDecision decision;
    try {
      decision = early != null ? early : decide(failure);
    } catch (RuntimeException | Error retrierFailure) {
      promise.completeExceptionally(retrierFailure);
      return false;
    }
    if (decision instanceof RetryDecision.GiveUp) {
      promise.completeExceptionally(giveUpException((RetryDecision.GiveUp) decision, failure));
      return false;
    }
    if (!(decision instanceof RetryDecision.RetryAfter)) {
      promise.completeExceptionally(rethrown(failure, GiveUpReason.NOT_RETRYABLE));
      return false;
    }
    long delay = ((RetryDecision.RetryAfter) decision).delayNanos();
    retrying(failure, decision);
    recordRetriedFailure(failure);
    // The wait is handed to the time source before listeners hear of the retry, so that whoever
    // learns of it (a test moving a virtual clock once no attempt is in flight) finds the wait
    // already queued rather than a later timer (the deadline's).
    retryState = REPORTING;
    ScheduledTask wait = retry.time.schedule(this::waitOver, delay);
    pendingWait = wait;
    Listeners.retryScheduled(retry.listeners, this, attempts, delay, failure);
    previousDelayNanos = delay;
    boolean handedOn = false;
    if (!RETRY_STATE.compareAndSet(this, REPORTING, REPORTED)) {
      handedOn = true;
      attempt(hold); // the wait ended during the report: see waitOver
    }
    if (promise.isDone()) {
      wait.cancel();
    }
    return handedOn;
  }

  /*
   * "Retry scheduled" always precedes "attempt started": whichever of the wait's task and the
   * thread reporting the retry comes last starts the next attempt. Usually the report ends first
   * (REPORTING -> REPORTED) and the task starts the attempt when the wait ends. A wait that ends
   * while listeners still hear of the retry (a wait of zero, a time source running a due task
   * inside schedule(), another thread moving a clock) only marks it (REPORTING -> WAIT_OVER), and
   * the reporting thread starts the attempt once it has reported: nothing is queued again, so a
   * virtual clock records no wait the engine did not ask for. The clock is held (TimeSource.hold())
   * from the failure until the report is over, or until the attempt has started if the reporting
   * thread starts it, so a virtual clock driven while
   * the call looks idle moves neither past the wait nor, after it, to a later timer.
   */
  private void waitOver() {
    if (RETRY_STATE.compareAndSet(this, REPORTING, WAIT_OVER)) {
      return;
    }
    attempt(TimeSource.Hold.NONE);
  }

  @Override
  public RetryDecision decideNow(Throwable failure) {
    Objects.requireNonNull(failure, "failure");
    int attempt = attempts;
    EarlyDecision mine = null;
    while (true) {
      EarlyDecision current = early;
      if (current != null && current.attempt == attempt) {
        if (current.failure != failure) {
          throw new IllegalStateException(
              "decideNow was already called during attempt " + attempt + " for another failure ("
                  + current.failure.getClass().getName() + "); one early decision per attempt");
        }
        return current.get();
      }
      if (mine == null) {
        mine = new EarlyDecision(attempt, failure);
      }
      if (EARLY.compareAndSet(this, current, mine)) {
        break;
      }
    }
    RetryDecision decision;
    try {
      if (isCancellation(failure)) {
        decision = RetryDecision.rethrow();
      } else if (promise.isDone()) {
        decision = callEnded();
      } else {
        decision = decide(failure);
      }
    } catch (RuntimeException | Error problem) {
      mine.failed(problem);
      EARLY.compareAndSet(this, mine, null); // nothing was decided: a later call may try again
      throw problem;
    }
    mine.decided(decision);
    return decision;
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
    EarlyDecision current = early;
    if (current == null || current.attempt != attempt || !current.settle()) {
      return null;
    }
    RetryDecision decision;
    try {
      decision = current.get();
    } catch (RuntimeException | Error decidingFailed) {
      return null; // it threw to decideNow's caller; the engine decides afresh
    }
    if (outcome == current.failure) {
      return decision;
    }
    refundEarly(decision, current.failure);
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
