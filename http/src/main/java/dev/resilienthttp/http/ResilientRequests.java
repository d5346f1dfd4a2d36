package dev.resilienthttp.http;

import dev.resilienthttp.http.internal.call.MarkedRequest;
import dev.resilienthttp.http.internal.call.MarkedRequest.Marks;
import dev.resilienthttp.http.internal.call.Settings;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Objects;

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
    Marks marks = MarkedRequest.marksOf(Objects.requireNonNull(request, "request"));
    return MarkedRequest.withMarks(request,
        new Marks(true, marks.oneShot(), marks.replayable(), marks.callTimeout(), marks.tokenFetch()));
  }

  /**
   * Declares that {@code request}'s body can be sent only once: once any attempt has started
   * sending it, the request is never sent again.
   */
  public static HttpRequest oneShot(HttpRequest request) {
    Marks marks = MarkedRequest.marksOf(Objects.requireNonNull(request, "request"));
    return MarkedRequest.withMarks(request,
        new Marks(marks.idempotent(), true, false, marks.callTimeout(), marks.tokenFetch()));
  }

  /**
   * Declares that {@code request}'s body publisher produces the same bytes each time it is
   * subscribed (for example {@code BodyPublishers.ofInputStream} over a supplier of fresh
   * streams). Bodies from {@code ofString}, {@code ofByteArray}, {@code ofFile} and {@code
   * noBody} are known to be replayable without this mark.
   */
  public static HttpRequest replayable(HttpRequest request) {
    Marks marks = MarkedRequest.marksOf(Objects.requireNonNull(request, "request"));
    return MarkedRequest.withMarks(request,
        new Marks(marks.idempotent(), false, true, marks.callTimeout(), marks.tokenFetch()));
  }

  /**
   * Bounds this call, all attempts and waits included, by {@code timeout} instead of the
   * client's {@link ResilientHttpClient.Builder#callTimeout}: a caller with less time than
   * others gives up on its own deadline (no wait starts that would end after it) while the
   * others go on.
   *
   * @throws IllegalArgumentException if {@code timeout} is not in (0, 292 years]
   */
  public static HttpRequest callTimeout(HttpRequest request, Duration timeout) {
    Settings.positiveNanos("callTimeout", timeout);
    Marks marks = MarkedRequest.marksOf(Objects.requireNonNull(request, "request"));
    return MarkedRequest.withMarks(request,
        new Marks(marks.idempotent(), marks.oneShot(), marks.replayable(), timeout, marks.tokenFetch()));
  }
}
