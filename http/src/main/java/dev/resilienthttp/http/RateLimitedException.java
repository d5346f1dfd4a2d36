package dev.resilienthttp.http;

import java.net.URI;
import java.net.http.HttpHeaders;
import java.time.Duration;

/** A 429 Too Many Requests response, with the wait the server asked for in Retry-After. */
public final class RateLimitedException extends HttpStatusException {

  private static final long serialVersionUID = 1L;

  RateLimitedException(int statusCode, String method, URI uri, HttpHeaders headers, Duration retryAfter) {
    super("rate limited", statusCode, method, uri, headers, retryAfter);
  }
}
