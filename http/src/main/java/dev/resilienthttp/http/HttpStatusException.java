package dev.resilienthttp.http;

import dev.resilienthttp.http.internal.rules.Redaction;
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
  /** The wait the server asked for with Retry-After, or {@code null}. */
  private final java.time.Duration retryAfter;

  HttpStatusException(
      String what, int statusCode, String method, URI uri, HttpHeaders headers, java.time.Duration retryAfter) {
    super(what + " (status code " + statusCode + ")");
    this.statusCode = statusCode;
    this.method = method;
    this.uri = Redaction.redactedUri(uri);
    this.headers = redacted(Objects.requireNonNull(headers, "headers"));
    this.retryAfter = retryAfter;
    setStackTrace(new StackTraceElement[0]);
  }

  private static HttpHeaders redacted(HttpHeaders headers) {
    java.util.Map<String, java.util.List<String>> map = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.map().forEach((name, values) -> map.put(name, Redaction.headerValues(name, values)));
    return HttpHeaders.of(map, (name, value) -> true);
  }

  /**
   * The wait the server asked for with a valid Retry-After header (the largest, if it sent
   * several), if it sent one.
   */
  public java.util.Optional<java.time.Duration> retryAfter() {
    return java.util.Optional.ofNullable(retryAfter);
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

  /**
   * Returns the typed exception for a failure status: {@link RateLimitedException} for 429,
   * {@link AuthenticationFailedException} for 401 and 403, {@link ClientErrorException} for
   * other 4xx, {@link ServerUnavailableException} for 5xx.
   *
   * @param statusCode the response's status, at least 400
   * @param method the request's method
   * @param uri the request's URI (redacted in the exception)
   * @param headers the response's headers (credential headers redacted in the exception)
   * @param retryAfter the wait the server asked for, or {@code null}
   * @throws IllegalArgumentException if {@code statusCode} is not in [400, 599]
   */
  public static HttpStatusException of(
      int statusCode, String method, URI uri, HttpHeaders headers, java.time.Duration retryAfter) {
    if (statusCode < 400 || statusCode > 599) {
      throw new IllegalArgumentException("statusCode must be in [400, 599] but was " + statusCode);
    }
    if (statusCode == 429) {
      return new RateLimitedException(statusCode, method, uri, headers, retryAfter);
    }
    if (statusCode == 401 || statusCode == 403) {
      return new AuthenticationFailedException(statusCode, method, uri, headers, retryAfter);
    }
    if (statusCode >= 500) {
      return new ServerUnavailableException(statusCode, method, uri, headers, retryAfter);
    }
    return new ClientErrorException(statusCode, method, uri, headers, retryAfter);
  }
}
