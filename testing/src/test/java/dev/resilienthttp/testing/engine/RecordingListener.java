package dev.resilienthttp.testing.engine;

import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.retry.RetryContext;
import dev.resilienthttp.retry.RetryListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Records every listener event as a line of text, and the scheduled delays. Thread-safe. */
final class RecordingListener implements RetryListener {

  private final List<String> events = new ArrayList<>();
  private final List<Duration> delays = new ArrayList<>();

  @Override
  public synchronized void onAttemptStarted(RetryContext context, int attempt) {
    events.add("attempt " + attempt + " started");
  }

  @Override
  public synchronized void onRetryScheduled(
      RetryContext context, int attempt, Duration delay, Throwable failure) {
    events.add("attempt " + attempt + " failed (" + failure.getMessage() + "), retry in " + delay);
    delays.add(delay);
  }

  @Override
  public synchronized void onSuccess(RetryContext context, int attempts) {
    events.add("succeeded after " + attempts);
  }

  @Override
  public synchronized void onGiveUp(
      RetryContext context, GiveUpReason reason, int attempts, Throwable failure) {
    events.add("gave up " + reason + " after " + attempts + " ("
        + (failure == null ? "no failure" : failure.getMessage()) + ")");
  }

  synchronized List<String> events() {
    return List.copyOf(events);
  }

  /** The delays of the scheduled retries, in order. */
  synchronized List<Duration> delays() {
    return List.copyOf(delays);
  }

  synchronized Duration totalDelay() {
    return delays.stream().reduce(Duration.ZERO, Duration::plus);
  }
}
