package dev.resilienthttp.retry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The per-call state of one run through the engine, shared by the synchronous and the
 * asynchronous paths so that both decide alike. Not thread-safe on its own: a call's attempts
 * run one after another; the asynchronous path guards the little state a deadline timer reads.
 */
abstract class Execution implements RetryContext {

  final Retry retry;
  final Retrier retrier;
  final long startNanos;
  final boolean hasDeadline;
  final long deadlineNanos;
  volatile int attempts;
  long previousDelayNanos;
  /** Failures of attempts before the current one, oldest first. */
  private List<Throwable> earlier;

  Execution(Retry retry, Retrier retrier, long startNanos, boolean hasDeadline, long deadlineNanos) {
    this.retry = retry;
    this.retrier = retrier;
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
   * {@linkplain #isCancellation cancellation}.
   */
  final RetryDecision decide(Throwable failure) {
    if (hasDeadline && retry.time.nanoTime() - deadlineNanos >= 0) {
      return new RetryDecision.GiveUp(
          GiveUpReason.DEADLINE,
          "deadline of " + Durations.format(deadlineNanos - startNanos) + " passed after "
              + plural(attempts, "attempt"));
    }
    RetryDecision decision = retrier.decide(this, failure, attempts);
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
    }
    return decision;
  }

  /** Remembers the failure of an attempt that will be retried. */
  final void recordRetriedFailure(Throwable failure) {
    synchronized (this) {
      if (earlier == null) {
        earlier = new ArrayList<>(4);
      }
      earlier.add(failure);
    }
  }

  /** The exception for a give-up decision on {@code last}. */
  final RuntimeException giveUpException(RetryDecision.GiveUp giveUp, Throwable last) {
    RetryExhaustedException exhausted =
        new RetryExhaustedException(giveUp.reason(), giveUp.detail(), attempts, last);
    addEarlierTo(exhausted, last);
    Listeners.gaveUp(retry.listeners, this, giveUp.reason(), attempts, last);
    return exhausted;
  }

  /** Adds the failures of earlier attempts as suppressed to {@code target}. */
  final void addEarlierTo(Throwable target, Throwable except) {
    List<Throwable> copy;
    synchronized (this) {
      if (earlier == null) {
        return;
      }
      copy = List.copyOf(earlier);
    }
    for (Throwable failure : copy) {
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
