package dev.resilienthttp.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.IntFunction;

/**
 * One scripted outcome of a request to a {@link FaultServer}: a response, possibly delayed,
 * throttled or cut short, or a connection dropped without any response.
 *
 * <p>Start from a static factory and refine with the modifiers, each of which returns a new
 * {@code Fault}:
 *
 * <pre>{@code
 * Fault.status(503).header("Retry-After", "2")
 * Fault.ok("{\"id\":1}").header("Content-Type", "application/json").delay(Duration.ofMillis(20))
 * Fault.ok("0123456789").stallMidBody()
 * Fault.resetBeforeHeaders()
 * }</pre>
 *
 * <p>What the server does, in order, once it has read a whole request and recorded it: it waits
 * for {@link #delay()} on the wall clock, then acts according to {@link #kind()}. The
 * {@code Content-Length} header is always computed from the body.
 *
 * <p>Instances are immutable and thread-safe; equal faults have equal kinds, statuses, headers,
 * bodies, delays and throttles.
 */
public final class Fault {

  /** What the server does with the connection after the {@linkplain #delay() delay}. */
  public enum Kind {
    /** Sends the status line, the headers and the whole body. */
    RESPOND,
    /**
     * Sends the status line, the headers and the first half of the body, then sends nothing
     * more until the server is closed: a client without a read or request timeout hangs.
     */
    STALL_MID_BODY,
    /**
     * Sends the status line, the headers and the first half of the body, then resets the
     * connection (TCP RST): the client sees an error while reading the body.
     */
    RESET_MID_BODY,
    /**
     * Resets the connection (TCP RST, by closing it with {@code SO_LINGER} 0) without sending a
     * single response byte: the client typically sees "connection reset".
     */
    RESET_BEFORE_HEADERS,
    /**
     * Closes the connection in order (TCP FIN) without sending a single response byte: the
     * client sees the stream end before any response.
     */
    CLOSE_WITHOUT_RESPONSE
  }

  private static final Fault OK = new Fault(Kind.RESPOND, 200, List.of(), new byte[0],
      Duration.ZERO, 0, Duration.ZERO);

  private final Kind kind;
  private final int status;
  /** Header name and value pairs, in order, names as given. */
  private final List<String[]> headers;
  private final byte[] body;
  private final Duration delay;
  private final long throttleBytesPerPeriod;
  private final Duration throttlePeriod;

  private Fault(Kind kind, int status, List<String[]> headers, byte[] body, Duration delay,
      long throttleBytesPerPeriod, Duration throttlePeriod) {
    if ((kind == Kind.STALL_MID_BODY || kind == Kind.RESET_MID_BODY) && body.length < 2) {
      throw new IllegalArgumentException("body must be at least 2 bytes long for " + kind
          + " (the first half is sent before the fault) but was " + body.length + " bytes");
    }
    this.kind = kind;
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.delay = delay;
    this.throttleBytesPerPeriod = throttleBytesPerPeriod;
    this.throttlePeriod = throttlePeriod;
  }

  /** Returns a {@code 200} response with an empty body. */
  public static Fault ok() {
    return OK;
  }

  /**
   * Returns a {@code 200} response whose body is {@code body} in UTF-8.
   *
   * @throws NullPointerException if {@code body} is null
   */
  public static Fault ok(String body) {
    return OK.body(body);
  }

  /**
   * Returns a response with the given status code and an empty body.
   *
   * @throws IllegalArgumentException if {@code code} is not in [100, 599]
   */
  public static Fault status(int code) {
    if (code < 100 || code > 599) {
      throw new IllegalArgumentException("status must be in [100, 599] but was " + code);
    }
    return new Fault(Kind.RESPOND, code, List.of(), new byte[0], Duration.ZERO, 0,
        Duration.ZERO);
  }

  /**
   * Returns a fault that resets the connection (TCP RST) right after reading the request,
   * before sending any response byte. See {@link Kind#RESET_BEFORE_HEADERS}.
   *
   * <p>Note that {@code java.net.http.HttpClient} silently resends a GET or HEAD once when this
   * happens, so one {@code send} can show up as two requests on the server.
   */
  public static Fault resetBeforeHeaders() {
    return new Fault(Kind.RESET_BEFORE_HEADERS, 0, List.of(), new byte[0], Duration.ZERO, 0,
        Duration.ZERO);
  }

  /**
   * Returns a fault that closes the connection in order (TCP FIN) right after reading the
   * request, without answering. See {@link Kind#CLOSE_WITHOUT_RESPONSE}.
   *
   * <p>Note that {@code java.net.http.HttpClient} silently resends a GET or HEAD once when this
   * happens, so one {@code send} can show up as two requests on the server.
   */
  public static Fault closeWithoutResponse() {
    return new Fault(Kind.CLOSE_WITHOUT_RESPONSE, 0, List.of(), new byte[0], Duration.ZERO, 0,
        Duration.ZERO);
  }

  /**
   * Returns a script that picks {@code fault} with the given probability and {@code otherwise}
   * for the rest, for use with {@link FaultServer#script(String, String, IntFunction)}: for
   * example {@code Fault.randomly(42, 0.10, Fault.status(503), Fault.ok())} for "10% 503".
   *
   * <p>The choice for request index {@code i} depends only on {@code seed} and {@code i}, not
   * on what was drawn before, so it is the same on every run and whatever order concurrent
   * requests arrive in. The function is thread-safe.
   *
   * @throws IllegalArgumentException if {@code probability} is not in [0.0, 1.0]
   * @throws NullPointerException if {@code fault} or {@code otherwise} is null
   */
  public static IntFunction<Fault> randomly(long seed, double probability, Fault fault,
      Fault otherwise) {
    if (!(probability >= 0.0 && probability <= 1.0)) {
      throw new IllegalArgumentException(
          "probability must be in [0.0, 1.0] but was " + probability);
    }
    Objects.requireNonNull(fault, "fault");
    Objects.requireNonNull(otherwise, "otherwise");
    return index -> uniform(seed, index) < probability ? fault : otherwise;
  }

  /*
   * A uniform double in [0, 1) from (seed, index) alone: the SplitMix64 finaliser applied to
   * seed + (index + 1) * golden gamma, as java.util.SplittableRandom does for its own stream
   * (Steele, Lea, Flood: "Fast splittable pseudorandom number generators", OOPSLA 2014).
   * Hashing the index, rather than drawing from a shared Random, keeps the choice independent
   * of the order in which concurrent requests ask for it.
   */
  private static double uniform(long seed, int index) {
    long z = seed + (index + 1L) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    return (z >>> 11) * 0x1.0p-53;
  }

  /**
   * Returns a copy that also sends the header {@code name: value}; calling it twice with one
   * name sends both values.
   *
   * @throws IllegalArgumentException if {@code name} is not an HTTP token, is
   *     {@code Content-Length} or {@code Transfer-Encoding} (the server frames the body itself),
   *     or if {@code value} holds a character outside tab and printable ASCII
   * @throws IllegalStateException if this fault sends no response
   */
  public Fault header(String name, String value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    requireResponse("header");
    if (name.isEmpty() || !name.chars().allMatch(Fault::isTokenChar)) {
      throw new IllegalArgumentException(
          "header name must be a non-empty HTTP token but was '" + name + "'");
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.equals("content-length") || lower.equals("transfer-encoding")) {
      throw new IllegalArgumentException("header name must not be Content-Length or"
          + " Transfer-Encoding (the server frames the body itself) but was '" + name + "'");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c != '\t' && (c < 0x20 || c > 0x7e)) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "header value of %s must be tab or printable ASCII but had U+%04X at index %d",
            name, (int) c, i));
      }
    }
    List<String[]> copy = new ArrayList<>(headers);
    copy.add(new String[] {name, value});
    return new Fault(kind, status, Collections.unmodifiableList(copy), body, delay,
        throttleBytesPerPeriod, throttlePeriod);
  }

  /**
   * Returns a copy whose body is {@code body} in UTF-8.
   *
   * @throws IllegalArgumentException if this fault cuts the body short and {@code body} is
   *     shorter than 2 bytes
   * @throws IllegalStateException if this fault sends no response
   */
  public Fault body(String body) {
    return body(Objects.requireNonNull(body, "body").getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Returns a copy whose body is a copy of {@code body}.
   *
   * @throws IllegalArgumentException if this fault cuts the body short and {@code body} is
   *     shorter than 2 bytes
   * @throws IllegalStateException if this fault sends no response
   */
  public Fault body(byte[] body) {
    Objects.requireNonNull(body, "body");
    requireResponse("body");
    return new Fault(kind, status, headers, body.clone(), delay, throttleBytesPerPeriod,
        throttlePeriod);
  }

  /**
   * Returns a copy that waits {@code delay} on the wall clock after reading the request and
   * before acting: before the status line, the reset or the close. The wait ends early when the
   * server is closed.
   *
   * @throws IllegalArgumentException if {@code delay} is negative
   */
  public Fault delay(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must be >= 0 but was " + delay);
    }
    return new Fault(kind, status, headers, body, delay, throttleBytesPerPeriod, throttlePeriod);
  }

  /**
   * Returns a copy that sends the headers and the first half of the body, then stalls until the
   * server is closed. See {@link Kind#STALL_MID_BODY}.
   *
   * @throws IllegalArgumentException if the body is shorter than 2 bytes
   * @throws IllegalStateException if this fault sends no response
   */
  public Fault stallMidBody() {
    requireResponse("stallMidBody");
    return new Fault(Kind.STALL_MID_BODY, status, headers, body, delay, throttleBytesPerPeriod,
        throttlePeriod);
  }

  /**
   * Returns a copy that sends the headers and the first half of the body, then resets the
   * connection. See {@link Kind#RESET_MID_BODY}.
   *
   * @throws IllegalArgumentException if the body is shorter than 2 bytes
   * @throws IllegalStateException if this fault sends no response
   */
  public Fault resetMidBody() {
    requireResponse("resetMidBody");
    return new Fault(Kind.RESET_MID_BODY, status, headers, body, delay, throttleBytesPerPeriod,
        throttlePeriod);
  }

  /**
   * Returns a copy that sends the body slowly: {@code bytesPerPeriod} bytes, then a pause of
   * {@code period} on the wall clock, and so on.
   *
   * @throws IllegalArgumentException if {@code bytesPerPeriod < 1} or {@code period} is not
   *     positive
   * @throws IllegalStateException if this fault sends no response
   */
  public Fault throttleBody(long bytesPerPeriod, Duration period) {
    Objects.requireNonNull(period, "period");
    requireResponse("throttleBody");
    if (bytesPerPeriod < 1) {
      throw new IllegalArgumentException(
          "bytesPerPeriod must be >= 1 but was " + bytesPerPeriod);
    }
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period must be > 0 but was " + period);
    }
    return new Fault(kind, status, headers, body, delay, bytesPerPeriod, period);
  }

  /** Returns what the server does with the connection. */
  public Kind kind() {
    return kind;
  }

  /** Returns the status code sent, or empty if this fault sends no response. */
  public OptionalInt status() {
    return sendsResponse() ? OptionalInt.of(status) : OptionalInt.empty();
  }

  /**
   * Returns the headers this fault adds, by name as given, values in order; excludes the
   * {@code Content-Length} the server computes. The map is unmodifiable.
   */
  public Map<String, List<String>> headers() {
    Map<String, List<String>> map = new LinkedHashMap<>();
    for (String[] header : headers) {
      map.computeIfAbsent(header[0], k -> new ArrayList<>()).add(header[1]);
    }
    map.replaceAll((k, v) -> List.copyOf(v));
    return Collections.unmodifiableMap(map);
  }

  /** Returns a copy of the body, empty if there is none. */
  public byte[] body() {
    return body.clone();
  }

  /** Returns how long the server waits on the wall clock before acting; zero by default. */
  public Duration delay() {
    return delay;
  }

  /** Returns true if this fault sends a status line (perhaps followed by a broken body). */
  boolean sendsResponse() {
    return kind == Kind.RESPOND || kind == Kind.STALL_MID_BODY || kind == Kind.RESET_MID_BODY;
  }

  int statusCode() {
    return status;
  }

  List<String[]> headerPairs() {
    return headers;
  }

  byte[] bodyBytes() {
    return body;
  }

  long throttleBytesPerPeriod() {
    return throttleBytesPerPeriod;
  }

  Duration throttlePeriod() {
    return throttlePeriod;
  }

  private void requireResponse(String modifier) {
    if (!sendsResponse()) {
      throw new IllegalStateException(
          modifier + "() applies only to a fault that sends a response, not to " + kind);
    }
  }

  private static boolean isTokenChar(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Fault)) {
      return false;
    }
    Fault that = (Fault) o;
    return kind == that.kind && status == that.status && headers().equals(that.headers())
        && Arrays.equals(body, that.body) && delay.equals(that.delay)
        && throttleBytesPerPeriod == that.throttleBytesPerPeriod
        && throttlePeriod.equals(that.throttlePeriod);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, status, headers(), Arrays.hashCode(body), delay,
        throttleBytesPerPeriod, throttlePeriod);
  }

  /** Returns a short description, such as {@code Fault[503 Retry-After=2 body=0B]}. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("Fault[");
    if (sendsResponse()) {
      s.append(status);
      for (String[] header : headers) {
        s.append(' ').append(header[0]).append('=').append(header[1]);
      }
      s.append(" body=").append(body.length).append('B');
      if (kind != Kind.RESPOND) {
        s.append(' ').append(kind);
      }
      if (throttleBytesPerPeriod > 0) {
        s.append(" throttle=").append(throttleBytesPerPeriod).append("B/").append(throttlePeriod);
      }
    } else {
      s.append(kind);
    }
    if (!delay.isZero()) {
      s.append(" delay=").append(delay);
    }
    return s.append(']').toString();
  }
}
