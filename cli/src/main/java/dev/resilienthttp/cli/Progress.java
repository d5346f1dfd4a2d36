package dev.resilienthttp.cli;

import java.io.PrintWriter;

/**
 * A progress line such as {@code plain      [############........] 120/200}, rewritten in place
 * with a carriage return, on the error stream so the summary on standard output stays clean.
 * Used from one thread.
 */
final class Progress {

  private static final int WIDTH = 30;

  private final PrintWriter err;
  private final boolean enabled;
  private String lastLine = "";

  Progress(PrintWriter err, boolean enabled) {
    this.err = err;
    this.enabled = enabled;
  }

  /** Shows {@code done} of {@code total} calls of run {@code label}, if that changed. */
  void update(String label, int done, int total) {
    if (!enabled) {
      return;
    }
    String line = line(label, done, total);
    if (!line.equals(lastLine)) {
      lastLine = line;
      err.print('\r' + line);
      err.flush();
    }
  }

  /** Shows the final state of run {@code label} and ends the line. */
  void finish(String label, int done, int total) {
    if (!enabled) {
      return;
    }
    update(label, done, total);
    err.println();
    err.flush();
    lastLine = "";
  }

  static String line(String label, int done, int total) {
    int filled = total == 0 ? WIDTH : (int) ((long) done * WIDTH / total);
    return String.format("%-10s [%s%s] %d/%d", label, "#".repeat(filled),
        ".".repeat(WIDTH - filled), done, total);
  }
}
