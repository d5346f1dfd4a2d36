package dev.resilienthttp.http.internal.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Retry-After read from header values alone, against fixed clocks. */
class RetryAfterTest {

  /** The wall clock: 21 Oct 2026 07:28:00 UTC. */
  private static final Instant NOW = Instant.parse("2026-10-21T07:28:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private static HeaderLookup retryAfter(String... values) {
    return HeaderLookup.of(Map.of("Retry-After", Arrays.asList(values)));
  }

  private static HeaderLookup withDate(String date, String... values) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("Date", List.of(date));
    headers.put("Retry-After", Arrays.asList(values));
    return HeaderLookup.of(headers);
  }

  private static Optional<Duration> parse(HeaderLookup headers) {
    return RetryAfter.parse(headers, CLOCK);
  }

  /** A clock that fails the test if read. */
  private static final Clock UNREAD = new Clock() {
    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      throw new AssertionError("the wall clock was read");
    }
  };

  // ---- delta-seconds ----------------------------------------------------------------------

  @ParameterizedTest(name = "''{0}'' -> {1} s")
  @CsvSource(delimiter = '|', value = {
      "120        | 120",
      "0          | 0",
      "'  7 '     | 7",
      "'\t7\t'    | 7",
      "007        | 7",
      "'120, 60'  | 120",
      "'5,90 ,6'  | 90",
  })
  void deltaSecondsAreReadWithoutTheClock(String value, long seconds) {
    assertThat(RetryAfter.parse(retryAfter(value), UNREAD)).contains(Duration.ofSeconds(seconds));
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {
      "", " ", "-5", "+5", "1.5", "5s", "5 s", "0x10", "five", "5,", ",5", "5,,6", "60, soon",
      "\u0665", "1 2", "Wed, 21 Oct 2026 07:28:05 EST", "Wed, 31 Feb 2026 07:28:05 GMT",
      "Wed, 21 Oct 2026 24:00:00 GMT", "Wed, 21 Oct 2026 07:60:00 GMT", "Wed, 21 Oct 2026 07:28:61 GMT",
      "Wed, 21 Foo 2026 07:28:05 GMT", "Wed, 21 Oct 226 07:28:05 GMT", "Wed, 21 Oct 20266 07:28:05 GMT",
      "Wed, 21 Oct 2026 7:28:05 GMT", "Wed, 21 Oct 2026 07:28 GMT", "Wed, 21 Oct 2026", "Wed,",
      "W, 21 Oct 2026 07:28:05 GMT", "Wed 21-Oct 2026 07:28:05 GMT", "Wed, 21 Oct 2026 07:28:05 GMT x",
      "Wed, 121 Oct 2026 07:28:05 GMT", "Wed Oct 21 07:28:05 26", "Wed Oct 21 2026 07:28:05",
      "Wed, 21 Oct 2026 07:28:05 +01", "Wed, 21 Oct 2026 07:28:05 +2400", "2026-10-21T07:28:05Z",
      "Wed, 00 Oct 2026 07:28:05 GMT", "Wednesday, 00-Oct-26 07:28:05 GMT", "Wed Oct  0 07:28:05 2026",
      "Wed, 32 Oct 2026 07:28:05 GMT", "Wednesday, 31-Nov-26 07:28:05 GMT",
  })
  void garbageIsIgnored(String value) {
    assertThat(parse(retryAfter(value))).isEmpty();
  }

  @Test
  void noValueMeansNoWait() {
    assertThat(parse(HeaderLookup.NONE)).isEmpty();
    assertThat(parse(HeaderLookup.of(Map.of("Date", List.of("Wed, 21 Oct 2026 07:28:00 GMT"))))).isEmpty();
    assertThat(parse(name -> null)).as("a lookup answering null").isEmpty();
    assertThat(parse(name -> java.util.Collections.singletonList(null))).as("a null value").isEmpty();
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {
      "3155760000", "3155760001", "99999999999", "9223372036854775807", "9223372036854775808",
      "18446744073709551616", "99999999999999999999999999999999999999999999999999",
  })
  void hugeDeltaSecondsClampToMax(String value) {
    Duration wait = parse(retryAfter(value)).orElseThrow();

    assertThat(wait).isEqualTo(RetryAfter.MAX);
    assertThat(wait.toNanos()).isLessThan(Long.MAX_VALUE / 2);
  }

  @Test
  void maxIsOneHundredYearsAndJustBelowItIsKept() {
    assertThat(RetryAfter.MAX).isEqualTo(Duration.ofDays(36_525));
    assertThat(parse(retryAfter("3155759999"))).contains(Duration.ofSeconds(3_155_759_999L));
  }

  // ---- HTTP-dates -------------------------------------------------------------------------

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {
      "Wed, 21 Oct 2026 07:28:05 GMT",       // IMF-fixdate
      "Wednesday, 21-Oct-26 07:28:05 GMT",   // RFC 850
      "Wed Oct 21 07:28:05 2026",            // asctime
      "Mon, 21 Oct 2026 07:28:05 GMT",       // wrong day names are skipped
      "Friday, 21-Oct-26 07:28:05 GMT",
      "Sun Oct 21 07:28:05 2026",
      "Xyz, 21 Oct 2026 07:28:05 GMT",
      "21 Oct 2026 07:28:05 GMT",            // no day name
      "Wed,21 Oct 2026 07:28:05 GMT",
      "wed, 21 OCT 2026 07:28:05 gmt",       // any case
      "Wed, 21 Oct 2026 07:28:05 UTC",
      "Wed, 21 Oct 2026 07:28:05 UT",
      "Wed, 21 Oct 2026 07:28:05 +0000",
      "Wed, 21 Oct 2026 08:28:05 +0100",
      "Wed, 21 Oct 2026 06:28:05 -0100",
      "Wed, 21 Oct 2026 07:28:05",           // no zone: GMT
      "Wed Oct 21 07:28:05 2026 GMT",
      "Wednesday, 21-Oct-2026 07:28:05 GMT",
      " \tWed, 21 Oct 2026 07:28:05 GMT\t ",
  })
  void everyDateFormCountsFromTheResponsesDate(String value) {
    // The wall clock is a day behind: only the Date header makes this a 5 s wait.
    Clock dayBehind = Clock.fixed(NOW.minus(Duration.ofDays(1)), ZoneOffset.UTC);

    assertThat(RetryAfter.parse(withDate("Wed, 21 Oct 2026 07:28:00 GMT", value), dayBehind))
        .contains(Duration.ofSeconds(5));
  }

  @Test
  void aOneDigitDayIsRead() {
    HeaderLookup headers = withDate("Thu, 01 Oct 2026 07:28:00 GMT",
        "Thu Oct  1 07:28:09 2026", "Thu, 1 Oct 2026 07:28:07 GMT");

    assertThat(parse(headers)).contains(Duration.ofSeconds(9));
  }

  @Test
  void aResponseDateWithAWrongDayNameStillCounts() {
    assertThat(parse(withDate("Mon, 21 Oct 2026 07:27:00 GMT", "Wed, 21 Oct 2026 07:28:05 GMT")))
        .contains(Duration.ofSeconds(65));
  }

  @Test
  void withoutAValidResponseDateTheWallClockCounts() {
    assertThat(parse(retryAfter("Wed, 21 Oct 2026 07:28:30 GMT"))).contains(Duration.ofSeconds(30));
    assertThat(parse(withDate("yesterday", "Wed, 21 Oct 2026 07:28:30 GMT"))).contains(Duration.ofSeconds(30));
  }

  @Test
  void theFirstValidResponseDateCounts() {
    HeaderLookup headers = HeaderLookup.of(Map.of(
        "Date", List.of("soon", "Wed, 21 Oct 2026 07:28:20 GMT", "Wed, 21 Oct 2026 07:28:00 GMT"),
        "Retry-After", List.of("Wed, 21 Oct 2026 07:28:30 GMT")));

    assertThat(parse(headers)).contains(Duration.ofSeconds(10));
  }

  @Test
  void theWallClocksFractionOfASecondIsKept() {
    Clock clock = Clock.fixed(NOW.plusMillis(250), ZoneOffset.UTC);

    assertThat(RetryAfter.parse(retryAfter("Wed, 21 Oct 2026 07:28:05 GMT"), clock))
        .contains(Duration.ofMillis(4_750));
  }

  @Test
  void aPastDateMeansNoWait() {
    assertThat(parse(retryAfter("Wed, 21 Oct 2026 07:27:59 GMT"))).contains(Duration.ZERO);
    assertThat(parse(retryAfter("Sun, 06 Nov 1994 08:49:37 GMT"))).contains(Duration.ZERO);
    assertThat(parse(retryAfter("Wed, 21 Oct 2026 07:28:00 GMT"))).contains(Duration.ZERO);
  }

  @Test
  void aFarDateClampsToMax() {
    assertThat(parse(retryAfter("Fri, 31 Dec 9999 23:59:59 GMT"))).contains(RetryAfter.MAX);
    assertThat(parse(withDate("Sat, 01 Jan 0000 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT")))
        .contains(RetryAfter.MAX);
  }

  @Test
  void aLeapSecondRunsIntoTheNextMinute() {
    assertThat(HttpDate.epochSeconds("Thu, 31 Dec 2026 23:59:60 GMT", NOW.getEpochSecond()))
        .isEqualTo(Instant.parse("2027-01-01T00:00:00Z").getEpochSecond());
  }

  @Test
  void the29thOfFebruaryIsValidInLeapYearsOnly() {
    assertThat(HttpDate.epochSeconds("Thu, 29 Feb 2028 00:00:00 GMT", NOW.getEpochSecond()))
        .isEqualTo(Instant.parse("2028-02-29T00:00:00Z").getEpochSecond());
    assertThat(parse(retryAfter("Thu, 29 Feb 2027 00:00:00 GMT"))).isEmpty();
  }

  // ---- RFC 850's two-digit years (RFC 9110 §5.6.7) ----------------------------------------

  @ParameterizedTest(name = "now {0}: ''{1}'' is {2}")
  @CsvSource(delimiter = '|', value = {
      // At most 50 years ahead: this century or the next.
      "2000-01-01T00:00:00Z | Friday, 31-Dec-49 23:59:59 GMT   | 2049-12-31T23:59:59Z",
      "2000-01-01T00:00:00Z | Saturday, 01-Jan-50 00:00:00 GMT | 2050-01-01T00:00:00Z",
      // More than 50 years ahead: the most recent past year with those digits.
      "2000-01-01T00:00:00Z | Sunday, 01-Jan-50 00:00:01 GMT   | 1950-01-01T00:00:01Z",
      "2000-01-01T00:00:00Z | Friday, 31-Dec-99 23:59:59 GMT   | 1999-12-31T23:59:59Z",
      "1999-12-31T23:59:59Z | Saturday, 01-Jan-00 00:00:00 GMT | 2000-01-01T00:00:00Z",
      "2026-10-21T07:28:00Z | Wednesday, 21-Oct-76 07:28:00 GMT | 2076-10-21T07:28:00Z",
      "2026-10-21T07:28:00Z | Wednesday, 21-Oct-76 07:28:01 GMT | 1976-10-21T07:28:01Z",
      "2026-10-21T07:28:00Z | Sunday, 06-Nov-94 08:49:37 GMT   | 1994-11-06T08:49:37Z",
      "2026-10-21T07:28:00Z | Monday, 01-Jan-01 00:00:00 GMT   | 2001-01-01T00:00:00Z",
      // Into the next century when now is late in this one.
      "2080-06-01T00:00:00Z | Friday, 01-Jan-10 00:00:00 GMT   | 2110-01-01T00:00:00Z",
      "2080-06-01T00:00:00Z | Friday, 01-Jan-40 00:00:00 GMT   | 2040-01-01T00:00:00Z",
      // No 29 February in 2100: the century before.
      "2060-01-01T00:00:00Z | Tuesday, 29-Feb-00 00:00:00 GMT  | 2000-02-29T00:00:00Z",
  })
  void aTwoDigitYearIsPlacedAgainstTheWallClock(String now, String value, String expected) {
    assertThat(HttpDate.epochSeconds(value, Instant.parse(now).getEpochSecond()))
        .isEqualTo(Instant.parse(expected).getEpochSecond());
  }

  @Test
  void aTwoDigitYearIsPlacedThroughParseToo() {
    Clock y2k = Clock.fixed(Instant.parse("2000-01-01T00:00:00Z"), ZoneOffset.UTC);

    assertThat(RetryAfter.parse(retryAfter("Friday, 31-Dec-49 23:59:59 GMT"), y2k))
        .contains(Duration.between(Instant.parse("2000-01-01T00:00:00Z"), Instant.parse("2049-12-31T23:59:59Z")));
    assertThat(RetryAfter.parse(retryAfter("Friday, 31-Dec-99 23:59:59 GMT"), y2k)).contains(Duration.ZERO);
  }

  @Test
  void aWallClockAtTheEndsOfTimeNeverThrows() {
    for (Instant end : new Instant[] {Instant.MAX, Instant.MIN}) {
      Clock clock = Clock.fixed(end, ZoneOffset.UTC);

      assertThat(RetryAfter.parse(retryAfter("Wednesday, 21-Oct-26 07:28:05 GMT"), clock)).as("%s", end).isEmpty();
      assertThat(RetryAfter.parse(retryAfter("7"), clock)).contains(Duration.ofSeconds(7));
    }
    assertThat(RetryAfter.parse(retryAfter("Wed, 21 Oct 2026 07:28:05 GMT"), Clock.fixed(Instant.MIN, ZoneOffset.UTC)))
        .contains(RetryAfter.MAX);
    assertThat(RetryAfter.parse(retryAfter("Wed, 21 Oct 2026 07:28:05 GMT"), Clock.fixed(Instant.MAX, ZoneOffset.UTC)))
        .contains(Duration.ZERO);
  }

  // ---- several values ---------------------------------------------------------------------

  @Test
  void theLargestValidValueWins() {
    assertThat(parse(retryAfter("5", "Wed, 21 Oct 2026 07:28:30 GMT", "garbage", "12"))).contains(Duration.ofSeconds(30));
    assertThat(parse(retryAfter("60", "5"))).contains(Duration.ofSeconds(60));
    assertThat(parse(retryAfter("5", "60"))).contains(Duration.ofSeconds(60));
    assertThat(parse(retryAfter("Wed, 21 Oct 2026 07:27:00 GMT", "3"))).contains(Duration.ofSeconds(3));
    assertThat(parse(retryAfter("3", "99999999999999999999"))).contains(RetryAfter.MAX);
  }

  @Test
  void garbageBeforeAValidValueDoesNotHideIt() {
    assertThat(parse(retryAfter("soon", "-1", "Wed, 21 Oct 2026 07:28:07 GMT"))).contains(Duration.ofSeconds(7));
    assertThat(parse(retryAfter("soon", "", "4"))).contains(Duration.ofSeconds(4));
  }

  @Test
  void headerNamesAreComparedWithoutCase() {
    assertThat(parse(HeaderLookup.of(Map.of("retry-after", List.of("9"))))).contains(Duration.ofSeconds(9));
    Map<String, List<String>> twoSpellings = new LinkedHashMap<>();
    twoSpellings.put("RETRY-AFTER", List.of("9"));
    twoSpellings.put("Retry-After", List.of("11"));
    assertThat(parse(HeaderLookup.of(twoSpellings))).contains(Duration.ofSeconds(11));
  }

  @Test
  void manyValuesAreReadInOneCall() {
    List<String> values = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      values.add(i % 2 == 0 ? "junk" + i : Integer.toString(i));
    }
    assertThat(parse(HeaderLookup.of(Map.of("Retry-After", values)))).contains(Duration.ofSeconds(99));
  }
}
