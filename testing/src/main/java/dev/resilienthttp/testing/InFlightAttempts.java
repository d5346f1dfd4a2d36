package dev.resilienthttp.testing;

import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.retry.RetryContext;
import dev.resilienthttp.retry.RetryListener;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link RetryListener} counting attempts that started and have not finished yet. Pass {@link
 * #none()} to {@link VirtualTime#drive(java.util.concurrent.CompletableFuture,
 * java.util.function.BooleanSupplier)} so the clock moves only while no attempt does real I/O.
 * Thread-safe.
 */
public final class InFlightAttempts implements RetryListener {

  private final AtomicInteger inFlight = new AtomicInteger();
  private final VirtualTime time;

  /** @param time the clock to wake when an attempt finishes */
  public InFlightAttempts(VirtualTime time) {
    this.time = time;
  }

  /** Whether no attempt is in flight. */
  public boolean none() {
    return inFlight.get() == 0;
  }

  @Override
  public void onAttemptStarted(RetryContext context, int attempt) {
    inFlight.incrementAndGet();
  }

  @Override
  public void onRetryScheduled(RetryContext context, int attempt, Duration delay, Throwable failure) {
    finished();
  }

  @Override
  public void onSuccess(RetryContext context, int attempts) {
    finished();
  }

  @Override
  public void onGiveUp(RetryContext context, GiveUpReason reason, int attempts, Throwable failure) {
    finished();
  }

  private void finished() {
    inFlight.decrementAndGet();
    time.wake();
  }
}
