package dev.resilienthttp.cli.simulate;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Reads and prints the simulator's durations and rates. */
final class Units {

  private static final Pattern DURATION =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|min|h)", Pattern.CASE_INSENSITIVE);

  private Units() {}

  /** Reads {@code 500ms}, {@code 20s}, {@code 1.5s}, {@code 2m}, {@code 2min}, {@code 1h}. */
  static Duration parseDuration(String text) {
    Matcher matcher = DURATION.matcher(text.strip());
    if (!matcher.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration: write a number and a unit, e.g. 500ms, 20s, 2m");
    }
    double amount = Double.parseDouble(matcher.group(1));
    double nanosPerUnit;
    switch (matcher.group(2).toLowerCase(Locale.ROOT)) {
      case "ms":
        nanosPerUnit = 1e6;
        break;
      case "s":
        nanosPerUnit = 1e9;
        break;
      case "m":
      case "min":
        nanosPerUnit = 60e9;
        break;
      default:
        nanosPerUnit = 3600e9;
        break;
    }
    double nanos = amount * nanosPerUnit;
    if (nanos > 1e15) {
      throw new IllegalArgumentException("'" + text + "' is too long a duration (at most 11 days)");
    }
    return Duration.ofNanos(Math.round(nanos));
  }

  /** The picocli converter for {@link Duration} options. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return parseDuration(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** {@code 850 µs}, {@code 20.3 ms}, {@code 1.25 s}, {@code 63.6 s}. */
  static String time(long nanos) {
    if (nanos < 1_000_000L) {
      return String.format(Locale.ROOT, "%d µs", nanos / 1_000);
    }
    if (nanos < 10_000_000L) {
      return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
    }
    if (nanos < 1_000_000_000L) {
      return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }
    if (nanos < 10_000_000_000L) {
      return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }
    return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
  }

  /** A duration as the user would type it: {@code 500ms}, {@code 20s}, {@code 1.5s}. */
  static String option(Duration duration) {
    long millis = duration.toMillis();
    if (millis < 1_000 || millis % 100 != 0) {
      return millis + "ms";
    }
    if (millis % 1_000 == 0) {
      return (millis / 1_000) + "s";
    }
    return String.format(Locale.ROOT, "%.1fs", millis / 1e3);
  }

  /** A rate per second: {@code 0.0}, {@code 12.5}, {@code 1,234}. */
  static String rate(double perSecond) {
    if (perSecond >= 1_000) {
      return String.format(Locale.ROOT, "%,.0f", perSecond);
    }
    return String.format(Locale.ROOT, "%.1f", perSecond);
  }

  /** A percentage with enough digits to tell 99.898 % from 99.9 %: {@code 99.898 %}. */
  static String percent(double fraction) {
    return String.format(Locale.ROOT, "%.3f %%", 100 * fraction);
  }
}
