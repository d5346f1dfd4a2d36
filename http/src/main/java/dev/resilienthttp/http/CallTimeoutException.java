package dev.resilienthttp.http;

import java.net.http.HttpTimeoutException;

/**
 * A call's deadline ({@link ResilientHttpClient.Builder#callTimeout} or {@link
 * ResilientRequests#callTimeout}) passed: during an attempt, while waiting for a bearer token
 * or at a Retry-After gate, or before a retry could start. An {@link HttpTimeoutException},
 * as java.net.http reports its own timeouts, on both {@code send} and {@code sendAsync}.
 */
public final class CallTimeoutException extends HttpTimeoutException {

  private static final long serialVersionUID = 1L;

  /** @param message what passed, and when */
  public CallTimeoutException(String message) {
    super(message);
  }

  /**
   * @param message what passed, and when
   * @param cause the failure or give-up behind it
   */
  public CallTimeoutException(String message, Throwable cause) {
    super(message);
    initCause(cause);
  }
}
