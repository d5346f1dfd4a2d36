package dev.resilienthttp.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dumper and the guard on a small module compiled here: what counts as API (exported
 * packages only, public and protected only, everything a signature carries), and that the guard
 * fails on a changed signature with a diff and the command to update, and rewrites when asked.
 */
class ApiDumpTest {

  @TempDir Path dir;

  /** A module with one exported package, one exported only to a friend, one not exported. */
  private static Map<String, String> fixture(String sizeType) {
    Map<String, String> sources = new TreeMap<>();
    sources.put("module-info.java", "module fix {\n"
        + "  exports fix.api;\n"
        + "  exports fix.friend to java.base;\n"
        + "}\n");
    sources.put("fix/api/Shape.java", "package fix.api;\n"
        + "public sealed interface Shape extends Comparable<Shape> permits Box, Shape.Dot {\n"
        + "  " + sizeType + " size();\n"
        + "  default String label() { return \"shape\"; }\n"
        + "  static <S extends Shape & Cloneable> S pick(java.util.List<? extends S> shapes) { return shapes.get(0); }\n"
        + "  record Dot(int x, java.util.List<String> tags) implements Shape {\n"
        + "    public " + sizeType + " size() { return 1; }\n"
        + "    public int compareTo(Shape other) { return 0; }\n"
        + "  }\n"
        + "}\n");
    sources.put("fix/api/Box.java", "package fix.api;\n"
        + "public non-sealed class Box<T extends Number> implements Shape {\n"
        + "  public static final String NAME = \"box\";\n"
        + "  protected T content;\n"
        + "  int hidden;\n"
        + "  private long secret;\n"
        + "  public Box(T content) throws java.io.IOException { this.content = content; }\n"
        + "  protected Box() {}\n"
        + "  Box(String packagePrivate) {}\n"
        + "  public " + sizeType + " size() { return 2; }\n"
        + "  public int compareTo(Shape other) { return 0; }\n"
        + "  protected final synchronized <R> R map(java.util.function.Function<? super T, R> f, String... notes) { return f.apply(content); }\n"
        + "  void packagePrivate() {}\n"
        + "  private void hiddenToo() {}\n"
        + "  public enum Colour { RED, GREEN; public Colour next() { return GREEN; } }\n"
        + "  protected static class Lid {}\n"
        + "  private static class Private { public void nope() {} }\n"
        + "  static class PackagePrivate { public void nope() {} }\n"
        + "  public Runnable anonymous() { return new Runnable() { public void run() {} }; }\n"
        + "}\n");
    sources.put("fix/api/Helper.java", "package fix.api;\n"
        + "class Helper { public void notApi() {} }\n");
    sources.put("fix/friend/Friend.java", "package fix.friend;\n"
        + "public class Friend { public void qualifiedExportIsNotPublicApi() {} }\n");
    sources.put("fix/internal/Internal.java", "package fix.internal;\n"
        + "public class Internal { public void notExported() {} }\n");
    return sources;
  }

  private static final String EXPECTED = String.join("\n",
      "module fix",
      "  exports fix.api",
      "",
      "public non-sealed class fix.api.Box<T extends java.lang.Number> implements fix.api.Shape",
      "  protected Box()",
      "  protected T content",
      "  protected final synchronized <R> R map(java.util.function.Function<? super T, R>, java.lang.String...)",
      "  public Box(T) throws java.io.IOException",
      "  public int compareTo(fix.api.Shape)",
      "  public int size()",
      "  public java.lang.Runnable anonymous()",
      "  public static final java.lang.String NAME",
      "",
      "public static enum fix.api.Box$Colour",
      "  enum constant RED",
      "  enum constant GREEN",
      "  public fix.api.Box$Colour next()",
      "  public static fix.api.Box$Colour valueOf(java.lang.String)",
      "  public static fix.api.Box$Colour[] values()",
      "",
      "protected static class fix.api.Box$Lid",
      "  protected Lid()",
      "",
      "public sealed interface fix.api.Shape extends java.lang.Comparable<fix.api.Shape> permits fix.api.Box, fix.api.Shape$Dot",
      "  public default java.lang.String label()",
      "  public int size()",
      "  public static <S extends fix.api.Shape & java.lang.Cloneable> S pick(java.util.List<? extends S>)",
      "",
      "public static record fix.api.Shape$Dot implements fix.api.Shape",
      "  record component int x",
      "  record component java.util.List<java.lang.String> tags",
      "  public Dot(int, java.util.List<java.lang.String>)",
      "  public final boolean equals(java.lang.Object)",
      "  public final int hashCode()",
      "  public final java.lang.String toString()",
      "  public int compareTo(fix.api.Shape)",
      "  public int size()",
      "  public int x()",
      "  public java.util.List<java.lang.String> tags()",
      "");

  @Test
  void dumpsEveryPublicAndProtectedSignatureOfTheUnqualifiedlyExportedPackagesOnly() throws Exception {
    Path classes = compile(dir.resolve("v1"), fixture("int"));

    String api = dump(classes);

    assertThat(api).isEqualTo(EXPECTED);
    assertThat(api).doesNotContain("hidden", "secret", "packagePrivate", "Private", "Helper", "notApi",
        "Friend", "Internal", "$1");
  }

  @Test
  void theGuardFailsOnAChangedSignatureShowingTheDiffAndHowToUpdate() throws Exception {
    Path dump = dir.resolve("api/fix.api");
    ApiGuard.check("fix", dump, dump(compile(dir.resolve("v1"), fixture("int"))), true);
    assertThat(dump).hasContent(EXPECTED.stripTrailing());
    ApiGuard.check("fix", dump, dump(compile(dir.resolve("same"), fixture("int"))), false);

    String changed = dump(compile(dir.resolve("v2"), fixture("long")));

    assertThatThrownBy(() -> ApiGuard.check("fix", dump, changed, false))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("The public API of fix differs from its checked-in dump " + dump)
        .hasMessageContaining("\n-   public int size()\n+   public long size()\n")
        .hasMessageContaining("    mvn -B verify -Dapi.update=true\n");
    assertThat(dump).as("checking never writes").hasContent(EXPECTED.stripTrailing());

    ApiGuard.check("fix", dump, changed, true);
    ApiGuard.check("fix", dump, changed, false);
  }

  @Test
  void aMissingDumpFailsNamingIt() throws Exception {
    Path dump = dir.resolve("api/absent.api");
    String api = dump(compile(dir.resolve("v1"), fixture("int")));

    assertThatThrownBy(() -> ApiGuard.check("fix", dump, api, false))
        .hasMessageContaining(dump + " (missing or empty)")
        .hasMessageContaining("+ public sealed interface fix.api.Shape");
  }

  @Test
  void theDiffShowsChangesInContextAndElidesTheRest() {
    List<String> before = List.of("a", "b", "c", "d", "e", "f", "g", "h");
    List<String> after = List.of("a", "b", "c", "d", "E", "f", "g", "h", "i");

    assertThat(ApiGuard.diff(before, after)).isEqualTo(String.join("\n",
        "  ...", "  c", "  d", "- e", "+ E", "  f", "  g", "  h", "+ i", ""));
  }

  private static String dump(Path classes) throws IOException {
    try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
        ApiDumpTest.class.getClassLoader())) {
      return ApiDump.of(classes, loader);
    }
  }

  /** Compiles {@code sources} (path to text) into {@code root}/classes and returns that directory. */
  private static Path compile(Path root, Map<String, String> sources) throws IOException {
    Path src = root.resolve("src");
    Path classes = Files.createDirectories(root.resolve("classes"));
    List<String> arguments = new ArrayList<>(List.of("--release", "17", "-d", classes.toString(), "-Xlint:none"));
    for (Map.Entry<String, String> source : sources.entrySet()) {
      Path file = src.resolve(source.getKey());
      Files.createDirectories(file.getParent());
      Files.writeString(file, source.getValue(), StandardCharsets.UTF_8);
      arguments.add(file.toString());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    int status = javac.run(null, errors, errors, arguments.toArray(String[]::new));
    assertThat(status).as("the fixture compiles: %s", errors.toString(StandardCharsets.UTF_8)).isZero();
    return classes;
  }
}
