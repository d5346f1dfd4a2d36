package dev.resilienthttp.http.internal.rules;

/**
 * What HTTP semantics say about sending a request again after one outcome, and which rung of
 * {@link HttpRules}' ladder said it: {@link #retry()} for the decision, {@link #why()} for
 * messages. A verdict to retry only permits a retry; the retrier, the deadline, the budget and
 * the breaker still decide whether one is made.
 */
public enum Verdict {

  /** A connect timeout: nothing was sent. */
  RETRY_NOTHING_SENT(true, "the connection was never made, so nothing was sent"),
  /** A refused connection, with {@code retryConnectionRefused} on. */
  RETRY_REFUSED(true, "the connection was refused and refused connections are retried"),
  /** A timeout or reset after sending, for an idempotent request. */
  RETRY_IDEMPOTENT(true, "the request may have been processed, but it is idempotent"),
  /** One of the retry statuses, for an idempotent request. */
  RETRY_STATUS(true, "a retry status for an idempotent request"),
  /** 429 with {@code retryRateLimited} on. */
  RETRY_RATE_LIMITED(true, "429 Too Many Requests: rejected before processing, safe for every method"),

  /** The caller cancelled or interrupted the call. */
  NEVER_CANCELLED(false, "the call was cancelled or interrupted"),
  /** A programming error (a runtime exception, an error): a retry would repeat it. */
  NEVER_PROGRAMMING_ERROR(false, "a programming error, which a retry would repeat"),
  /** The caller's response body handler failed. */
  NEVER_HANDLER_FAILED(false, "the caller's response handler failed; the server did its part"),
  /** The client was closed or shut down. */
  NEVER_CLIENT_CLOSED(false, "the client is closed"),
  /** A TLS handshake or certificate failure. */
  NEVER_TLS(false, "a TLS handshake or certificate failure, which a retry would repeat"),
  /** The server broke the HTTP protocol. */
  NEVER_PROTOCOL(false, "the server broke the HTTP protocol"),
  /** A one-shot body was already sent. */
  NEVER_BODY_SENT(false, "its one-shot body was already sent and cannot be sent again"),
  /** A refused connection, with {@code retryConnectionRefused} off. */
  NEVER_REFUSED(false, "the connection was refused: a refusing server is usually down, not busy"),
  /** A failure after sending, or a retry status, for a request that is not idempotent. */
  NEVER_NOT_IDEMPOTENT(false, "the request may have been processed and is not idempotent"),
  /** 429 with {@code retryRateLimited} off. */
  NEVER_RATE_LIMITED(false, "429 Too Many Requests, and rate-limited responses are not retried"),
  /** A 4xx other than 429. */
  NEVER_CLIENT_ERROR(false, "a client error: the same request gets the same answer"),
  /** A 5xx (or above) not among the retry statuses, such as 501 or 505. */
  NEVER_NOT_RETRY_STATUS(false, "a status not among the retry statuses"),
  /** A status below 400. */
  NEVER_NOT_A_FAILURE(false, "the status is not a failure");

  private final boolean retry;
  private final String why;

  Verdict(boolean retry, String why) {
    this.retry = retry;
    this.why = why;
  }

  /** Whether HTTP semantics allow sending the request again. */
  public boolean retry() {
    return retry;
  }

  /** Why, in a few words, to put in a message. */
  public String why() {
    return why;
  }
}
