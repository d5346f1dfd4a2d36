package dev.resilienthttp.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * The one check of every {@link Duration} setting in core: the library keeps durations as a
 * {@code long} of nanoseconds, so a setting must fit in one (at most about 292 years). Messages
 * name the setting, the allowed range and the value: {@code openDuration must be in (0,
 * PT2562047H47M16.854775807S] but was PT0S}.
 *
 * <p>Internal: this package is not exported by the module, and is no part of the library's API.
 */
public final class DurationChecks {

  /** The longest duration a {@code long} of nanoseconds holds. */
  public static final Duration MAX = Duration.ofNanos(Long.MAX_VALUE);

  private DurationChecks() {}

  /**
   * Returns {@code value} in nanoseconds if it is in {@code (0, MAX]}.
   *
   * @throws NullPointerException naming {@code setting} if {@code value} is null
   * @throws IllegalArgumentException naming the setting, the range and the value otherwise
   */
  public static long positiveNanos(String setting, Duration value) {
    return positiveNanosAtMost(setting, value, Long.MAX_VALUE);
  }

  /**
   * Returns {@code value} in nanoseconds if it is in {@code (0, maxNanos]}.
   *
   * @throws NullPointerException naming {@code setting} if {@code value} is null
   * @throws IllegalArgumentException naming the setting, the range and the value otherwise
   */
  public static long positiveNanosAtMost(String setting, Duration value, long maxNanos) {
    Objects.requireNonNull(value, setting);
    long nanos = nanosOrMinusOne(value);
    if (nanos <= 0 || nanos > maxNanos) {
      throw new IllegalArgumentException(
          setting + " must be in (0, " + Duration.ofNanos(maxNanos) + "] but was " + value);
    }
    return nanos;
  }

  /**
   * Returns {@code value} in nanoseconds if it is in {@code [0, MAX]}.
   *
   * @throws NullPointerException naming {@code setting} if {@code value} is null
   * @throws IllegalArgumentException naming the setting, the range and the value otherwise
   */
  public static long nonNegativeNanos(String setting, Duration value) {
    Objects.requireNonNull(value, setting);
    long nanos = nanosOrMinusOne(value);
    if (nanos < 0) {
      throw new IllegalArgumentException(
          setting + " must be in [0, " + MAX + "] but was " + value);
    }
    return nanos;
  }

  /** {@code value} in nanoseconds, or -1 if it is negative or too long for a long. */
  private static long nanosOrMinusOne(Duration value) {
    if (value.isNegative()) {
      return -1;
    }
    try {
      return value.toNanos();
    } catch (ArithmeticException tooLong) {
      return -1;
    }
  }
}
