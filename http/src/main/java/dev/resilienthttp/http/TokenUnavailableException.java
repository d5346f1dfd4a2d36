package dev.resilienthttp.http;

import dev.resilienthttp.http.internal.rules.Redaction;
import java.io.IOException;

/**
 * A call could not be sent because no bearer token could be had: the {@link dev.resilienthttp.http.auth.TokenSource}
 * failed (its cause says why, for example a {@link dev.resilienthttp.retry.RetryExhaustedException}
 * after the token route's attempts). Not retried by the call: the fetch already had the token
 * route's retries, and retrying each waiting call would multiply token requests.
 */
public final class TokenUnavailableException extends IOException {

  private static final long serialVersionUID = 1L;

  /** @param cause why no token could be had (its message is redacted in this one's) */
  public TokenUnavailableException(Throwable cause) {
    super("no bearer token: " + describe(cause), cause);
  }

  private static String describe(Throwable cause) {
    String message = cause.getMessage();
    return Redaction.text(message != null ? message : cause.getClass().getName());
  }
}
