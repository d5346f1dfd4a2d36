package dev.resilienthttp.http;

import java.net.URI;
import java.net.http.HttpHeaders;

/** A 401 or 403 response: the credentials were missing, wrong or not allowed. */
public final class AuthenticationFailedException extends HttpStatusException {

  private static final long serialVersionUID = 1L;

  AuthenticationFailedException(int statusCode, String method, URI uri, HttpHeaders headers, java.time.Duration retryAfter) {
    super("authentication failed", statusCode, method, uri, headers, retryAfter);
  }
}
