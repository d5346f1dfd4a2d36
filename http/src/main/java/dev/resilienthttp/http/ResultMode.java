package dev.resilienthttp.http;

/** What a {@link ResilientHttpClient} hands the caller once it stops retrying. */
public enum ResultMode {
  /**
   * The last response, whatever its status, as a plain {@code HttpClient} would (the default).
   * A call whose last attempt failed with an {@link java.io.IOException} throws that exception,
   * with the failures of earlier attempts and a {@link dev.resilienthttp.retry.RetryExhaustedException}
   * describing why retries stopped added as suppressed, so {@code send} keeps its contract.
   */
  RETURN_LAST_RESPONSE,
  /**
   * A typed exception for a failure status ({@link ServerUnavailableException}, {@link
   * RateLimitedException}, {@link AuthenticationFailedException}, {@link ClientErrorException});
   * a {@link dev.resilienthttp.retry.RetryExhaustedException} when retries ran out on a
   * retryable failure, reading {@code max retry attempts (3) reached: server unavailable (status
   * code 503)}.
   */
  THROW
}
