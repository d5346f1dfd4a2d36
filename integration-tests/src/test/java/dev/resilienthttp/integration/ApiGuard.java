package dev.resilienthttp.integration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares a module's API, as {@link ApiDump} writes it, with its checked-in dump, or rewrites
 * the dump when asked to ({@value #UPDATE_PROPERTY}).
 */
final class ApiGuard {

  /** The system property that turns checking into rewriting. */
  static final String UPDATE_PROPERTY = "api.update";

  /** The one command that rewrites every dump from what was built. */
  static final String UPDATE_COMMAND = "mvn -B verify -D" + UPDATE_PROPERTY + "=true";

  /** Lines of context kept around each change in the diff. */
  private static final int CONTEXT = 2;

  private ApiGuard() {}

  /** Whether this run rewrites the dumps instead of checking them. */
  static boolean updating() {
    return Boolean.parseBoolean(System.getProperty(UPDATE_PROPERTY, "false"));
  }

  /**
   * Checks {@code actual} against {@code dump}, or writes it there when {@code update}.
   *
   * @throws AssertionError if they differ and {@code update} is false, with the diff and the
   *     command that accepts the change
   */
  static void check(String artifact, Path dump, String actual, boolean update) throws IOException {
    if (update) {
      Files.createDirectories(dump.getParent());
      Files.writeString(dump, actual, StandardCharsets.UTF_8);
      return;
    }
    String expected = Files.isRegularFile(dump) ? Files.readString(dump, StandardCharsets.UTF_8) : "";
    if (expected.equals(actual)) {
      return;
    }
    String diff = diff(lines(expected), lines(actual));
    throw new AssertionError("The public API of " + artifact + " differs from its checked-in dump "
        + dump.normalize() + (expected.isEmpty() ? " (missing or empty)" : "") + ".\n"
        + "Lines starting with - are in the dump, lines starting with + are in the built classes:\n"
        + diff
        + "If this API change is intended, rewrite the dumps and commit them with the change:\n"
        + "    " + UPDATE_COMMAND + "\n");
  }

  private static List<String> lines(String text) {
    return text.isEmpty() ? List.of() : List.of(text.split("\n", -1));
  }

  /**
   * A line diff (longest common subsequence), each change shown with {@value #CONTEXT} lines of
   * context; "..." where unchanged lines were left out.
   */
  static String diff(List<String> before, List<String> after) {
    int n = before.size();
    int m = after.size();
    int[][] common = new int[n + 1][m + 1];
    for (int i = n - 1; i >= 0; i--) {
      for (int j = m - 1; j >= 0; j--) {
        common[i][j] = before.get(i).equals(after.get(j))
            ? common[i + 1][j + 1] + 1
            : Math.max(common[i + 1][j], common[i][j + 1]);
      }
    }
    List<String> script = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && before.get(i).equals(after.get(j))) {
        script.add("  " + before.get(i++));
        j++;
      } else if (i < n && (j == m || common[i + 1][j] >= common[i][j + 1])) {
        script.add("- " + before.get(i++));
      } else {
        script.add("+ " + after.get(j++));
      }
    }
    boolean[] keep = new boolean[script.size()];
    for (int k = 0; k < script.size(); k++) {
      if (!script.get(k).startsWith("  ")) {
        for (int c = Math.max(0, k - CONTEXT); c <= Math.min(script.size() - 1, k + CONTEXT); c++) {
          keep[c] = true;
        }
      }
    }
    StringBuilder out = new StringBuilder();
    boolean skipped = false;
    for (int k = 0; k < script.size(); k++) {
      if (keep[k]) {
        out.append(script.get(k)).append('\n');
        skipped = false;
      } else if (!skipped) {
        out.append("  ...\n");
        skipped = true;
      }
    }
    return out.toString();
  }
}
