package dev.resilienthttp.cli.simulate;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine;

/** What the simulated backend does. */
enum Scenario {
  /** Every attempt fails with 503 during the fault window, then the backend recovers. */
  OUTAGE("outage", 503),
  /** Attempts fail with 503 at random, all run long. */
  RANDOM("random", 503),
  /** During the fault window the backend sheds load: 429 with a Retry-After. */
  RATE_LIMIT("rate-limit", 429),
  /** N clients race to update one row (the "Exponential Backoff and Jitter" study's model). */
  CONTENTION("contention", 0);

  final String cliName;
  final int failureStatus;

  Scenario(String cliName, int failureStatus) {
    this.cliName = cliName;
    this.failureStatus = failureStatus;
  }

  static String names() {
    return Arrays.stream(values()).map(s -> s.cliName).collect(Collectors.joining(", "));
  }

  /** Reads a scenario by its command-line name. */
  static final class Converter implements CommandLine.ITypeConverter<Scenario> {
    @Override
    public Scenario convert(String value) {
      String name = value.strip().toLowerCase(Locale.ROOT);
      for (Scenario scenario : values()) {
        if (scenario.cliName.equals(name)) {
          return scenario;
        }
      }
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a scenario; expected one of: " + names());
    }
  }
}
