package dev.resilienthttp.breaker;

import dev.resilienthttp.internal.DefaultTimeSource;
import dev.resilienthttp.internal.DurationChecks;
import dev.resilienthttp.time.TimeSource;
import java.time.Duration;
import java.util.Objects;

/**
 * Fails calls to a backend fast while it is down, and probes it back to health. Keep one
 * breaker per backend and share it between every call to that backend.
 *
 * <p>Each call asks {@link #tryAcquirePermission()} (or {@link #acquirePermission()}) first; a
 * permitted call then reports exactly one of {@link #onSuccess()}, {@link #onFailure()} or, when
 * its outcome says nothing about the backend's health (it was cancelled, say), {@link
 * #releasePermission()}.
 *
 * <ul>
 *   <li>{@link State#CLOSED}: every call is permitted. The breaker opens after {@code
 *       consecutiveFailureThreshold} failures in a row, or when the failure rate over the last
 *       {@code slidingWindowSize} calls reaches {@code failureRateThreshold} once at least
 *       {@code minimumNumberOfCalls} calls were recorded.
 *   <li>{@link State#OPEN}: every call is refused, for {@code openDuration}.
 *   <li>{@link State#HALF_OPEN}: reached by the first call asked for after the open duration.
 *       Exactly {@code halfOpenProbes} calls (the probes) are permitted, never more, however
 *       many threads ask at once; the others are refused. When that many probes have
 *       succeeded the breaker closes, with a fresh window; a single failure re-opens it for
 *       another {@code openDuration}.
 * </ul>
 *
 * <p>An outcome counts for the state the breaker is in when it is reported. Outcomes reported
 * while {@code OPEN} are ignored; a call permitted while {@code CLOSED} that reports while
 * {@code HALF_OPEN} counts like a probe's outcome (it is just as recent a sign of the
 * backend's health), except that successes never outnumber the probes let through.
 *
 * <p>Implementations are thread-safe. The one built here is lock-free, and its closed-state
 * path (permission, then success) allocates nothing.
 */
public interface CircuitBreaker {

  /** The states of a circuit breaker. */
  enum State {
    /** Calls go through; outcomes are counted. */
    CLOSED,
    /** Calls are refused until the open duration has passed. */
    OPEN,
    /** A limited number of probe calls go through; their outcomes close or re-open it. */
    HALF_OPEN
  }

  /** Returns the name of this breaker, usually the backend it protects. */
  String name();

  /**
   * Returns the current state. If the breaker is {@code OPEN} and its open duration has
   * passed, this moves it to {@code HALF_OPEN} first (and the listener hears about it), so the
   * state returned is never stale by more than the race with other threads.
   */
  State state();

  /**
   * Asks to make a call. Never blocks and, when closed, never allocates.
   *
   * @return {@code true} if the call may go ahead: it must then report exactly one of {@link
   *     #onSuccess()}, {@link #onFailure()} or {@link #releasePermission()}; {@code false} if the
   *     breaker refuses it (the listener hears {@link CircuitBreakerListener#onCallRejected})
   */
  boolean tryAcquirePermission();

  /**
   * Asks to make a call, like {@link #tryAcquirePermission()}, but throws when it is refused.
   *
   * @throws CallNotPermittedException if the breaker refuses the call; it has no stack trace
   *     and says the breaker's name, its state and the time until the next probe
   */
  void acquirePermission();

  /** Reports that a permitted call succeeded. Never blocks; when closed, never allocates. */
  void onSuccess();

  /** Reports that a permitted call failed in a way that counts against the backend's health. */
  void onFailure();

  /**
   * Reports that a permitted call ended without an outcome that should count (cancelled, or
   * failed for a reason of the caller's own). When {@code HALF_OPEN} this frees the call's
   * probe slot so that another probe may go; in other states it does nothing.
   */
  void releasePermission();

  /**
   * Returns a builder for a breaker with the given name and the defaults of {@link
   * #ofDefaults(String)}.
   *
   * @param name the name reported in events and exceptions, usually the backend ({@code
   *     "api.example.com:443"})
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * Returns a breaker with the defaults: opens after 5 consecutive failures, or at a failure
   * rate of 50 % over the last 20 calls once at least 10 were made; stays open 30 s; then lets
   * 1 probe through. Uses {@link TimeSource#system()} (or the time source of a {@link
   * TimeSource#withDefault} it runs in) and no listener.
   *
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static CircuitBreaker ofDefaults(String name) {
    return builder(name).build();
  }

  /**
   * Builds a {@link CircuitBreaker}. Mutable and not thread-safe; {@link #build()} copies the
   * settings, so one builder can build many breakers.
   */
  final class Builder {

    /** The largest sliding window accepted. */
    static final int MAX_WINDOW = 1 << 20;
    /** The most probes accepted. */
    static final int MAX_PROBES = 10_000;

    final String name;
    int consecutiveFailureThreshold = 5;
    double failureRateThreshold = 50.0;
    int slidingWindowSize = 20;
    int minimumNumberOfCalls = 10;
    long openDurationNanos = Duration.ofSeconds(30).toNanos();
    int halfOpenProbes = 1;
    /** Set explicitly, or {@code null} for the default read at build(). */
    TimeSource timeSource;
    CircuitBreakerListener listener = LocalCircuitBreaker.NO_LISTENER;

    Builder(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank but was '" + name + "'");
      }
      this.name = name;
    }

    /**
     * Sets how many failures in a row open the breaker. Default 5.
     *
     * @throws IllegalArgumentException if {@code threshold} is less than 1
     */
    public Builder consecutiveFailureThreshold(int threshold) {
      if (threshold < 1) {
        throw new IllegalArgumentException(
            "consecutiveFailureThreshold must be >= 1 but was " + threshold);
      }
      this.consecutiveFailureThreshold = threshold;
      return this;
    }

    /**
     * Sets the failure rate, in percent of the calls in the sliding window, at or above which
     * the breaker opens. Default 50.
     *
     * @throws IllegalArgumentException if {@code percent} is not in (0, 100]
     */
    public Builder failureRateThreshold(double percent) {
      if (!(percent > 0 && percent <= 100)) {
        throw new IllegalArgumentException(
            "failureRateThreshold must be in (0, 100] but was " + percent);
      }
      this.failureRateThreshold = percent;
      return this;
    }

    /**
     * Sets how many of the most recent calls the failure rate is computed over. Default 20.
     *
     * @throws IllegalArgumentException if {@code size} is not in [1, 1048576]
     */
    public Builder slidingWindowSize(int size) {
      if (size < 1 || size > MAX_WINDOW) {
        throw new IllegalArgumentException(
            "slidingWindowSize must be in [1, " + MAX_WINDOW + "] but was " + size);
      }
      this.slidingWindowSize = size;
      return this;
    }

    /**
     * Sets how many calls must have been recorded (since the breaker last closed) before the
     * failure rate may open it. Default 10; at most the sliding window size, checked by {@link
     * #build()}.
     *
     * @throws IllegalArgumentException if {@code calls} is less than 1
     */
    public Builder minimumNumberOfCalls(int calls) {
      if (calls < 1) {
        throw new IllegalArgumentException("minimumNumberOfCalls must be >= 1 but was " + calls);
      }
      this.minimumNumberOfCalls = calls;
      return this;
    }

    /**
     * Sets how long the breaker stays open before it lets a probe through. Default 30 s.
     *
     * @throws NullPointerException if {@code duration} is null
     * @throws IllegalArgumentException if {@code duration} is not in (0, about 292 years]
     *     (the range of a {@code long} of nanoseconds)
     */
    public Builder openDuration(Duration duration) {
      long nanos = DurationChecks.positiveNanos("openDuration", duration);
      this.openDurationNanos = nanos;
      return this;
    }

    /**
     * Sets how many probe calls the half-open breaker lets through; all must succeed to close
     * it. Default 1.
     *
     * @throws IllegalArgumentException if {@code probes} is not in [1, 10000]
     */
    public Builder halfOpenProbes(int probes) {
      if (probes < 1 || probes > MAX_PROBES) {
        throw new IllegalArgumentException(
            "halfOpenProbes must be in [1, " + MAX_PROBES + "] but was " + probes);
      }
      this.halfOpenProbes = probes;
      return this;
    }

    /**
     * Sets where time comes from. Default: {@link TimeSource#system()}, or the time source of a
     * {@link TimeSource#withDefault} that {@link #build()} runs in.
     *
     * @throws NullPointerException if {@code timeSource} is null
     */
    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
      return this;
    }

    /**
     * Sets the listener told of transitions and refusals. Default: none.
     *
     * @throws NullPointerException if {@code listener} is null
     */
    public Builder listener(CircuitBreakerListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** The time source set explicitly, else the default of this thread now: see build(). */
    TimeSource timeSourceOrDefault() {
      return timeSource != null ? timeSource : DefaultTimeSource.get();
    }

    /**
     * Builds a closed breaker from the current settings.
     *
     * @throws IllegalArgumentException if {@code minimumNumberOfCalls} exceeds {@code
     *     slidingWindowSize} (the failure rate could then never open the breaker)
     */
    public CircuitBreaker build() {
      if (minimumNumberOfCalls > slidingWindowSize) {
        throw new IllegalArgumentException(
            "minimumNumberOfCalls must be <= slidingWindowSize (" + slidingWindowSize
                + ") but was " + minimumNumberOfCalls);
      }
      return new LocalCircuitBreaker(this);
    }
  }
}
