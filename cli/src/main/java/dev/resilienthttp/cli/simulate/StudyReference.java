package dev.resilienthttp.cli.simulate;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
 * The study's published results (BENCHMARKS.md, B8), with the header {@code
 * clients,time,calls,Algorithm} (time: mean completion time in ms; calls: mean writes;
 * Algorithm: None, Exponential, EqualJitter, FullJitter, Decorr). A copy ships in this program,
 * {@value #BUNDLED}; {@code --reference FILE} reads another.
 */
final class StudyReference {

  /** The copy on the class path: the study's simulator run, clients 10 to 190, 100 runs per point. */
  static final String BUNDLED = "backoff-study.csv";

  /** One point of the study: mean completion time and mean calls. */
  record Point(double timeMillis, double calls) {}

  private final String source;
  private final Map<String, Point> points;

  private StudyReference(String source, Map<String, Point> points) {
    this.source = source;
    this.points = points;
  }

  /** Where the figures came from: a file's path, or the bundled copy. */
  String source() {
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
    return parse(csv.toString(), Files.readAllLines(csv, StandardCharsets.UTF_8));
  }

  /** The copy shipped in this program ({@value #BUNDLED} beside this class). */
  static StudyReference bundled() {
    try (InputStream in = StudyReference.class.getResourceAsStream(BUNDLED)) {
      if (in == null) {
        throw new IllegalStateException(BUNDLED + " is missing from the class path");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return parse("the bundled " + BUNDLED, text.lines().toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static StudyReference parse(String csv, List<String> lines) {
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

  private static String key(int clients, String algorithm) {
    return clients + "/" + algorithm;
  }
}
