package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.http.Harness.Outcome;
import dev.resilienthttp.http.Harness.Path;
import dev.resilienthttp.http.MisbehavingHttpClient.Act;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServerExtension;
import java.io.IOException;
import java.net.ProtocolException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Regression (issue failure 12): failures that would fail the same way again are not retried,
 * even for a GET with a retrier of 3 attempts: a TLS failure (an {@code https://} URI pointed at
 * a plain-HTTP server) and a {@link ProtocolException}. Down both paths.
 */
@ExtendWith(FaultServerExtension.class)
class NeverRetriedFailuresTest {

  private final Harness h = new Harness();

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aTlsFailureIsNotRetried(Path path, FaultServer server) {
    server.scriptAll(Fault.ok("plain http"));
    ResilientHttpClient client = h.client(Harness.backoff(3, Duration.ofMillis(100))).build();
    HttpRequest get = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/api")).build();

    Outcome<String> outcome = h.call(path, client, get);

    Throwable failure = outcome.failure(IOException.class);
    assertThat(causes(failure)).as("the failure's chain").hasAtLeastOneElementOfType(SSLException.class);
    assertThat(h.events.attemptsStarted).as("attempts started").containsExactly(1);
    assertThat(h.events.retryDelays).isEmpty();
    assertThat(h.time.elapsed()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aProtocolExceptionIsNotRetried(Path path, FaultServer server) {
    MisbehavingHttpClient delegate = new MisbehavingHttpClient(h.http);
    ProtocolException broken = new ProtocolException("Invalid status line: \"HTTP/1.1 2OO OK\"");
    delegate.plan = request -> Act.fail(broken);
    ResilientHttpClient client = h.client(delegate, Harness.backoff(3, Duration.ofMillis(100))).build();

    Outcome<String> outcome = h.call(path, client, Harness.get(server, "/api"));

    assertThat(causes(outcome.failure())).contains(broken);
    assertThat(delegate.asked).as("attempts the delegate was asked for").hasValue(1);
    assertThat(h.events.attemptsStarted).containsExactly(1);
    assertThat(h.events.retryDelays).isEmpty();
    assertThat(server.requestCount()).isZero();
  }

  private static List<Throwable> causes(Throwable failure) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable t = failure; t != null && chain.size() < 20; t = t.getCause()) {
      chain.add(t);
    }
    return chain;
  }
}
