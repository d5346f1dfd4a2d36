package dev.resilienthttp.http;

import java.lang.System.Logger.Level;
import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads the Retry-After header (RFC 9110 §10.2.3): delta-seconds or an HTTP-date. A date is
 * measured against the response's own Date header when it has one, so a skewed local clock does
 * not stretch or shrink the wait; else against the injected wall clock. A date in the past means
 * no wait. Anything else is ignored and logged at debug level.
 */
final class RetryAfter {

  private static final System.Logger LOG = System.getLogger("dev.resilienthttp.http");

  /* RFC 9110 §5.6.7: recipients must accept IMF-fixdate and the two obsolete forms. */
  private static final DateTimeFormatter RFC_850 =
      DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss zzz", Locale.US);
  private static final DateTimeFormatter ASCTIME =
      DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US).withZone(java.time.ZoneOffset.UTC);

  private RetryAfter() {}

  /** The wait asked for by {@code headers}, if any valid Retry-After is present. */
  static Optional<Duration> parse(HttpHeaders headers, Clock wallClock) {
    Optional<String> header = headers.firstValue("Retry-After");
    if (header.isEmpty()) {
      return Optional.empty();
    }
    String value = header.get().trim();
    if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      try {
        return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
      } catch (NumberFormatException tooLarge) {
        return Optional.of(Duration.ofSeconds(Long.MAX_VALUE / 1_000_000_000L));
      }
    }
    Instant when = date(value);
    if (when == null) {
      LOG.log(Level.DEBUG, () -> "ignoring a Retry-After that is neither delta-seconds nor an HTTP-date: '"
          + value + "'");
      return Optional.empty();
    }
    Instant now = headers.firstValue("Date").map(RetryAfter::date).orElse(null);
    if (now == null) {
      now = wallClock.instant();
    }
    Duration wait = Duration.between(now, when);
    return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
  }

  private static Instant date(String value) {
    for (DateTimeFormatter format : new DateTimeFormatter[] {DateTimeFormatter.RFC_1123_DATE_TIME, RFC_850, ASCTIME}) {
      try {
        return ZonedDateTime.parse(value, format).toInstant();
      } catch (DateTimeParseException ignored) {
        // try the next form
      }
    }
    return null;
  }
}
