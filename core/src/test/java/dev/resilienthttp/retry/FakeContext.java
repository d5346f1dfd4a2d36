package dev.resilienthttp.retry;

import java.time.Duration;
import java.util.Optional;

/** A {@link RetryContext} with fixed answers, for calling a retrier directly. */
record FakeContext(int attempts, long previousDelayNanos) implements RetryContext {

  static FakeContext first() {
    return new FakeContext(1, 0);
  }

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public Duration elapsed() {
    return Duration.ZERO;
  }

  @Override
  public Optional<Duration> remaining() {
    return Optional.empty();
  }
}
