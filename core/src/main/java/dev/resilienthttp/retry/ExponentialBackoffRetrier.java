package dev.resilienthttp.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;

/**
 * Retries with exponentially growing, capped and jittered delays.
 *
 * <p>The delay after attempt {@code n} is {@code min(maxDelay, initialDelay * multiplier^(n-1))},
 * randomised by the {@link Jitter} mode. Defaults ({@link #ofDefaults()}): 3 attempts, 100 ms
 * initial delay, 5 s maximum delay, multiplier 2.0, {@link Jitter#FULL full jitter}, every
 * {@linkplain Retrier#isTransientFailure transient failure} retryable (no programming error
 * such as a {@link NullPointerException}, no {@link Error}). With no jitter the waits are 100, 200, 400 ms, ...
 *
 * <p>Immutable and thread-safe.
 */
public final class ExponentialBackoffRetrier implements Retrier {

  private static final ExponentialBackoffRetrier DEFAULTS = builder().build();

  private final int maxAttempts;
  private final long initialNanos;
  private final long maxNanos;
  private final double multiplier;
  private final Jitter jitter;
  private final DoubleSupplier random;
  private final Predicate<? super Throwable> retryIf;

  private ExponentialBackoffRetrier(Builder builder) {
    this.maxAttempts = builder.maxAttempts;
    this.initialNanos = builder.initialDelay.toNanos();
    this.maxNanos = builder.maxDelay.toNanos();
    this.multiplier = builder.multiplier;
    this.jitter = builder.jitter;
    this.random = builder.random;
    this.retryIf = builder.retryIf;
  }

  /** Returns the retrier with every default: 3 attempts, 100 ms, x2, 5 s cap, full jitter. */
  public static ExponentialBackoffRetrier ofDefaults() {
    return DEFAULTS;
  }

  /** Returns a new builder holding the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public int maxAttempts() {
    return maxAttempts;
  }

  @Override
  public boolean shouldRetry(RetryContext context, Throwable failure, int attempt) {
    return retryIf.test(failure);
  }

  @Override
  public Duration delay(RetryContext context, Throwable failure, int attempt) {
    return Duration.ofNanos(delayNanos(context, failure, attempt));
  }

  @Override
  public long delayNanos(RetryContext context, Throwable failure, int attempt) {
    long backoff = backoffNanos(attempt);
    if (jitter == Jitter.NONE) {
      return backoff;
    }
    double draw = Checks.draw("random", random.getAsDouble());
    long delay = jitter.apply(backoff, initialNanos, context.previousDelayNanos(), maxNanos, draw);
    // Floating-point rounding of a draw just below 1 times a delay near Long.MAX_VALUE can land
    // a few nanoseconds past the cap, or past Long.MAX_VALUE into a negative long.
    return delay < 0 || delay > maxNanos ? maxNanos : delay;
  }

  /** The capped exponential delay after attempt {@code attempt}, before jitter. */
  long backoffNanos(int attempt) {
    double delay = initialNanos * Math.pow(multiplier, Math.max(0, attempt - 1));
    return delay >= maxNanos ? maxNanos : (long) delay;
  }

  /** The initial delay. */
  public Duration initialDelay() {
    return Duration.ofNanos(initialNanos);
  }

  /** The maximum delay. */
  public Duration maxDelay() {
    return Duration.ofNanos(maxNanos);
  }

  /** The multiplier applied after each attempt. */
  public double multiplier() {
    return multiplier;
  }

  /** The jitter mode. */
  public Jitter jitter() {
    return jitter;
  }

  /** Returns a builder holding this retrier's settings. */
  public Builder toBuilder() {
    Builder builder = new Builder();
    builder.maxAttempts = maxAttempts;
    builder.initialDelay = initialDelay();
    builder.maxDelay = maxDelay();
    builder.multiplier = multiplier;
    builder.jitter = jitter;
    builder.random = random;
    builder.retryIf = retryIf;
    return builder;
  }

  @Override
  public String toString() {
    return "ExponentialBackoffRetrier{maxAttempts=" + maxAttempts
        + ", initialDelay=" + initialDelay()
        + ", maxDelay=" + maxDelay()
        + ", multiplier=" + multiplier
        + ", jitter=" + jitter + '}';
  }

  /**
   * Builds an {@link ExponentialBackoffRetrier}. Each setter checks its value at once; {@link
   * #build()} checks that the maximum delay is not below the initial one. Not thread-safe.
   */
  public static final class Builder {
    private int maxAttempts = 3;
    private Duration initialDelay = Duration.ofMillis(100);
    private Duration maxDelay = Duration.ofSeconds(5);
    private double multiplier = 2.0;
    private Jitter jitter = Jitter.FULL;
    private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
    private Predicate<? super Throwable> retryIf = Retrier::isTransientFailure;

    private Builder() {}

    /**
     * Sets the total number of attempts, counting the first (default 3).
     *
     * @throws IllegalArgumentException if {@code maxAttempts < 1}
     */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = Checks.atLeastOne("maxAttempts", maxAttempts);
      return this;
    }

    /**
     * Sets the delay before the first retry (default 100 ms).
     *
     * @throws IllegalArgumentException if {@code initialDelay} is not in (0, {@code Long.MAX_VALUE}
     *     nanoseconds] (about 292 years)
     */
    public Builder initialDelay(Duration initialDelay) {
      this.initialDelay = Checks.positive("initialDelay", initialDelay);
      return this;
    }

    /**
     * Sets the cap on every delay (default 5 s).
     *
     * @throws IllegalArgumentException if {@code maxDelay} is not in (0, {@code Long.MAX_VALUE}
     *     nanoseconds] (about 292 years)
     */
    public Builder maxDelay(Duration maxDelay) {
      this.maxDelay = Checks.positive("maxDelay", maxDelay);
      return this;
    }

    /**
     * Sets the factor applied to the delay after each attempt (default 2.0).
     *
     * @throws IllegalArgumentException if {@code multiplier} is below 1, NaN or infinite
     */
    public Builder multiplier(double multiplier) {
      this.multiplier = Checks.multiplier("multiplier", multiplier);
      return this;
    }

    /** Sets the jitter mode (default {@link Jitter#FULL}). */
    public Builder jitter(Jitter jitter) {
      this.jitter = Objects.requireNonNull(jitter, "jitter");
      return this;
    }

    /**
     * Sets the source of uniform random draws in {@code [0, 1)} used for jitter (default {@link
     * ThreadLocalRandom}). It must be thread-safe when the retrier is shared. A draw outside
     * {@code [0, 1)}, or NaN, is never used: the call that needed it fails with an {@link
     * IllegalStateException} naming {@code random}, the range and the draw. With every draw in
     * range, each delay is within {@code [0, maxDelay]}.
     */
    public Builder random(DoubleSupplier random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Sets which failures are retryable (default {@link Retrier#isTransientFailure}: every
     * {@link Exception} but those reporting a programming error, no {@link Error}).
     */
    public Builder retryIf(Predicate<? super Throwable> retryIf) {
      this.retryIf = Objects.requireNonNull(retryIf, "retryIf");
      return this;
    }

    /**
     * Returns a new retrier with these settings.
     *
     * @throws IllegalArgumentException if {@code maxDelay} is below {@code initialDelay}
     */
    public ExponentialBackoffRetrier build() {
      if (maxDelay.compareTo(initialDelay) < 0) {
        throw new IllegalArgumentException(
            "maxDelay must be >= initialDelay (" + initialDelay + ") but was " + maxDelay);
      }
      return new ExponentialBackoffRetrier(this);
    }
  }
}
