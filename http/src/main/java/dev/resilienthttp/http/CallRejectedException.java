package dev.resilienthttp.http;

import java.io.IOException;

/**
 * A call a {@link ResilientHttpClient} refused to send: the backend's circuit breaker is open
 * (the cause is the breaker's {@link dev.resilienthttp.breaker.CallNotPermittedException},
 * saying when it will next probe), the server asked callers to stay away for longer than the
 * client's Retry-After cap, or the client was shut down. An {@link IOException}, as {@code
 * HttpClient.send} promises; never retried.
 */
public final class CallRejectedException extends IOException {

  private static final long serialVersionUID = 1L;

  private final String backend;

  /**
   * @param backend the backend the call was for, as the client names backends
   * @param message why
   * @param cause the rejection behind it, or {@code null}
   */
  public CallRejectedException(String backend, String message, Throwable cause) {
    super(message, cause);
    this.backend = backend;
  }

  /** The backend the call was for ({@code scheme://host:port} unless the client names them). */
  public String backend() {
    return backend;
  }
}
