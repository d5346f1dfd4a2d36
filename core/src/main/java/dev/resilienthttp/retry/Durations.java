package dev.resilienthttp.retry;

import java.time.Duration;

/** Formats durations for messages: {@code 400 ms}, {@code 2 s}, {@code 2.5 s}, {@code 1 min 30 s}. */
final class Durations {

  private Durations() {}

  static String format(Duration duration) {
    return format(duration.toNanos());
  }

  static String format(long nanos) {
    if (nanos < 0) {
      return "-" + format(-nanos);
    }
    if (nanos < 1_000_000L) {
      return (nanos / 1_000) + " µs";
    }
    long millis = nanos / 1_000_000L;
    if (millis < 1_000) {
      return millis + " ms";
    }
    if (millis < 60_000) {
      return millis % 1_000 == 0
          ? (millis / 1_000) + " s"
          : String.format(java.util.Locale.ROOT, "%.1f s", millis / 1_000.0);
    }
    long seconds = millis / 1_000;
    return (seconds / 60) + " min" + (seconds % 60 == 0 ? "" : " " + (seconds % 60) + " s");
  }
}
