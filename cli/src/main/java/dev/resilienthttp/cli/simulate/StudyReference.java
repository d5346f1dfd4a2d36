package dev.resilienthttp.cli.simulate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The study's published results: BENCHMARKS.md's {@code reference/backoff-study.csv}, with the
 * header {@code clients,time,calls,Algorithm} (time: mean completion time in ms; calls: mean
 * writes; Algorithm: None, Exponential, EqualJitter, FullJitter, Decorr).
 */
final class StudyReference {

  /** Where the CSV lives relative to the repository root, beside it in {@code shared/}. */
  static final String DEFAULT_RELATIVE_PATH = "../shared/reference/backoff-study.csv";

  /** One point of the study: mean completion time and mean calls. */
  record Point(double timeMillis, double calls) {}

  private final Path source;
  private final Map<String, Point> points;

  private StudyReference(Path source, Map<String, Point> points) {
    this.source = source;
    this.points = points;
  }

  Path source() {
    return source;
  }

  /** The study's point for {@code mode} at {@code clients}, if the CSV has one. */
  Optional<Point> point(ContentionSimulation.Mode mode, int clients) {
    return Optional.ofNullable(points.get(key(clients, mode.studyName)));
  }

  /** The client counts the CSV covers, for messages. */
  String clientCounts() {
    TreeSet<Integer> counts = new TreeSet<>();
    for (String key : points.keySet()) {
      counts.add(Integer.parseInt(key.substring(0, key.indexOf('/'))));
    }
    if (counts.size() <= 1) {
      return counts.isEmpty() ? "none" : "only " + counts.first();
    }
    return counts.first() + " to " + counts.last() + " (" + counts.size() + " counts)";
  }

  /**
   * Reads the CSV.
   *
   * @throws IOException if it cannot be read
   * @throws IllegalArgumentException if it is not the study's format, saying which line
   */
  static StudyReference read(Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    if (lines.isEmpty()
        || !lines.get(0).strip().toLowerCase(Locale.ROOT).equals("clients,time,calls,algorithm")) {
      throw new IllegalArgumentException(csv + ": expected the header 'clients,time,calls,Algorithm'"
          + " but found '" + (lines.isEmpty() ? "" : lines.get(0).strip()) + "'");
    }
    Map<String, Point> points = new HashMap<>();
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] fields = line.split(",");
      try {
        if (fields.length != 4) {
          throw new NumberFormatException("4 fields expected, " + fields.length + " found");
        }
        int clients = Integer.parseInt(fields[0].strip());
        double time = Double.parseDouble(fields[1].strip());
        double calls = Double.parseDouble(fields[2].strip());
        points.put(key(clients, fields[3].strip()), new Point(time, calls));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            csv + " line " + (i + 1) + ": '" + line + "' is not clients,time,calls,Algorithm ("
                + e.getMessage() + ")");
      }
    }
    return new StudyReference(csv, points);
  }

  /**
   * Finds the CSV at {@link #DEFAULT_RELATIVE_PATH} from the repository root, looked for upward
   * from the working directory and from where this program was loaded.
   */
  static Optional<Path> findDefault() {
    for (Path start : startingPoints()) {
      for (Path dir = start; dir != null; dir = dir.getParent()) {
        if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("cli"))) {
          Path csv = dir.resolve(DEFAULT_RELATIVE_PATH).normalize();
          if (Files.isRegularFile(csv)) {
            return Optional.of(csv);
          }
        }
      }
    }
    return Optional.empty();
  }

  private static List<Path> startingPoints() {
    Path cwd = Path.of("").toAbsolutePath();
    try {
      Path code = Path.of(StudyReference.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return List.of(cwd, code.toAbsolutePath());
    } catch (Exception | LinkageError e) {
      return List.of(cwd);
    }
  }

  private static String key(int clients, String algorithm) {
    return clients + "/" + algorithm;
  }
}
