package dev.resilienthttp.retry;

import dev.resilienthttp.internal.DurationChecks;
import java.time.Duration;

/** Argument checks whose messages name the setting, the value and the allowed range. */
final class Checks {

  private Checks() {}

  static int atLeastOne(String setting, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(setting + " must be >= 1 but was " + value);
    }
    return value;
  }

  /** {@code value} if it is in (0, about 292 years]: see {@link DurationChecks}. */
  static Duration positive(String setting, Duration value) {
    DurationChecks.positiveNanos(setting, value);
    return value;
  }

  /** {@code value} if it is in [0, about 292 years]: see {@link DurationChecks}. */
  static Duration notNegative(String setting, Duration value) {
    DurationChecks.nonNegativeNanos(setting, value);
    return value;
  }

  static double multiplier(String setting, double value) {
    if (Double.isNaN(value) || Double.isInfinite(value) || value < 1.0) {
      throw new IllegalArgumentException(
          setting + " must be a finite number >= 1.0 but was " + value);
    }
    return value;
  }

  /**
   * {@code draw} if it is a uniform draw's possible value, in [0, 1).
   *
   * @throws IllegalStateException naming {@code setting}, the range and the value otherwise: a
   *     supplier of draws is checked only when used
   */
  static double draw(String setting, double draw) {
    // Written so that NaN fails too.
    if (!(draw >= 0.0 && draw < 1.0)) {
      throw new IllegalStateException(setting + " must return a value in [0, 1) but returned " + draw);
    }
    return draw;
  }
}
