package dev.resilienthttp.http.auth;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A bearer token and how long it stays valid, as a {@link TokenSource} hands it to a {@link
 * dev.resilienthttp.http.ResilientHttpClient}. Its lifetime counts from when the client receives it (on the client's
 * monotonic clock, so a wrong wall clock does not matter); token endpoints say the same with
 * {@code expires_in}.
 *
 * <p>{@link #toString()} never shows the value. Immutable and thread-safe.
 */
public final class AccessToken {

  private final String value;
  private final Duration lifetime;

  private AccessToken(String value, Duration lifetime) {
    this.value = value;
    this.lifetime = lifetime;
  }

  /**
   * Returns a token valid for {@code lifetime} from when the client receives it. A lifetime of
   * zero (a token endpoint answering {@code "expires_in": 0}) makes a single-use token: the
   * call that needed it uses it, and it is never cached.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code value} is blank or holds a control character
   *     (it goes into a header), or {@code lifetime} is not in [0, 292 years]
   */
  public static AccessToken of(String value, Duration lifetime) {
    Objects.requireNonNull(lifetime, "lifetime");
    long nanos;
    try {
      nanos = lifetime.toNanos();
    } catch (ArithmeticException tooLong) {
      nanos = -1;
    }
    if (nanos < 0) {
      throw new IllegalArgumentException(
          "lifetime must be in [PT0S, " + Duration.ofNanos(Long.MAX_VALUE) + "] but was " + lifetime);
    }
    return new AccessToken(checkValue(value), lifetime);
  }

  /**
   * Returns a token that does not expire: the client uses it until a server rejects it with a
   * 401.
   *
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException if {@code value} is blank or holds a control character
   */
  public static AccessToken withoutExpiry(String value) {
    return new AccessToken(checkValue(value), null);
  }

  private static String checkValue(String value) {
    Objects.requireNonNull(value, "value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("value must not be blank but was " + value.length() + " blank characters");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        // The value itself is never put in a message.
        throw new IllegalArgumentException(
            "value must hold no control character but held U+" + String.format("%04X", (int) c)
                + " at index " + i);
      }
    }
    return value;
  }

  /** The token, as it goes after {@code Bearer } in the Authorization header. */
  public String value() {
    return value;
  }

  /** How long the token stays valid from its receipt; empty if it does not expire. */
  public Optional<Duration> lifetime() {
    return Optional.ofNullable(lifetime);
  }

  /** {@code AccessToken[REDACTED, lifetime=PT1H]}: never the value. */
  @Override
  public String toString() {
    return "AccessToken[" + "REDACTED" + ", lifetime=" + (lifetime == null ? "unlimited" : lifetime) + "]";
  }
}
