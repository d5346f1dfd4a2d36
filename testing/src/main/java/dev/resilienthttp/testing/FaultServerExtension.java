package dev.resilienthttp.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that starts a {@link FaultServer} for each test, passes it to every
 * parameter of type {@code FaultServer}, and closes it after the test.
 *
 * <pre>{@code
 * @ExtendWith(FaultServerExtension.class)
 * class ClientTest {
 *   @Test
 *   void retriesOn503(FaultServer server) { ... }
 * }
 * }</pre>
 *
 * <p>Within one test, the test method and its {@code @BeforeEach} and {@code @AfterEach}
 * methods receive the same server; each test gets a fresh one. A parameter of a
 * {@code @BeforeAll} method or of the test class constructor gets a server for the whole class,
 * closed after all its tests. The extension holds no state of its own and is thread-safe, so it
 * works with parallel test execution.
 */
public final class FaultServerExtension
    implements ParameterResolver, AfterEachCallback, AfterAllCallback {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(FaultServerExtension.class);
  private static final String KEY = "server";

  /** Creates the extension; JUnit calls this through {@code @ExtendWith}. */
  public FaultServerExtension() {}

  /** Returns true for a parameter of type {@link FaultServer}. */
  @Override
  public boolean supportsParameter(ParameterContext parameterContext,
      ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == FaultServer.class;
  }

  /** Returns the server of the current test (or class), starting it on first use. */
  @Override
  public Object resolveParameter(ParameterContext parameterContext,
      ExtensionContext extensionContext) {
    return extensionContext.getStore(NAMESPACE)
        .getOrComputeIfAbsent(KEY, key -> FaultServer.start(), FaultServer.class);
  }

  /** Closes the server of the test that just ran, if it had one. */
  @Override
  public void afterEach(ExtensionContext context) {
    closeServer(context);
  }

  /** Closes the server of the class whose tests all ran, if it had one. */
  @Override
  public void afterAll(ExtensionContext context) {
    closeServer(context);
  }

  private static void closeServer(ExtensionContext context) {
    FaultServer server = context.getStore(NAMESPACE).remove(KEY, FaultServer.class);
    if (server != null) {
      server.close();
    }
  }
}
