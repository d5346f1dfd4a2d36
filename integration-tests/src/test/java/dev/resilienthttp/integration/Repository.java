package dev.resilienthttp.integration;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's root directory, where README.md and each module's directory are. */
final class Repository {

  private Repository() {}

  /**
   * The root: the {@code project.root} system property the build sets, else the parent of the
   * working directory (surefire runs in this module's directory).
   */
  static Path root() {
    Path root = Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
    if (!Files.isRegularFile(root.resolve("README.md")) || !Files.isDirectory(root.resolve("integration-tests"))) {
      throw new IllegalStateException("not the repository root (no README.md and integration-tests/): " + root);
    }
    return root;
  }
}
