package dev.resilienthttp.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of the README compiles against the modules as built. Each block
 * becomes the body of a method of a class of its own (its {@code import} lines go on top), with
 * the common imports and stub declarations below, plus the stubs of its own preamble when it has
 * one, found by its first line. A new block is compiled without anything to declare: if it uses
 * a name nobody declared, it fails, naming the block and the compiler's error, until a preamble
 * is added here.
 */
class ReadmeSnippetsTest {

  /** Imports every block gets. */
  private static final List<String> COMMON_IMPORTS = List.of(
      "dev.resilienthttp.backend.*", "dev.resilienthttp.breaker.*", "dev.resilienthttp.budget.*",
      "dev.resilienthttp.http.*", "dev.resilienthttp.http.auth.*", "dev.resilienthttp.retry.*", "dev.resilienthttp.testing.*",
      "dev.resilienthttp.time.*", "java.io.*", "java.net.*", "java.net.http.*",
      "java.net.http.HttpRequest.BodyPublishers", "java.net.http.HttpResponse.BodyHandlers",
      "java.time.*", "java.util.*", "java.util.concurrent.*", "java.util.function.*");

  /**
   * Stubs every block gets, as fields (a block's own local of the same name hides them): what a
   * reader is assumed to have at hand.
   */
  private static final String COMMON_MEMBERS = String.join("\n",
      "HttpRequest request;",
      "Retrier retrier;");

  /** Stubs per block, keyed by the block's first line: the names it uses without declaring them. */
  private static final Map<String, String> PREAMBLES = Map.of(
      "// Retry scopes and the engine", String.join("\n",
          "interface Repository { Object fetch(String ref) throws IOException; }",
          "interface Backend { ToolResult callTool(String name, Map<String, Object> arguments) throws IOException; }",
          "interface Pages { CompletableFuture<Page> fetchAsync(String ref); }",
          "static final class ToolResult {}",
          "static final class Page {}",
          "Repository repository;",
          "Backend backend;",
          "Pages pages;",
          "String ref;",
          "String name;",
          "Map<String, Object> arguments;"),
      "// Per-endpoint retriers and bearer tokens", String.join("\n",
          "static String accessTokenIn(HttpResponse<String> response) { return response.body(); }",
          "static long expiresIn(HttpResponse<String> response) { return 3600; }"));

  @TempDir Path classes;

  /** One {@code ```java} block: its text and the README line its fence opens on. */
  record Snippet(int number, int line, String text) {
    String firstLine() {
      return text.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
    }

    String describe() {
      return "README.md snippet #" + number + " (line " + line + ", \"" + firstLine() + "\")";
    }
  }

  static List<Snippet> snippets(Path readme) throws IOException {
    List<String> lines = Files.readAllLines(readme, StandardCharsets.UTF_8);
    List<Snippet> snippets = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).strip().equals("```java")) {
        continue;
      }
      int open = i;
      StringBuilder text = new StringBuilder();
      for (i++; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
        text.append(lines.get(i)).append('\n');
      }
      if (i == lines.size()) {
        throw new IllegalStateException("README.md line " + (open + 1) + ": a java block is never closed");
      }
      snippets.add(new Snippet(snippets.size() + 1, open + 1, text.toString()));
    }
    return snippets;
  }

  private static Path readme() {
    return Repository.root().resolve("README.md");
  }

  @TestFactory
  Stream<DynamicTest> everyJavaSnippetOfTheReadmeCompiles() throws IOException {
    List<Snippet> snippets = snippets(readme());
    assertThat(snippets).as("java blocks in README.md").hasSizeGreaterThanOrEqualTo(4);
    return snippets.stream().map(snippet -> DynamicTest.dynamicTest(snippet.describe(), () -> {
      List<String> errors = compile(snippet, classes.resolve("s" + snippet.number()));
      assertThat(errors).as("%s does not compile:%n%s%n--- the snippet as compiled:%n%s",
          snippet.describe(), String.join("\n", errors), source(snippet)).isEmpty();
    }));
  }

  @Test
  void everyPreambleBelongsToASnippetThatStillExists() throws IOException {
    List<String> firstLines = snippets(readme()).stream().map(Snippet::firstLine).collect(Collectors.toList());

    assertThat(firstLines).containsAll(PREAMBLES.keySet());
  }

  @Test
  void aSnippetThatDoesNotCompileIsReportedByNameWithTheCompilersError() throws IOException {
    Snippet broken = new Snippet(9, 120, "// A broken example\nHttpClient client = 42;\nundeclared.call();\n");

    List<String> errors = compile(broken, classes.resolve("broken"));

    assertThat(errors).hasSize(2);
    assertThat(errors.get(0)).contains("README.md snippet #9 (line 120, \"// A broken example\")",
        "snippet line 2", "incompatible types");
    assertThat(errors.get(1)).contains("snippet line 3", "cannot find symbol");
  }

  @Test
  void importsOfASnippetMustResolve() throws IOException {
    Snippet imports = new Snippet(1, 10, "// Imports\nimport dev.resilienthttp.http.NoSuchClass;\n");

    assertThat(compile(imports, classes.resolve("imports"))).singleElement()
        .asString().contains("NoSuchClass");
  }

  /** The compilation unit a snippet becomes. */
  static String source(Snippet snippet) {
    StringBuilder imports = new StringBuilder();
    StringBuilder body = new StringBuilder();
    for (String line : snippet.text().split("\n", -1)) {
      if (line.startsWith("import ")) {
        imports.append(line).append('\n');
        body.append('\n'); // keeps the snippet's line numbers
      } else {
        body.append(line).append('\n');
      }
    }
    StringBuilder unit = new StringBuilder();
    for (String common : COMMON_IMPORTS) {
      unit.append("import ").append(common).append(";");
    }
    unit.append(imports.toString().replace('\n', ' ')).append('\n');
    unit.append("@SuppressWarnings(\"all\") class ").append(className(snippet)).append(" {")
        .append(COMMON_MEMBERS.replace('\n', ' '))
        .append(PREAMBLES.getOrDefault(snippet.firstLine(), "").replace('\n', ' '))
        .append(" void snippet() throws Exception {\n");
    unit.append(body);
    unit.append("}}\n");
    return unit.toString();
  }

  private static String className(Snippet snippet) {
    return "ReadmeSnippet" + snippet.number();
  }

  /**
   * Compiles {@code snippet} against this test's class path (the modules as built), returning
   * one message per error: the snippet, the line within it, and the compiler's message.
   */
  static List<String> compile(Snippet snippet, Path output) throws IOException {
    Files.createDirectories(output);
    String source = source(snippet);
    JavaFileObject unit = new SimpleJavaFileObject(
        URI.create("string:///" + className(snippet) + ".java"), JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return source;
      }
    };
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      javac.getTask(null, files, diagnostics,
          List.of("--release", "17", "-proc:none", "-classpath", classPath, "-d", output.toString()),
          null, List.of(unit)).call();
    }
    List<String> errors = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> diagnostic : diagnostics.getDiagnostics()) {
      if (diagnostic.getKind() == Diagnostic.Kind.ERROR) {
        // Line 1 of the unit is the imports, line 2 the class header: snippet line n is unit line n + 2.
        long line = diagnostic.getLineNumber() - 2;
        errors.add(snippet.describe() + ", snippet line " + line + ": " + diagnostic.getMessage(Locale.ROOT));
      }
    }
    return errors;
  }
}
