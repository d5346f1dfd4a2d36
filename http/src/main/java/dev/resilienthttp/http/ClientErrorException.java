package dev.resilienthttp.http;

import java.net.URI;
import java.net.http.HttpHeaders;

/** A 4xx response other than 401, 403 and 429: the request itself is wrong; retrying it does not help. */
public final class ClientErrorException extends HttpStatusException {

  private static final long serialVersionUID = 1L;

  ClientErrorException(int statusCode, String method, URI uri, HttpHeaders headers, java.time.Duration retryAfter) {
    super("client error", statusCode, method, uri, headers, retryAfter);
  }
}
