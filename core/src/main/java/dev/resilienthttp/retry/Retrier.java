package dev.resilienthttp.retry;

import java.time.Duration;

/**
 * Decides whether a failed attempt is tried again and how long to wait first.
 *
 * <p>A retrier answers three questions: should this failure be retried ({@link #shouldRetry}),
 * how long to wait before the next attempt ({@link #delay}), and how many attempts in all
 * ({@link #maxAttempts}, counting the first). It never waits itself: the engine ({@link Retry})
 * waits through its injected {@link dev.resilienthttp.time.TimeSource}, so schedules can be
 * tested in virtual time and asynchronous calls never block a thread.
 *
 * <p>Whatever a retrier answers, the engine never retries an interruption, a cancellation or a
 * call whose deadline has passed, and never starts a wait that would end at or after the deadline.
 *
 * <p>Implementations must be immutable and thread-safe: one retrier serves many concurrent
 * calls. Per-call state is read from the {@link RetryContext}.
 *
 * <p>The library ships {@link #none()} (what applies when nothing is configured), {@link
 * ExponentialBackoffRetrier} and {@link FixedDelayRetrier}. A custom retrier is a small class:
 *
 * <pre>{@code
 * Retrier fixed = new Retrier() {
 *   public int maxAttempts() { return 4; }
 *   public boolean shouldRetry(RetryContext context, Throwable failure, int attempt) {
 *     return failure instanceof IOException;
 *   }
 *   public Duration delay(RetryContext context, Throwable failure, int attempt) {
 *     return Duration.ofMillis(250);
 *   }
 * };
 * }</pre>
 */
public interface Retrier extends RetryDecider {

  /** The total number of attempts allowed, counting the first; at least 1. */
  int maxAttempts();

  /**
   * Returns whether {@code failure}, the outcome of attempt number {@code attempt} (1 for the
   * first attempt), may be retried. A failure declined here is rethrown to the caller as it is.
   * The engine asks this before it checks {@link #maxAttempts()}, so a retryable failure on the
   * last attempt ends in a {@link RetryExhaustedException}.
   */
  boolean shouldRetry(RetryContext context, Throwable failure, int attempt);

  /**
   * Returns how long to wait after attempt number {@code attempt} failed with {@code failure}
   * before starting the next one. Called only when {@link #shouldRetry} said yes and attempts
   * remain. Must not be negative.
   */
  Duration delay(RetryContext context, Throwable failure, int attempt);

  /**
   * The same as {@link #delay} in nanoseconds; the engine calls this one. Built-in retriers
   * override it so that computing a delay allocates nothing.
   */
  default long delayNanos(RetryContext context, Throwable failure, int attempt) {
    return delay(context, failure, attempt).toNanos();
  }

  /**
   * The engine's question, answered from the three above by default: rethrow when {@link
   * #shouldRetry} says no, give up with {@link GiveUpReason#MAX_ATTEMPTS} when {@code attempt}
   * reached {@link #maxAttempts()}, else retry after {@link #delayNanos}. Override it to give up
   * for a reason of one's own (an HTTP layer ends retries when a server asks for a longer wait
   * than allowed); most retriers never need to.
   */
  @Override
  default RetryDecision decide(RetryContext context, Throwable failure, int attempt) {
    if (!shouldRetry(context, failure, attempt)) {
      return RetryDecision.rethrow();
    }
    if (attempt >= maxAttempts()) {
      return Decisions.maxAttempts(maxAttempts());
    }
    return Decisions.retryAfterNanos(delayNanos(context, failure, attempt));
  }

  /**
   * Whether {@code failure} may be a passing fault worth retrying: the default {@code retryIf} of
   * {@link ExponentialBackoffRetrier} and {@link FixedDelayRetrier}. Every {@link Exception} is,
   * except the ones that report a programming error, which fail the same way on every attempt:
   * {@link NullPointerException}, {@link IllegalArgumentException}, {@link
   * IllegalStateException}, {@link ClassCastException}, {@link UnsupportedOperationException},
   * {@link IndexOutOfBoundsException}, {@link ArithmeticException}, {@link ArrayStoreException},
   * {@link NegativeArraySizeException} and their subclasses (a {@link NumberFormatException} is
   * an {@code IllegalArgumentException}). An {@link Error} never is. A {@link
   * java.util.concurrent.CompletionException} or {@link java.util.concurrent.ExecutionException}
   * is judged by its innermost cause.
   *
   * <p>Compose it to widen or narrow the default:
   *
   * <pre>{@code
   * ExponentialBackoffRetrier.builder()
   *     .retryIf(f -> Retrier.isTransientFailure(f) || f instanceof IllegalStateException)
   *     .build();
   * }</pre>
   */
  static boolean isTransientFailure(Throwable failure) {
    Throwable judged = Execution.unwrap(failure);
    return judged instanceof Exception
        && !(judged instanceof NullPointerException
            || judged instanceof IllegalArgumentException
            || judged instanceof IllegalStateException
            || judged instanceof ClassCastException
            || judged instanceof UnsupportedOperationException
            || judged instanceof IndexOutOfBoundsException
            || judged instanceof ArithmeticException
            || judged instanceof ArrayStoreException
            || judged instanceof NegativeArraySizeException);
  }

  /**
   * Returns the no-op retrier: exactly one attempt, never a retry. It is what applies wherever
   * nothing else was configured, so adding the library changes nothing by itself.
   */
  static Retrier none() {
    return NoRetry.INSTANCE;
  }
}
