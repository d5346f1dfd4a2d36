package dev.resilienthttp.retry;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An early decision ({@link AttemptContext#decideNow}) made during one attempt of an
 * asynchronous call. Lock-free: the thread that claimed it computes the decision; another thread
 * asking for it meanwhile, or the engine settling it when the attempt ends, waits for that
 * decision without holding any monitor.
 */
final class EarlyDecision {

  final int attempt;
  final Throwable failure;
  private final CompletableFuture<RetryDecision> decision = new CompletableFuture<>();
  private final AtomicBoolean settled = new AtomicBoolean();

  EarlyDecision(int attempt, Throwable failure) {
    this.attempt = attempt;
    this.failure = failure;
  }

  /** Records the decision computed for {@link #failure}. */
  void decided(RetryDecision value) {
    decision.complete(value);
  }

  /** Records that computing the decision failed with {@code problem}. */
  void failed(Throwable problem) {
    decision.completeExceptionally(problem);
  }

  /**
   * The decision, once the claiming thread has computed it.
   *
   * @throws RuntimeException or {@link Error} what computing it threw
   */
  RetryDecision get() {
    try {
      return decision.join();
    } catch (CompletionException e) {
      throw Execution.<RuntimeException>sneakyThrow(e.getCause());
    }
  }

  /** Whether this call is the first to settle it: act on it or refund it, exactly once. */
  boolean settle() {
    return settled.compareAndSet(false, true);
  }
}
