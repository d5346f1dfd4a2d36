package dev.resilienthttp.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Marks a request with what a {@link ResilientHttpClient} cannot tell from the request itself.
 *
 * <pre>{@code
 * HttpRequest post = ResilientRequests.idempotent(HttpRequest.newBuilder(uri)
 *     .POST(BodyPublishers.ofString(json)).build());   // safe to repeat: retried like a PUT
 * }</pre>
 *
 * <p>A marked request is an ordinary {@link HttpRequest} that any {@link HttpClient} can send;
 * marks survive being marked again ({@code idempotent(oneShot(r))} carries both).
 */
public final class ResilientRequests {

  private ResilientRequests() {}

  /**
   * Marks {@code request} as safe to send more than once: its POST or PATCH is retried like a
   * PUT, as long as its body can be sent again.
   */
  public static HttpRequest idempotent(HttpRequest request) {
    Marked marked = Marked.of(request);
    return new Marked(marked.delegate, true, marked.oneShot, marked.replayable, marked.callTimeout, marked.tokenFetch);
  }

  /**
   * Declares that {@code request}'s body can be sent only once: once any attempt has started
   * sending it, the request is never sent again.
   */
  public static HttpRequest oneShot(HttpRequest request) {
    Marked marked = Marked.of(request);
    return new Marked(marked.delegate, marked.idempotent, true, false, marked.callTimeout, marked.tokenFetch);
  }

  /**
   * Declares that {@code request}'s body publisher produces the same bytes each time it is
   * subscribed (for example {@code BodyPublishers.ofInputStream} over a supplier of fresh
   * streams). Bodies from {@code ofString}, {@code ofByteArray}, {@code ofFile} and {@code
   * noBody} are known to be replayable without this mark.
   */
  public static HttpRequest replayable(HttpRequest request) {
    Marked marked = Marked.of(request);
    return new Marked(marked.delegate, marked.idempotent, false, true, marked.callTimeout, marked.tokenFetch);
  }

  /**
   * Bounds this call, all attempts and waits included, by {@code timeout} instead of the
   * client's {@link ResilientHttpClient.Builder#callTimeout}: a caller with less time than
   * others gives up on its own deadline (no wait starts that would end after it) while the
   * others go on.
   *
   * @throws IllegalArgumentException if {@code timeout} is zero or negative
   */
  public static HttpRequest callTimeout(HttpRequest request, Duration timeout) {
    Objects.requireNonNull(timeout, "callTimeout");
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("callTimeout must be > 0 but was " + timeout);
    }
    Marked marked = Marked.of(request);
    return new Marked(marked.delegate, marked.idempotent, marked.oneShot, marked.replayable, timeout, marked.tokenFetch);
  }

  /** Marks a request sent by a {@link TokenSource}: no bearer token, no 401 handling. */
  static HttpRequest tokenFetch(HttpRequest request) {
    Marked marked = Marked.of(request);
    return new Marked(marked.delegate, marked.idempotent, marked.oneShot, marked.replayable, marked.callTimeout, true);
  }

  static boolean isTokenFetch(HttpRequest request) {
    return request instanceof Marked && ((Marked) request).tokenFetch;
  }

  /** The call timeout marked on {@code request}, or {@code null}. */
  static Duration callTimeoutOf(HttpRequest request) {
    return request instanceof Marked ? ((Marked) request).callTimeout : null;
  }

  static boolean isMarkedIdempotent(HttpRequest request) {
    return request instanceof Marked && ((Marked) request).idempotent;
  }

  static boolean isMarkedOneShot(HttpRequest request) {
    return request instanceof Marked && ((Marked) request).oneShot;
  }

  static boolean isMarkedReplayable(HttpRequest request) {
    return request instanceof Marked && ((Marked) request).replayable;
  }

  /** The request without marks. */
  static HttpRequest unmarked(HttpRequest request) {
    return request instanceof Marked ? ((Marked) request).delegate : request;
  }

  /** A request carrying marks, delegating everything else. */
  static final class Marked extends HttpRequest {
    final HttpRequest delegate;
    final boolean idempotent;
    final boolean oneShot;
    final boolean replayable;
    final Duration callTimeout;
    final boolean tokenFetch;

    Marked(HttpRequest delegate, boolean idempotent, boolean oneShot, boolean replayable,
        Duration callTimeout, boolean tokenFetch) {
      this.delegate = Objects.requireNonNull(delegate, "request");
      this.idempotent = idempotent;
      this.oneShot = oneShot;
      this.replayable = replayable;
      this.callTimeout = callTimeout;
      this.tokenFetch = tokenFetch;
    }

    static Marked of(HttpRequest request) {
      Objects.requireNonNull(request, "request");
      return request instanceof Marked ? (Marked) request : new Marked(request, false, false, false, null, false);
    }

    @Override
    public Optional<BodyPublisher> bodyPublisher() {
      return delegate.bodyPublisher();
    }

    @Override
    public String method() {
      return delegate.method();
    }

    @Override
    public Optional<Duration> timeout() {
      return delegate.timeout();
    }

    @Override
    public boolean expectContinue() {
      return delegate.expectContinue();
    }

    @Override
    public URI uri() {
      return delegate.uri();
    }

    @Override
    public Optional<HttpClient.Version> version() {
      return delegate.version();
    }

    @Override
    public HttpHeaders headers() {
      return delegate.headers();
    }

    @Override
    public String toString() {
      // As java.net.http prints a request, with credentials in the URI masked.
      return Redaction.uri(delegate.uri()) + " " + delegate.method()
          + (idempotent ? " [idempotent]" : "")
          + (oneShot ? " [one-shot body]" : "")
          + (replayable ? " [replayable body]" : "")
          + (callTimeout != null ? " [call timeout " + callTimeout + "]" : "");
    }
  }
}
