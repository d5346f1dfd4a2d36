package dev.resilienthttp.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.util.Objects;

/**
 * An HTTP response whose status is a failure, as a typed exception. Thrown by a {@link
 * ResilientHttpClient} in {@link ResultMode#THROW}, and seen by retriers and listeners as the
 * failure of an attempt in either mode.
 *
 * <p>The message reads like {@code server unavailable (status code 503)}; the {@linkplain
 * #uri() URI} has credentials and token-like query parameters redacted, and the {@linkplain
 * #headers() headers} the values of credential headers. Created without a stack
 * trace: it stands for a response, not for a place in the code.
 */
public abstract sealed class HttpStatusException extends IOException
    permits ServerUnavailableException,
        RateLimitedException,
        AuthenticationFailedException,
        ClientErrorException {

  private static final long serialVersionUID = 1L;

  private final int statusCode;
  private final String method;
  private final URI uri;
  private final transient HttpHeaders headers;
  /** The buffered response this stands for, replayed to the caller's handler if it is the last. */
  transient Object buffered;
  /** The wait the server asked for with Retry-After, or {@code null}. */
  transient java.time.Duration retryAfter;

  HttpStatusException(String what, int statusCode, String method, URI uri, HttpHeaders headers) {
    super(what + " (status code " + statusCode + ")");
    this.statusCode = statusCode;
    this.method = method;
    this.uri = Redaction.uri(uri);
    this.headers = Redaction.headers(Objects.requireNonNull(headers, "headers"));
    setStackTrace(new StackTraceElement[0]);
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }

  /** The response's status code. */
  public int statusCode() {
    return statusCode;
  }

  /** The request's method. */
  public String method() {
    return method;
  }

  /** The request's URI, with credentials and token-like query parameters redacted. */
  public URI uri() {
    return uri;
  }

  /**
   * The response's headers, with the values of {@code Set-Cookie} (and of any other credential
   * header) replaced by {@code REDACTED}: this exception reaches listeners and logs. In {@link
   * ResultMode#RETURN_LAST_RESPONSE} the caller gets the response itself, headers intact.
   */
  public HttpHeaders headers() {
    return headers;
  }

  /** Returns the typed exception for a failure status: 429, other 4xx, or 5xx. */
  static HttpStatusException of(
      int statusCode, String method, URI uri, HttpHeaders headers, java.time.Duration retryAfter) {
    if (statusCode == 429) {
      return new RateLimitedException(statusCode, method, uri, headers, retryAfter);
    }
    if (statusCode == 401 || statusCode == 403) {
      return new AuthenticationFailedException(statusCode, method, uri, headers);
    }
    if (statusCode >= 500) {
      return new ServerUnavailableException(statusCode, method, uri, headers);
    }
    return new ClientErrorException(statusCode, method, uri, headers);
  }
}
