package dev.resilienthttp.cli.simulate;

import java.time.Duration;
import java.util.SplittableRandom;

/**
 * One of the HTTP scenarios, with its numbers: calls start evenly spaced, {@code ratePerSecond}
 * of them per second for {@code duration}; attempts reaching the server during the fault window
 * fail with the scenario's status, each with probability {@code failurePercent}.
 *
 * @param retryAfterSeconds the Retry-After sent with a 429 (rate-limit scenario), else 0
 */
record HttpScenario(
    Scenario kind,
    double ratePerSecond,
    Duration duration,
    Duration faultStart,
    Duration faultLength,
    double failurePercent,
    long retryAfterSeconds,
    Duration roundTrip) {

  /** The number of calls: one every 1/rate seconds during the duration. */
  int calls() {
    return (int) Math.max(1, Math.floor(ratePerSecond * duration.toNanos() / 1e9 + 1e-9));
  }

  /** When call number {@code call} starts, in nanoseconds from the start of the run. */
  long startNanos(int call) {
    return Math.round(call * 1e9 / ratePerSecond);
  }

  long faultStartNanos() {
    return faultStart.toNanos();
  }

  long faultEndNanos() {
    return faultStart.toNanos() + faultLength.toNanos();
  }

  /** Whether the fault is on {@code atNanos} after the start of the run. */
  boolean inFault(long atNanos) {
    return atNanos >= faultStartNanos() && atNanos < faultEndNanos();
  }

  /** The server's answers. */
  SimulatedBackend.Fault fault() {
    return new SimulatedBackend.Fault() {
      @Override
      public int status(long atNanos, SplittableRandom random) {
        if (!inFault(atNanos)) {
          return 200;
        }
        return failurePercent >= 100 || random.nextDouble() * 100 < failurePercent
            ? kind.failureStatus
            : 200;
      }

      @Override
      public long retryAfterSeconds(long atNanos) {
        return retryAfterSeconds;
      }
    };
  }

  /** One line saying what the backend does. */
  String describe() {
    String window = "from " + Units.option(faultStart) + " for " + Units.option(faultLength);
    String share = failurePercent >= 100 ? "every attempt" : trim(failurePercent) + " % of attempts";
    switch (kind) {
      case OUTAGE:
        return "outage: " + share + " answered 503 " + window + ", then the backend recovers";
      case RANDOM:
        return "random failures: " + share + " answered 503, at random, all run long";
      case RATE_LIMIT:
        return "429 storm: " + share + " answered 429 with Retry-After: " + retryAfterSeconds
            + " " + window;
      default:
        throw new IllegalStateException("not an HTTP scenario: " + kind);
    }
  }

  private static String trim(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }
}
