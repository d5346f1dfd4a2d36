package dev.resilienthttp.http.auth;

import dev.resilienthttp.breaker.CircuitBreaker;
import java.time.Duration;
import java.util.Optional;

/**
 * Hears what a {@link dev.resilienthttp.http.ResilientHttpClient} does with bearer tokens and auth failures. Every
 * method has a no-op default, so events can be added without breaking implementations. No event
 * carries a token or a header value.
 *
 * <p>Listeners are called on the thread that caused the event, possibly from many threads at
 * once: they must be fast, thread-safe and should not throw. Whatever they throw is logged
 * through {@link System.Logger} and never breaks a call.
 */
public interface AuthListener {

  /** A new token was fetched; {@code lifetime} is empty if it does not expire. */
  default void onTokenRefreshed(Optional<Duration> lifetime) {}

  /** A fetch failed; every call waiting for it fails with a {@link dev.resilienthttp.http.TokenUnavailableException}. */
  default void onTokenRefreshFailed(Throwable failure) {}

  /**
   * {@code backend} answered 401 to the current token: the client dropped it, and the call
   * replays once with a new one.
   */
  default void onTokenRejected(String backend) {}

  /**
   * The auth circuit breaker of {@code backend} changed state: {@code OPEN} after consecutive
   * exhausted auth-failure retry sequences, {@code HALF_OPEN} when a probe may go, {@code
   * CLOSED} when a probe got through.
   */
  default void onAuthBreakerTransition(String backend, CircuitBreaker.State from, CircuitBreaker.State to) {}
}
