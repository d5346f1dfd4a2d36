package dev.resilienthttp.http.internal.rules;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the rules need to know about a request, fixed when its call starts: whether it is
 * idempotent, its idempotency key, and what its body is.
 *
 * <p>A request is idempotent when its method is among {@link HttpRules#idempotentMethods()},
 * when it carries an {@code Idempotency-Key} (its own or a generated one), when the caller
 * marked it so, or when its route is marked so.
 *
 * <p>Immutable and thread-safe.
 */
public final class RequestTraits {

  /** The header naming a request's idempotency key. */
  public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  private final String method;
  private final boolean idempotent;
  private final Optional<String> idempotencyKey;
  private final boolean generatedKey;
  private final BodyKind bodyKind;

  private RequestTraits(
      String method, boolean idempotent, Optional<String> idempotencyKey, boolean generatedKey, BodyKind bodyKind) {
    this.method = method;
    this.idempotent = idempotent;
    this.idempotencyKey = idempotencyKey;
    this.generatedKey = generatedKey;
    this.bodyKind = bodyKind;
  }

  /**
   * The traits of a request starting its call.
   *
   * <p>Its idempotency key is the first value of its own {@code Idempotency-Key} header, if it
   * has one; else, when {@link HttpRules#generateIdempotencyKeys()} is on and the method is not
   * idempotent, one taken from {@code keySource} (called at most once, here), which the
   * transport must add to every attempt ({@link #generatedKey()}).
   *
   * @param method the request's method, compared exactly (methods are case-sensitive)
   * @param requestHeaders the request's own header fields
   * @param body what the request's body is
   * @param markedIdempotent whether the caller marked the request idempotent
   * @param routeIdempotent whether the request's route is marked idempotent
   * @param rules the client's rules
   * @param keySource where generated idempotency keys come from
   * @throws IllegalStateException if a key taken from {@code keySource} is null, blank, or holds
   *     CR, LF or another control character (a header could not carry it); the key is not used
   */
  public static RequestTraits of(
      String method, HeaderLookup requestHeaders, BodyKind body, boolean markedIdempotent,
      boolean routeIdempotent, HttpRules rules, Supplier<String> keySource) {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(requestHeaders, "requestHeaders");
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(rules, "rules");
    Objects.requireNonNull(keySource, "keySource");
    boolean idempotentMethod = rules.isIdempotentMethod(method);
    List<String> own = requestHeaders.values(IDEMPOTENCY_KEY);
    String key = own == null || own.isEmpty() ? null : own.get(0);
    boolean generated = false;
    if (key == null && !idempotentMethod && rules.generateIdempotencyKeys()) {
      key = checkedKey(keySource.get());
      generated = true;
    }
    // A key lets the server recognise a repeat, so a request with one is safe to send again.
    boolean idempotent = idempotentMethod || key != null || markedIdempotent || routeIdempotent;
    return new RequestTraits(method, idempotent, Optional.ofNullable(key), generated, body);
  }

  private static String checkedKey(String key) {
    if (key == null || key.isBlank() || hasControl(key)) {
      throw new IllegalStateException(
          "idempotencyKeySource must return a non-blank key without CR, LF or other control characters"
              + " but returned " + (key == null ? "null" : "'" + escaped(key) + "'"));
    }
    return key;
  }

  private static boolean hasControl(String key) {
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return true;
      }
    }
    return false;
  }

  /** The key with control characters written as escapes, so that a message stays one line. */
  private static String escaped(String key) {
    StringBuilder out = new StringBuilder(key.length() + 8);
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == '\r') {
        out.append("\\r");
      } else if (c == '\n') {
        out.append("\\n");
      } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** The request's method. */
  public String method() {
    return method;
  }

  /** Whether the request is safe to send more than once. */
  public boolean idempotent() {
    return idempotent;
  }

  /** The request's idempotency key: its own, or the generated one. */
  public Optional<String> idempotencyKey() {
    return idempotencyKey;
  }

  /**
   * Whether {@link #idempotencyKey()} was generated for this call, so that the transport must
   * add it as an {@code Idempotency-Key} header to every attempt.
   */
  public boolean generatedKey() {
    return generatedKey;
  }

  /** What the request's body is. */
  public BodyKind bodyKind() {
    return bodyKind;
  }

  /** {@code POST idempotent, generated key, ONE_SHOT body}; the key itself is not shown. */
  @Override
  public String toString() {
    return method + (idempotent ? " idempotent" : " not idempotent")
        + (idempotencyKey.isEmpty() ? "" : generatedKey ? ", generated key" : ", own key")
        + ", " + bodyKind + " body";
  }
}
