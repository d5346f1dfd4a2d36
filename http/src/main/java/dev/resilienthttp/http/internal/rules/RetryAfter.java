package dev.resilienthttp.http.internal.rules;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads the Retry-After field of a response (RFC 9110 §10.2.3): how long the server asks the
 * client to wait before the next request.
 *
 * <p>Each field value is read on its own (a date holds a comma, so values are never split into
 * dates). A value is one of:
 *
 * <ul>
 *   <li>delta-seconds: digits only, with optional spaces or tabs around them. A value listing
 *       only delta-seconds separated by commas ({@code 120, 60}, as an intermediary may join two
 *       fields) counts as its largest. A sign, a fraction or a unit makes the value garbage.
 *   <li>an HTTP-date in any of its three forms, read tolerantly (a wrong day name is skipped):
 *       see {@link HttpDate}. The wall clock places a two-digit year.
 * </ul>
 *
 * <p>A date is measured against the response's own {@code Date} field when one of its values is
 * a valid date (read as tolerantly), so that a skewed local clock does not stretch or shrink the
 * wait; else against the wall clock. A date in the past means {@link Duration#ZERO}.
 *
 * <p>With several valid values the largest wins. Every result is clamped to {@link #MAX}, so a
 * caller may take {@link Duration#toNanos()} of it and add it to a {@code System.nanoTime()}
 * reading without overflow. Garbage values are skipped; {@link #parse} never throws for any
 * header content.
 *
 * <p>Stateless and thread-safe.
 */
public final class RetryAfter {

  /**
   * The longest wait {@link #parse} returns: 36,525 days (100 years). Its nanoseconds are about a
   * third of {@code Long.MAX_VALUE}.
   */
  public static final Duration MAX = Duration.ofDays(36_525);

  private static final long MAX_SECONDS = MAX.getSeconds();

  private RetryAfter() {}

  /**
   * The wait asked for by the {@code Retry-After} values in {@code headers}: the largest valid
   * one, clamped to {@link #MAX}; empty if there is no valid value.
   *
   * @param headers the response's header fields
   * @param wallClock measures dates when the response has no valid {@code Date}, and places
   *     two-digit years
   * @throws NullPointerException if an argument is {@code null}; never for header content
   */
  public static Optional<Duration> parse(HeaderLookup headers, Clock wallClock) {
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(wallClock, "wallClock");
    List<String> values = headers.values("Retry-After");
    if (values == null || values.isEmpty()) {
      return Optional.empty();
    }
    Duration largest = null;
    Instant wallNow = null;
    Instant reference = null;
    for (int v = 0; v < values.size(); v++) {
      String value = values.get(v);
      if (value == null) {
        continue;
      }
      long seconds = deltaSeconds(value);
      Duration wait;
      if (seconds >= 0) {
        wait = Duration.ofSeconds(seconds);
      } else {
        if (wallNow == null) {
          wallNow = wallClock.instant();
        }
        long when = HttpDate.epochSeconds(value, wallNow.getEpochSecond());
        if (when == HttpDate.INVALID) {
          continue; // garbage: another value may still be valid
        }
        if (reference == null) {
          reference = responseDate(headers, wallNow);
        }
        wait = Duration.between(reference, Instant.ofEpochSecond(when));
        if (wait.isNegative()) {
          wait = Duration.ZERO; // a date in the past asks for no wait
        } else if (wait.compareTo(MAX) > 0) {
          wait = MAX;
        }
      }
      if (largest == null || wait.compareTo(largest) > 0) {
        largest = wait; // the server asked for at least this much
      }
    }
    return Optional.ofNullable(largest);
  }

  /** The response's own Date if one value is a valid date, else the wall clock's now. */
  private static Instant responseDate(HeaderLookup headers, Instant wallNow) {
    List<String> dates = headers.values("Date");
    if (dates != null) {
      for (int i = 0; i < dates.size(); i++) {
        String value = dates.get(i);
        long date = value == null ? HttpDate.INVALID : HttpDate.epochSeconds(value, wallNow.getEpochSecond());
        if (date != HttpDate.INVALID) {
          return Instant.ofEpochSecond(date);
        }
      }
    }
    return wallNow;
  }

  /**
   * The largest delta-seconds in {@code value} (one, or several separated by commas), clamped to
   * {@link #MAX_SECONDS}; -1 if the value is not made of delta-seconds only.
   */
  static long deltaSeconds(String value) {
    int length = value.length();
    long largest = -1;
    int i = 0;
    while (true) {
      while (i < length && isOws(value.charAt(i))) {
        i++;
      }
      int digits = i;
      long seconds = 0;
      while (i < length && isDigit(value.charAt(i))) {
        // Once past the clamp, more digits only confirm the form: no overflow for any length.
        if (seconds <= MAX_SECONDS) {
          seconds = seconds * 10 + (value.charAt(i) - '0');
        }
        i++;
      }
      if (i == digits) {
        return -1; // an empty element, a sign or another character: not delta-seconds
      }
      largest = Math.max(largest, Math.min(seconds, MAX_SECONDS));
      while (i < length && isOws(value.charAt(i))) {
        i++;
      }
      if (i == length) {
        return largest;
      }
      if (value.charAt(i) != ',') {
        return -1;
      }
      i++;
    }
  }

  private static boolean isOws(char c) {
    return c == ' ' || c == '\t';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
