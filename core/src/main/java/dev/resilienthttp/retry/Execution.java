package dev.resilienthttp.retry;

import dev.resilienthttp.budget.RetryBudget;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The per-call state of one run through the engine, shared by the synchronous and the
 * asynchronous paths so that both decide alike. Not thread-safe on its own: a call's attempts
 * run one after another; the asynchronous path guards the little state a deadline timer reads.
 */
abstract class Execution implements RetryContext {

  final Retry retry;
  /** Decides after each failed attempt: the effective retrier, or the caller's own decider. */
  final RetryDecider decider;
  /** The budget every retry of this call is paid from, or {@code null}. */
  final RetryBudget budget;
  final long startNanos;
  final boolean hasDeadline;
  final long deadlineNanos;
  volatile int attempts;
  long previousDelayNanos;
  /** Whether the retry that led to the current attempt was paid from the budget. */
  private boolean lastRetryPaid;
  /** Whether the retry that led to the current attempt followed a timeout (what it cost). */
  private boolean lastRetryAfterTimeout;
  /**
   * Whether another thread may read the earlier failures while they are recorded (a deadline
   * timer of an asynchronous call): then {@link #earliest} and {@link #later} are guarded by
   * {@code this}; a synchronous call reads and writes them on its own thread and takes no lock.
   */
  private final boolean guarded;
  /** The failure of the first attempt that was retried, or {@code null}. */
  private Throwable earliest;
  /** Failures of later retried attempts, oldest first, in {@code later[0..laterCount)}. */
  private Throwable[] later;
  private int laterCount;

  Execution(
      Retry retry, RetryDecider decider, RetryBudget budget, long startNanos, boolean hasDeadline,
      long deadlineNanos, boolean guarded) {
    this.guarded = guarded;
    this.retry = retry;
    this.decider = decider;
    this.budget = budget;
    this.startNanos = startNanos;
    this.hasDeadline = hasDeadline;
    this.deadlineNanos = deadlineNanos;
  }

  @Override
  public String name() {
    return retry.name;
  }

  @Override
  public int attempts() {
    return attempts;
  }

  @Override
  public Duration elapsed() {
    return Duration.ofNanos(retry.time.nanoTime() - startNanos);
  }

  @Override
  public Optional<Duration> remaining() {
    if (!hasDeadline) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofNanos(Math.max(0, deadlineNanos - retry.time.nanoTime())));
  }

  @Override
  public long previousDelayNanos() {
    return previousDelayNanos;
  }

  /** Whether {@code failure} is an interruption or a cancellation, never retried. */
  static boolean isCancellation(Throwable failure) {
    return failure instanceof InterruptedException || failure instanceof CancellationException;
  }

  /**
   * What to do after attempt {@link #attempts} failed with {@code failure}, which is not a
   * {@linkplain #isCancellation cancellation}: the deadline, then the decider, then the deadline
   * again for the wait, then the budget, which is paid for a retry returned here.
   */
  final RetryDecision decide(Throwable failure) {
    if (hasDeadline && retry.time.nanoTime() - deadlineNanos >= 0) {
      return new RetryDecision.GiveUp(
          GiveUpReason.DEADLINE,
          "deadline of " + Durations.format(deadlineNanos - startNanos) + " passed after "
              + plural(attempts, "attempt"));
    }
    RetryDecision decision = decider.decide(this, failure, attempts);
    if (decision instanceof RetryDecision.RetryAfter) {
      long delay = ((RetryDecision.RetryAfter) decision).delayNanos();
      if (hasDeadline) {
        long left = deadlineNanos - retry.time.nanoTime();
        // A wait ending exactly at the deadline is refused too: the attempt after it would have
        // no time left, and asynchronously it would race the deadline timer due at that instant.
        if (delay - left >= 0) {
          return new RetryDecision.GiveUp(
              GiveUpReason.DEADLINE,
              "deadline of " + Durations.format(deadlineNanos - startNanos) + " would pass before attempt "
                  + (attempts + 1) + " (wait " + Durations.format(delay) + ", "
                  + Durations.format(left) + " left)");
        }
      }
      if (budget != null && isPaid(decision)) {
        boolean afterTimeout = chargedAsTimeout(decision, failure);
        if (!budget.tryAcquireRetry(afterTimeout)) {
          return new RetryDecision.GiveUp(
              GiveUpReason.BUDGET_EXHAUSTED,
              "retry budget '" + budget.name() + "' exhausted after " + plural(attempts, "attempt"));
        }
      }
    }
    return decision;
  }

  /**
   * Records that the call goes on with a retry after {@code failure}, which {@link #decide} paid
   * for: a success on the next attempt refunds what was paid.
   */
  final void retrying(Throwable failure, RetryDecision decision) {
    lastRetryPaid = isPaid(decision);
    lastRetryAfterTimeout = chargedAsTimeout(decision, failure);
  }

  /** Whether the budget is paid for {@code decision}, a retry. */
  static boolean isPaid(RetryDecision decision) {
    return ((RetryDecision.RetryAfter) decision).charge() != RetryDecision.Charge.FREE;
  }

  /** Whether {@code decision}, a retry after {@code failure}, costs the budget's timeout price. */
  static boolean chargedAsTimeout(RetryDecision decision, Throwable failure) {
    RetryDecision.Charge charge = ((RetryDecision.RetryAfter) decision).charge();
    return charge == RetryDecision.Charge.TIMEOUT_RETRY
        || (charge == RetryDecision.Charge.BY_FAILURE && isTimeout(failure));
  }

  /** Refunds a retry that {@code decision}, made early for {@code failure}, paid for and that did not happen. */
  final void refundEarly(RetryDecision decision, Throwable failure) {
    if (budget != null && decision instanceof RetryDecision.RetryAfter && isPaid(decision)) {
      budget.onRetrySuccess(chargedAsTimeout(decision, failure));
    }
  }

  /** Whether {@code failure} is a timeout, which a retry budget charges more for. */
  static boolean isTimeout(Throwable failure) {
    return failure instanceof TimeoutException || failure instanceof SocketTimeoutException;
  }

  /**
   * Credits the call's retry budget, if it has one, for a call that succeeded on attempt
   * {@code attempt}: a first-attempt success earns a little back, a success on a retry (which
   * was paid for) is refunded.
   */
  final void creditBudget(int attempt) {
    if (budget == null) {
      return;
    }
    if (attempt == 1) {
      budget.onFirstAttemptSuccess();
    } else if (lastRetryPaid) {
      budget.onRetrySuccess(lastRetryAfterTimeout);
    }
  }

  /**
   * Remembers the failure of an attempt that will be retried. The same instance failing again
   * right after itself (a call rethrowing one preallocated exception) is remembered once: adding
   * it to the suppressed list twice would say nothing more, and this keeps an outage of such a
   * call allocation-free here.
   */
  final void recordRetriedFailure(Throwable failure) {
    if (guarded) {
      synchronized (this) {
        remember(failure);
      }
    } else {
      remember(failure);
    }
  }

  private void remember(Throwable failure) {
    if (earliest == null) {
      earliest = failure;
      return;
    }
    Throwable latest = laterCount == 0 ? earliest : later[laterCount - 1];
    if (failure == latest) {
      return;
    }
    if (later == null) {
      later = new Throwable[4];
    } else if (laterCount == later.length) {
      later = Arrays.copyOf(later, laterCount * 2);
    }
    later[laterCount++] = failure;
  }

  /** The exception for a give-up decision on {@code last}. */
  final RuntimeException giveUpException(RetryDecision.GiveUp giveUp, Throwable last) {
    RetryExhaustedException exhausted =
        new RetryExhaustedException(giveUp.reason(), giveUp.detail(), attempts, last);
    addEarlierTo(exhausted, last);
    Listeners.gaveUp(retry.listeners, this, giveUp.reason(), attempts, last);
    return exhausted;
  }

  /**
   * Adds the failures of earlier attempts as suppressed to {@code target}, oldest first, leaving
   * out {@code target} itself and {@code except}.
   */
  final void addEarlierTo(Throwable target, Throwable except) {
    if (!guarded) {
      addEarlier(target, except, earliest, later, laterCount);
      return;
    }
    Throwable first;
    Throwable[] rest;
    synchronized (this) {
      first = earliest;
      rest = laterCount == 0 ? null : Arrays.copyOf(later, laterCount);
    }
    addEarlier(target, except, first, rest, rest == null ? 0 : rest.length);
  }

  private static void addEarlier(
      Throwable target, Throwable except, Throwable first, Throwable[] rest, int restCount) {
    if (first != null && first != target && first != except) {
      target.addSuppressed(first);
    }
    for (int i = 0; i < restCount; i++) {
      Throwable failure = rest[i];
      if (failure != target && failure != except) {
        target.addSuppressed(failure);
      }
    }
  }

  /** Prepares {@code failure} to be rethrown unwrapped and reports why. */
  final Throwable rethrown(Throwable failure, GiveUpReason reason) {
    addEarlierTo(failure, failure);
    Listeners.gaveUp(retry.listeners, this, reason, attempts, failure);
    return failure;
  }

  static Throwable unwrap(Throwable failure) {
    Throwable current = failure;
    while ((current instanceof CompletionException || current instanceof ExecutionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }

  static String plural(int count, String noun) {
    return count + " " + noun + (count == 1 ? "" : "s");
  }

  @SuppressWarnings("unchecked")
  static <X extends Throwable> RuntimeException sneakyThrow(Throwable failure) throws X {
    throw (X) failure;
  }
}
