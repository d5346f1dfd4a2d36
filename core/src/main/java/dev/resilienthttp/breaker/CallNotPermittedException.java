package dev.resilienthttp.breaker;

import java.time.Duration;
import java.util.Objects;

/**
 * Thrown when a {@link CircuitBreaker} refuses a call, for example:
 * {@code circuit breaker 'api.example.com:443' is OPEN; next probe in 12.3 s}.
 *
 * <p>It is created without a stack trace (the trace would say nothing but "the breaker
 * refused", and filling it in would cost more than the whole fail-fast path), and its message
 * is only formatted when asked for. Immutable.
 */
public final class CallNotPermittedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String breakerName;
  private final CircuitBreaker.State state;
  /** As given to the public constructor; {@code null} when created from nanoseconds. */
  private final Duration untilNextProbe;
  private final long untilNextProbeNanos;

  /**
   * Creates the exception for a refusal by the breaker {@code breakerName}.
   *
   * @param breakerName the name of the breaker that refused the call
   * @param state the state that refused it, {@code OPEN} or {@code HALF_OPEN}
   * @param untilNextProbe how long until the breaker lets a probe through: the rest of the open
   *     duration when {@code OPEN}; zero when {@code HALF_OPEN} (it is probing now, and what
   *     comes next depends on the outcome of the probes in flight)
   * @throws NullPointerException if any argument is null
   * @throws IllegalArgumentException if {@code untilNextProbe} is negative
   */
  public CallNotPermittedException(
      String breakerName, CircuitBreaker.State state, Duration untilNextProbe) {
    super(null, null, true, false);
    this.breakerName = Objects.requireNonNull(breakerName, "breakerName");
    this.state = Objects.requireNonNull(state, "state");
    this.untilNextProbe = Objects.requireNonNull(untilNextProbe, "untilNextProbe");
    if (untilNextProbe.isNegative()) {
      throw new IllegalArgumentException(
          "untilNextProbe must be >= 0 but was " + untilNextProbe);
    }
    this.untilNextProbeNanos = 0; // unused: untilNextProbe is set
  }

  /**
   * The breaker's own refusals: the same exception, with the time until the next probe in
   * nanoseconds (at least 0), turned into a {@code Duration} only when asked for. A refusal
   * allocates this exception and nothing else.
   */
  CallNotPermittedException(String breakerName, CircuitBreaker.State state, long untilNextProbeNanos) {
    super(null, null, true, false);
    this.breakerName = breakerName;
    this.state = state;
    this.untilNextProbe = null;
    this.untilNextProbeNanos = untilNextProbeNanos;
  }

  /** Returns the name of the breaker that refused the call. */
  public String breakerName() {
    return breakerName;
  }

  /** Returns the state that refused the call, {@code OPEN} or {@code HALF_OPEN}. */
  public CircuitBreaker.State state() {
    return state;
  }

  /**
   * Returns how long after the refusal the breaker lets a probe through; zero when it was
   * {@code HALF_OPEN}.
   */
  public Duration untilNextProbe() {
    return untilNextProbe != null ? untilNextProbe : Duration.ofNanos(untilNextProbeNanos);
  }

  /**
   * Returns {@code circuit breaker '<name>' is OPEN; next probe in 12.3 s} (tenths of a
   * second, rounded up so that a wait still to come never reads 0.0 s), or for a half-open
   * breaker {@code circuit breaker '<name>' is HALF_OPEN; waiting for the probes in flight}.
   */
  @Override
  public String getMessage() {
    String prefix = "circuit breaker '" + breakerName + "' is " + state + "; ";
    if (state != CircuitBreaker.State.OPEN) {
      return prefix + "waiting for the probes in flight";
    }
    return prefix + "next probe in " + tenthsOfSecond(untilNextProbe()) + " s";
  }

  private static String tenthsOfSecond(Duration duration) {
    long seconds = duration.getSeconds();
    int tenths = (duration.getNano() + 99_999_999) / 100_000_000;
    if (tenths == 10) {
      seconds++;
      tenths = 0;
    }
    return seconds + "." + tenths;
  }
}
