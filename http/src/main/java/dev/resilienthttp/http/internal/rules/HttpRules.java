package dev.resilienthttp.http.internal.rules;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The client's HTTP retry semantics: its settings, and the ladder that says whether a request
 * may be sent again after an outcome.
 *
 * <table>
 *   <caption>outcome of an attempt, by kind of request (defaults)</caption>
 *   <tr><th>outcome</th><th>idempotent</th><th>other</th></tr>
 *   <tr><td>cancellation, interrupt</td><td>never</td><td>never</td></tr>
 *   <tr><td>programming error, handler failure, client closed, TLS, protocol</td><td>never</td><td>never</td></tr>
 *   <tr><td>a one-shot body already sent</td><td>never</td><td>never</td></tr>
 *   <tr><td>connect timeout (nothing was sent)</td><td>retry</td><td>retry</td></tr>
 *   <tr><td>connection refused</td><td colspan="2">only with {@link Builder#retryConnectionRefused}</td></tr>
 *   <tr><td>timeout or reset after sending, other I/O</td><td>retry</td><td>never</td></tr>
 *   <tr><td>500 502 503 504 ({@link Builder#retryStatuses})</td><td>retry</td><td>never</td></tr>
 *   <tr><td>429</td><td colspan="2">retry, unless {@link Builder#retryRateLimited} is off</td></tr>
 *   <tr><td>other 4xx, other 5xx (501, 505), below 400</td><td>never</td><td>never</td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe; the checks allocate nothing.
 */
public final class HttpRules {

  /* Retry statuses are in [500, 599] and 429 is the only other candidate: a table read by status
   * code replaces a boxed Set<Integer> lookup on every response. */
  private static final int TABLE_SIZE = 600;
  private static final byte RETRY_STATUS = 1;
  private static final byte RETRY_CANDIDATE = 2;

  private final byte[] statusTable = new byte[TABLE_SIZE];
  private final int[] retryStatuses;
  private final boolean retryRateLimited;
  private final boolean retryConnectionRefused;
  private final Set<String> idempotentMethods;
  private final boolean generateIdempotencyKeys;
  private final Function<? super Throwable, FailureKind> failureClassifier;

  private HttpRules(Builder builder) {
    this.retryStatuses = builder.retryStatuses.clone();
    for (int status : retryStatuses) {
      statusTable[status] = RETRY_STATUS | RETRY_CANDIDATE;
    }
    this.retryRateLimited = builder.retryRateLimited;
    if (retryRateLimited) {
      statusTable[429] |= RETRY_CANDIDATE;
    }
    this.retryConnectionRefused = builder.retryConnectionRefused;
    this.idempotentMethods = Set.copyOf(builder.idempotentMethods);
    this.generateIdempotencyKeys = builder.generateIdempotencyKeys;
    this.failureClassifier = builder.failureClassifier;
  }

  /** The rules with every default. */
  public static HttpRules defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  // ---- statuses -------------------------------------------------------------------------

  /**
   * Whether a response of {@code status} may be retried for some request: a retry status, or
   * 429 when rate-limited responses are retried. A transport buffers such a response's body, so
   * that it can still hand it to the caller if it is the last.
   */
  public boolean isRetryCandidate(int status) {
    return status >= 0 && status < TABLE_SIZE && (statusTable[status] & RETRY_CANDIDATE) != 0;
  }

  /** Whether {@code status} is among the retry statuses. */
  public boolean isRetryStatus(int status) {
    return status >= 0 && status < TABLE_SIZE && (statusTable[status] & RETRY_STATUS) != 0;
  }

  /**
   * Whether {@code traits}' request may be sent again after a response of {@code status}.
   *
   * @param bodySent whether an attempt started sending the request's body
   */
  public Verdict classify(int status, RequestTraits traits, boolean bodySent) {
    Objects.requireNonNull(traits, "traits");
    // Not a failure: there is nothing to retry.
    if (status < 400) {
      return Verdict.NEVER_NOT_A_FAILURE;
    }
    // A client error: the same request would get the same answer.
    if (status < 500 && status != 429) {
      return Verdict.NEVER_CLIENT_ERROR;
    }
    // 501, 505 and the like: the server says it will never do it.
    if (status >= 500 && !isRetryStatus(status)) {
      return Verdict.NEVER_NOT_RETRY_STATUS;
    }
    // The client was told not to retry rate-limited responses.
    if (status == 429 && !retryRateLimited) {
      return Verdict.NEVER_RATE_LIMITED;
    }
    // A one-shot body that was read cannot be read again.
    if (bodySent && !traits.bodyKind().canResend()) {
      return Verdict.NEVER_BODY_SENT;
    }
    // 429 is sent before processing: safe to repeat for every method.
    if (status == 429) {
      return Verdict.RETRY_RATE_LIMITED;
    }
    // A 5xx may come after the request was processed: only an idempotent one may be repeated.
    return traits.idempotent() ? Verdict.RETRY_STATUS : Verdict.NEVER_NOT_IDEMPOTENT;
  }

  /** Whether a response of {@code status} counts against its backend (for breakers): 5xx, never 4xx. */
  public boolean isBackendFailure(int status) {
    return status >= 500 && status < 600;
  }

  // ---- failures -------------------------------------------------------------------------

  /**
   * Whether {@code traits}' request may be sent again after {@code failure}, classified by the
   * {@linkplain Builder#failureClassifier failure classifier}.
   *
   * @param bodySent whether an attempt started sending the request's body
   * @throws IllegalStateException if the classifier returns null
   */
  public Verdict classify(Throwable failure, RequestTraits traits, boolean bodySent) {
    return classify(kindOf(failure), traits, bodySent);
  }

  /**
   * Whether {@code traits}' request may be sent again after a failure of {@code kind}.
   *
   * @param bodySent whether an attempt started sending the request's body
   */
  public Verdict classify(FailureKind kind, RequestTraits traits, boolean bodySent) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(traits, "traits");
    // The caller stopped the call: a retry would go against its wish.
    if (kind == FailureKind.CANCELLED) {
      return Verdict.NEVER_CANCELLED;
    }
    // Code that failed once fails again.
    if (kind == FailureKind.PROGRAMMING_ERROR) {
      return Verdict.NEVER_PROGRAMMING_ERROR;
    }
    // The server answered; it is the caller's handler that failed on the answer.
    if (kind == FailureKind.HANDLER_FAILED) {
      return Verdict.NEVER_HANDLER_FAILED;
    }
    // A closed client sends nothing more.
    if (kind == FailureKind.CLIENT_CLOSED) {
      return Verdict.NEVER_CLIENT_CLOSED;
    }
    // A bad certificate or a handshake the peers cannot agree on does not heal in a second.
    if (kind == FailureKind.TLS) {
      return Verdict.NEVER_TLS;
    }
    // A server that breaks the protocol would break it again.
    if (kind == FailureKind.PROTOCOL) {
      return Verdict.NEVER_PROTOCOL;
    }
    // A one-shot body that was read cannot be read again.
    if (bodySent && !traits.bodyKind().canResend()) {
      return Verdict.NEVER_BODY_SENT;
    }
    // No connection, so nothing was sent: safe for every method.
    if (kind == FailureKind.CONNECT_TIMEOUT) {
      return Verdict.RETRY_NOTHING_SENT;
    }
    // Nothing was sent either, but a refusing server is usually down, not busy.
    if (kind == FailureKind.CONNECTION_REFUSED) {
      return retryConnectionRefused ? Verdict.RETRY_REFUSED : Verdict.NEVER_REFUSED;
    }
    // Timed out, reset or failed once sent: the request may have been processed.
    return traits.idempotent() ? Verdict.RETRY_IDEMPOTENT : Verdict.NEVER_NOT_IDEMPOTENT;
  }

  /**
   * Whether {@code failure} counts against its backend (for breakers): timeouts, resets, refused
   * connections, TLS and protocol failures, other I/O failures; not cancellations, a closed
   * client, the caller's handler or programming errors.
   *
   * @throws IllegalStateException if the classifier returns null
   */
  public boolean isBackendFailure(Throwable failure) {
    return isBackendFailure(kindOf(failure));
  }

  /** As {@link #isBackendFailure(Throwable)}, for a failure of {@code kind}. */
  public boolean isBackendFailure(FailureKind kind) {
    switch (Objects.requireNonNull(kind, "kind")) {
      case CANCELLED:
      case CLIENT_CLOSED:
      case HANDLER_FAILED:
      case PROGRAMMING_ERROR:
        return false; // the caller's or this client's doing, not the backend's
      default:
        return true;
    }
  }

  /** The kind of {@code failure}, by the failure classifier. */
  public FailureKind kindOf(Throwable failure) {
    Objects.requireNonNull(failure, "failure");
    FailureKind kind = failureClassifier.apply(failure);
    if (kind == null) {
      throw new IllegalStateException(
          "failureClassifier must return a FailureKind but returned null for " + failure.getClass().getName());
    }
    return kind;
  }

  // ---- methods and settings ----------------------------------------------------------------

  /** Whether {@code method} (compared exactly) is among the idempotent methods. */
  public boolean isIdempotentMethod(String method) {
    return idempotentMethods.contains(method);
  }

  /** The statuses retried for idempotent requests, ascending. */
  public int[] retryStatuses() {
    return retryStatuses.clone();
  }

  /** Whether 429 is retried, for every method. */
  public boolean retryRateLimited() {
    return retryRateLimited;
  }

  /** Whether a refused connection is retried. */
  public boolean retryConnectionRefused() {
    return retryConnectionRefused;
  }

  /** The methods treated as idempotent. */
  public Set<String> idempotentMethods() {
    return idempotentMethods;
  }

  /** Whether a request of a non-idempotent method without an Idempotency-Key gets one. */
  public boolean generateIdempotencyKeys() {
    return generateIdempotencyKeys;
  }

  @Override
  public String toString() {
    return "HttpRules[retryStatuses=" + Arrays.toString(retryStatuses) + ", retryRateLimited=" + retryRateLimited
        + ", retryConnectionRefused=" + retryConnectionRefused + ", idempotentMethods=" + idempotentMethods
        + ", generateIdempotencyKeys=" + generateIdempotencyKeys + "]";
  }

  /** Builds {@link HttpRules}; each setter checks its value at once. Not thread-safe. */
  public static final class Builder {
    private int[] retryStatuses = {500, 502, 503, 504};
    private boolean retryRateLimited = true;
    private boolean retryConnectionRefused;
    private Set<String> idempotentMethods = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");
    private boolean generateIdempotencyKeys;
    private Function<? super Throwable, FailureKind> failureClassifier = FailureKind::of;

    private Builder() {}

    /**
     * Sets the statuses retried for idempotent requests (default 500, 502, 503, 504).
     *
     * @throws IllegalArgumentException if a status is outside [500, 599]
     */
    public Builder retryStatuses(int... statuses) {
      Objects.requireNonNull(statuses, "retryStatuses");
      for (int status : statuses) {
        if (status < 500 || status > 599) {
          throw new IllegalArgumentException(
              "retryStatuses must be in [500, 599] but contained " + status
                  + " (429 is governed by retryRateLimited; other 4xx are never retried)");
        }
      }
      this.retryStatuses = Arrays.stream(statuses).distinct().sorted().toArray();
      return this;
    }

    /** Sets whether 429 Too Many Requests is retried, for every method (default true). */
    public Builder retryRateLimited(boolean retryRateLimited) {
      this.retryRateLimited = retryRateLimited;
      return this;
    }

    /** Sets whether a refused connection is retried (default false). */
    public Builder retryConnectionRefused(boolean retryConnectionRefused) {
      this.retryConnectionRefused = retryConnectionRefused;
      return this;
    }

    /**
     * Sets the methods treated as idempotent (default GET, HEAD, OPTIONS, TRACE, PUT, DELETE).
     *
     * @throws IllegalArgumentException if a method is not an upper-case HTTP token
     */
    public Builder idempotentMethods(String... methods) {
      Objects.requireNonNull(methods, "idempotentMethods");
      Set<String> set = new LinkedHashSet<>();
      for (String method : methods) {
        if (method == null || !isUpperCaseToken(method)) {
          throw new IllegalArgumentException(
              "idempotentMethods must hold upper-case HTTP methods such as GET but contained "
                  + (method == null ? "null" : "'" + method + "'") + " in " + Arrays.toString(methods));
        }
        set.add(method);
      }
      this.idempotentMethods = set;
      return this;
    }

    /**
     * Sets whether a request of a non-idempotent method without an {@code Idempotency-Key} gets
     * one, which makes it retryable (default false).
     */
    public Builder generateIdempotencyKeys(boolean generate) {
      this.generateIdempotencyKeys = generate;
      return this;
    }

    /**
     * Sets how the transport's exceptions are classified (default {@link FailureKind#of}). A
     * transport handles what only it knows and hands the rest to {@link FailureKind#of}.
     */
    public Builder failureClassifier(Function<? super Throwable, FailureKind> classifier) {
      this.failureClassifier = Objects.requireNonNull(classifier, "failureClassifier");
      return this;
    }

    public HttpRules build() {
      return new HttpRules(this);
    }

    /**
     * Whether {@code method} is an upper-case HTTP method token (RFC 9110 tchar, letters upper
     * case): what a client's idempotent methods and a route's method must be.
     */
    public static boolean isUpperCaseToken(String method) {
      if (method.isEmpty()) {
        return false;
      }
      for (int i = 0; i < method.length(); i++) {
        char c = method.charAt(i);
        boolean ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
        if (!ok) {
          return false;
        }
      }
      return true;
    }
  }
}
