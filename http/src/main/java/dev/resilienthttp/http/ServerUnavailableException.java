package dev.resilienthttp.http;

import java.net.URI;
import java.net.http.HttpHeaders;

/** A 5xx response: the server could not serve the request. */
public final class ServerUnavailableException extends HttpStatusException {

  private static final long serialVersionUID = 1L;

  ServerUnavailableException(int statusCode, String method, URI uri, HttpHeaders headers, java.time.Duration retryAfter) {
    super("server unavailable", statusCode, method, uri, headers, retryAfter);
  }
}
