package dev.resilienthttp.http.internal.rules;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.Year;
import java.time.ZoneOffset;

/**
 * Reads an HTTP-date (RFC 9110 §5.6.7) tolerantly, in any of its three forms: IMF-fixdate
 * ({@code Sun, 06 Nov 1994 08:49:37 GMT}), RFC 850 ({@code Sunday, 06-Nov-94 08:49:37 GMT}) and
 * asctime ({@code Sun Nov  6 08:49:37 1994}).
 *
 * <p>The day name is skipped, not checked (it is redundant with the date, and servers get it
 * wrong), and may be missing; month names are compared without case; a day may have one digit;
 * the zone may be {@code GMT}, {@code UTC}, {@code UT}, a numeric offset such as {@code +0000},
 * or missing (GMT); a leap second {@code :60} runs into the next minute; spaces and tabs around
 * the value are ignored. A two-digit year that would put the date more than 50 years after now is
 * taken as the most recent past year with those digits (§5.6.7); a 29 February that such a year
 * lacks is taken from the century before.
 *
 * <p>Stateless and thread-safe; never throws for any text.
 */
public final class HttpDate {

  /** What {@link #epochSeconds} returns for text that is not an HTTP-date. */
  public static final long INVALID = Long.MIN_VALUE;

  private static final String[] MONTHS = {
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
  };

  private HttpDate() {}

  /**
   * The instant, in epoch seconds, of the HTTP-date {@code value} (see the class description);
   * {@link #INVALID} if it is not one.
   *
   * @param nowSeconds now, in epoch seconds, placing a two-digit year
   */
  public static long epochSeconds(String value, long nowSeconds) {
    Cursor c = new Cursor(value);
    c.skipOws();
    int dayName = c.letters();
    if (dayName > 0) {
      // The day name is redundant with the date: skipped, so a wrong one does not void the date.
      if (dayName < 3 || dayName > 9) {
        return INVALID;
      }
      boolean comma = c.accept(',');
      if (c.spaces() == 0 && !comma) {
        return INVALID; // the day name must be set apart by a comma or a space
      }
    }
    int day;
    int month;
    int year;
    boolean twoDigitYear;
    int time;
    if (c.atLetter()) {
      // asctime: month SP day SP time SP year
      month = c.month();
      if (month < 0 || c.spaces() == 0) {
        return INVALID;
      }
      day = c.number(1, 2);
      if (day < 0 || c.spaces() == 0) {
        return INVALID;
      }
      time = c.time();
      if (time < 0 || c.spaces() == 0) {
        return INVALID;
      }
      year = c.number(4, 4);
      twoDigitYear = false;
      if (year < 0) {
        return INVALID;
      }
    } else {
      // IMF-fixdate (day SP month SP year) or RFC 850 (day-month-year), then the time.
      day = c.number(1, 2);
      if (day < 0) {
        return INVALID;
      }
      boolean dashes = c.accept('-');
      if (!dashes && c.spaces() == 0) {
        return INVALID;
      }
      month = c.month();
      if (month < 0 || (dashes ? !c.accept('-') : c.spaces() == 0)) {
        return INVALID;
      }
      int start = c.position;
      year = c.number(2, 4);
      int yearDigits = c.position - start;
      if (year < 0 || yearDigits == 3 || c.spaces() == 0) {
        return INVALID;
      }
      twoDigitYear = yearDigits == 2;
      time = c.time();
      if (time < 0) {
        return INVALID;
      }
    }
    int offsetSeconds = c.zone();
    if (offsetSeconds == Integer.MIN_VALUE) {
      return INVALID;
    }
    c.skipOws();
    if (!c.atEnd()) {
      return INVALID;
    }
    long timeOfDay = (long) time - offsetSeconds;
    if (day < 1) {
      return INVALID;
    }
    if (twoDigitYear) {
      return placeTwoDigitYear(year, month, day, timeOfDay, nowSeconds);
    }
    if (day > Month.of(month).length(Year.isLeap(year))) {
      return INVALID;
    }
    return LocalDate.of(year, month, day).toEpochDay() * 86_400L + timeOfDay;
  }

  /**
   * RFC 9110 §5.6.7: the latest year ending in {@code yy} that does not put the date more than 50
   * years after now.
   */
  private static long placeTwoDigitYear(int yy, int month, int day, long timeOfDay, long nowSeconds) {
    LocalDateTime now;
    long limit;
    try {
      now = LocalDateTime.ofEpochSecond(nowSeconds, 0, ZoneOffset.UTC);
      limit = now.plusYears(50).toEpochSecond(ZoneOffset.UTC);
    } catch (DateTimeException beyondTheCalendar) {
      return INVALID; // a wall clock near Instant.MAX or MIN places no year
    }
    int century = now.getYear() - Math.floorMod(now.getYear(), 100);
    for (int year = century + 100 + yy; year >= century - 100 + yy; year -= 100) {
      if (day > Month.of(month).length(Year.isLeap(year))) {
        continue; // 29 Feb of a year that has none: try the century before
      }
      long when = LocalDate.of(year, month, day).toEpochDay() * 86_400L + timeOfDay;
      if (when <= limit) {
        return when;
      }
    }
    return INVALID;
  }

  private static boolean isOws(char c) {
    return c == ' ' || c == '\t';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isLetter(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  }

  /** A position in a value being read; every method leaves it after what it accepted. */
  private static final class Cursor {
    final String s;
    int position;

    Cursor(String s) {
      this.s = s;
    }

    boolean atEnd() {
      return position == s.length();
    }

    boolean atLetter() {
      return position < s.length() && isLetter(s.charAt(position));
    }

    void skipOws() {
      while (position < s.length() && isOws(s.charAt(position))) {
        position++;
      }
    }

    /** Skips spaces and tabs, returning how many. */
    int spaces() {
      int start = position;
      skipOws();
      return position - start;
    }

    boolean accept(char expected) {
      if (position < s.length() && s.charAt(position) == expected) {
        position++;
        return true;
      }
      return false;
    }

    int letters() {
      int start = position;
      while (atLetter()) {
        position++;
      }
      return position - start;
    }

    /** A number of {@code min} to {@code max} digits; -1 if there is none such. */
    int number(int min, int max) {
      int start = position;
      int n = 0;
      while (position < s.length() && position - start < max && isDigit(s.charAt(position))) {
        n = n * 10 + (s.charAt(position++) - '0');
      }
      int digits = position - start;
      if (digits < min || (position < s.length() && isDigit(s.charAt(position)))) {
        return -1;
      }
      return n;
    }

    /** A three-letter month name, any case, as 1 to 12; -1 if none. */
    int month() {
      if (letters() != 3) {
        return -1;
      }
      for (int m = 0; m < MONTHS.length; m++) {
        if (s.regionMatches(true, position - 3, MONTHS[m], 0, 3)) {
          return m + 1;
        }
      }
      return -1;
    }

    /**
     * {@code HH:MM:SS} as seconds of the day (a leap second {@code :60} runs into the next
     * minute); -1 if not a time.
     */
    int time() {
      int hour = number(2, 2);
      if (hour < 0 || hour > 23 || !accept(':')) {
        return -1;
      }
      int minute = number(2, 2);
      if (minute < 0 || minute > 59 || !accept(':')) {
        return -1;
      }
      int second = number(2, 2);
      if (second < 0 || second > 60) {
        return -1;
      }
      return hour * 3600 + minute * 60 + second;
    }

    /**
     * An optional zone after optional spaces: the offset from UTC in seconds (0 for none, GMT,
     * UTC, UT); {@link Integer#MIN_VALUE} if something else follows.
     */
    int zone() {
      int start = position;
      if (spaces() == 0 || atEnd()) {
        position = start;
        return 0;
      }
      int word = position;
      int letters = letters();
      if (letters > 0) {
        boolean utc = (letters == 3 && (s.regionMatches(true, word, "GMT", 0, 3)
                || s.regionMatches(true, word, "UTC", 0, 3)))
            || (letters == 2 && s.regionMatches(true, word, "UT", 0, 2));
        return utc ? 0 : Integer.MIN_VALUE;
      }
      boolean minus = accept('-');
      if (!minus && !accept('+')) {
        return Integer.MIN_VALUE;
      }
      int hhmm = number(4, 4);
      if (hhmm < 0 || hhmm / 100 > 23 || hhmm % 100 > 59) {
        return Integer.MIN_VALUE;
      }
      int offset = hhmm / 100 * 3600 + hhmm % 100 * 60;
      return minus ? -offset : offset;
    }
  }
}
