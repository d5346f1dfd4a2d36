package dev.resilienthttp.http.internal.call;

import dev.resilienthttp.http.internal.rules.Redaction;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A request carrying what a client cannot tell from the request itself (made by {@code
 * ResilientRequests}), delegating everything else. Any {@link HttpClient} can send it.
 */
public final class MarkedRequest extends HttpRequest {

  private static final MarkedRequest.Marks NONE = new Marks(false, false, false, null, false);

  private final HttpRequest delegate;
  private final Marks marks;

  private MarkedRequest(HttpRequest delegate, Marks marks) {
    this.delegate = Objects.requireNonNull(delegate, "request");
    this.marks = marks;
  }

  /** The marks a request carries: immutable. */
  public record Marks(
      boolean idempotent, boolean oneShot, boolean replayable, Duration callTimeout, boolean tokenFetch) {}

  /** The marks of {@code request}, none if it is not marked. */
  public static Marks marksOf(HttpRequest request) {
    return request instanceof MarkedRequest ? ((MarkedRequest) request).marks : NONE;
  }

  /** {@code request} without marks. */
  public static HttpRequest unmarked(HttpRequest request) {
    return request instanceof MarkedRequest ? ((MarkedRequest) request).delegate : request;
  }

  /** {@code request} (marked or not) with {@code marks} in place of its own. */
  public static HttpRequest withMarks(HttpRequest request, Marks marks) {
    return new MarkedRequest(unmarked(Objects.requireNonNull(request, "request")), marks);
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
        + (marks.idempotent() ? " [idempotent]" : "")
        + (marks.oneShot() ? " [one-shot body]" : "")
        + (marks.replayable() ? " [replayable body]" : "")
        + (marks.callTimeout() != null ? " [call timeout " + marks.callTimeout() + "]" : "");
  }
}
