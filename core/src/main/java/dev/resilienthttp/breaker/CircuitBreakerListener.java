package dev.resilienthttp.breaker;

/**
 * Hears what a {@link CircuitBreaker} does. Every method has a no-op default, so methods can be
 * added in later versions without breaking implementations.
 *
 * <p>Methods are called synchronously on the thread whose call caused the event, possibly from
 * many threads at once: they must be fast, thread-safe and should not throw. Whatever they
 * throw (a {@link RuntimeException} or {@link LinkageError}) is caught and logged through
 * {@link System.Logger}; it never breaks the call or the breaker.
 */
public interface CircuitBreakerListener {

  /**
   * The breaker changed state. Called exactly once per transition, by the thread that made it,
   * after the new state is in effect. Two transitions made in quick succession by different
   * threads may be delivered concurrently or out of order; each event's {@code from} and
   * {@code to} are exact.
   *
   * @param breakerName the {@linkplain CircuitBreaker#name() name} of the breaker
   * @param from the state it left
   * @param to the state it entered
   */
  default void onStateTransition(
      String breakerName, CircuitBreaker.State from, CircuitBreaker.State to) {}

  /**
   * A call was refused: the breaker was open, or half-open with every probe already out.
   * Called once per refused call, so it is on the fail-fast path and must be very cheap.
   *
   * @param breakerName the {@linkplain CircuitBreaker#name() name} of the breaker
   * @param state the state that refused the call, {@code OPEN} or {@code HALF_OPEN}
   */
  default void onCallRejected(String breakerName, CircuitBreaker.State state) {}
}
