package dev.resilienthttp.time;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told to. It starts one hour before {@code Long.MAX_VALUE}, so
 * any test that advances it by more than an hour crosses the overflow, and code that compares
 * readings with {@code a < b} instead of {@code a - b < 0} fails.
 */
public final class ManualTimeSource implements TimeSource {

  public static final long START = Long.MAX_VALUE - Duration.ofHours(1).toNanos();

  private final AtomicLong now = new AtomicLong(START);

  @Override
  public long nanoTime() {
    return now.get();
  }

  @Override
  public void sleep(long nanos) {
    advance(nanos);
  }

  @Override
  public ScheduledTask schedule(Runnable task, long delayNanos) {
    throw new UnsupportedOperationException("not used by the code under test");
  }

  public void advance(Duration duration) {
    advance(duration.toNanos());
  }

  public void advance(long nanos) {
    now.addAndGet(nanos);
  }
}
