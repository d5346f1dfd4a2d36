package dev.resilienthttp.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The API guard: the public API of each published module, as built, must equal its checked-in
 * dump ({@code core/api/resilient-http-core.api}, {@code http/api/resilient-http.api},
 * {@code testing/api/resilient-http-testing.api}). A change fails the build with the diff;
 * {@value ApiGuard#UPDATE_COMMAND} rewrites the dumps, to be committed with the change.
 */
class ApiGuardTest {

  static Stream<Arguments> publishedModules() {
    return Stream.of(
        Arguments.of("core", "resilient-http-core", "dev.resilienthttp.core",
            dev.resilienthttp.retry.Retrier.class),
        Arguments.of("http", "resilient-http", "dev.resilienthttp.http",
            dev.resilienthttp.http.ResilientHttpClient.class),
        Arguments.of("testing", "resilient-http-testing", "dev.resilienthttp.testing",
            dev.resilienthttp.testing.FaultServer.class));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("publishedModules")
  void thePublicApiMatchesTheCheckedInDump(String directory, String artifact, String moduleName,
      Class<?> anyClassOfTheModule) throws Exception {
    Path built = location(anyClassOfTheModule);
    ModuleDescriptor descriptor = ApiDump.descriptor(built);
    assertThat(descriptor.name()).as("the module at %s", built).isEqualTo(moduleName);

    String api = ApiDump.of(built, anyClassOfTheModule.getClassLoader());

    assertThat(api).as("the dump of %s lists types", artifact).contains("\npublic ");
    ApiGuard.check(artifact, Repository.root().resolve(directory).resolve("api").resolve(artifact + ".api"),
        api, ApiGuard.updating());
  }

  /** The jar or classes directory {@code type} was loaded from: the module as built. */
  private static Path location(Class<?> type) throws URISyntaxException {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}
