package dev.resilienthttp.retry;

import java.time.Duration;
import java.util.Objects;

/** Argument checks whose messages name the setting, the value and the allowed range. */
final class Checks {

  private Checks() {}

  static int atLeastOne(String setting, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(setting + " must be >= 1 but was " + value);
    }
    return value;
  }

  static Duration positive(String setting, Duration value) {
    Objects.requireNonNull(value, setting);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(setting + " must be > 0 but was " + value);
    }
    try {
      value.toNanos();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          setting + " must be at most " + Duration.ofNanos(Long.MAX_VALUE) + " but was " + value, e);
    }
    return value;
  }

  static Duration notNegative(String setting, Duration value) {
    Objects.requireNonNull(value, setting);
    if (value.isNegative()) {
      throw new IllegalArgumentException(setting + " must be >= 0 but was " + value);
    }
    try {
      value.toNanos();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          setting + " must be at most " + Duration.ofNanos(Long.MAX_VALUE) + " but was " + value, e);
    }
    return value;
  }

  static double multiplier(String setting, double value) {
    if (Double.isNaN(value) || Double.isInfinite(value) || value < 1.0) {
      throw new IllegalArgumentException(
          setting + " must be a finite number >= 1.0 but was " + value);
    }
    return value;
  }
}
