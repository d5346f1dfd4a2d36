package dev.resilienthttp.retry;

/**
 * How a backoff delay is randomised so that many clients that failed together do not retry
 * together. Each mode is a pure function of one uniform random draw in {@code [0, 1)}.
 *
 * <p>With {@code backoff} the capped exponential delay of the attempt:
 *
 * <ul>
 *   <li>{@link #NONE}: {@code backoff};
 *   <li>{@link #FULL}: uniform in {@code [0, backoff)};
 *   <li>{@link #EQUAL}: half fixed, half random, uniform in {@code [backoff/2, backoff)};
 *   <li>{@link #DECORRELATED}: uniform in {@code [initial, min(cap, 3 * previous))}, where
 *       {@code previous} is the previous delay (the initial delay before the first retry).
 * </ul>
 */
/* The four modes and their names are those of Marc Brooker, "Exponential Backoff And Jitter"
 * (AWS Architecture Blog, 2015). Its simulation of N clients racing to update one row found
 * full jitter the fewest calls and no jitter by far the most; BENCHMARKS.md B8 replays it.
 * Decorrelated jitter grows from the previous delay rather than from the attempt number, so it
 * ignores the multiplier. */
public enum Jitter {
  /** No randomness: the delay is the capped exponential backoff. */
  NONE {
    @Override
    public long apply(long backoffNanos, long initialNanos, long previousNanos, long capNanos, double draw) {
      return backoffNanos;
    }
  },
  /** Uniform in {@code [0, backoff)}. */
  FULL {
    @Override
    public long apply(long backoffNanos, long initialNanos, long previousNanos, long capNanos, double draw) {
      return (long) (backoffNanos * draw);
    }
  },
  /** Uniform in {@code [backoff/2, backoff)}. */
  EQUAL {
    @Override
    public long apply(long backoffNanos, long initialNanos, long previousNanos, long capNanos, double draw) {
      long half = backoffNanos / 2;
      return half + (long) ((backoffNanos - half) * draw);
    }
  },
  /** Uniform in {@code [initial, min(cap, 3 * previous))}. */
  DECORRELATED {
    @Override
    public long apply(long backoffNanos, long initialNanos, long previousNanos, long capNanos, double draw) {
      long previous = previousNanos > 0 ? previousNanos : initialNanos;
      long upper = previous > capNanos / 3 ? capNanos : previous * 3;
      if (upper <= initialNanos) {
        return Math.min(initialNanos, capNanos);
      }
      return initialNanos + (long) ((upper - initialNanos) * draw);
    }
  };

  /**
   * Returns the delay for one retry.
   *
   * @param backoffNanos the capped exponential delay of this attempt
   * @param initialNanos the configured initial delay
   * @param previousNanos the previous delay, 0 before the first retry
   * @param capNanos the configured maximum delay
   * @param draw a uniform random number in {@code [0, 1)}
   */
  public abstract long apply(
      long backoffNanos, long initialNanos, long previousNanos, long capNanos, double draw);
}
