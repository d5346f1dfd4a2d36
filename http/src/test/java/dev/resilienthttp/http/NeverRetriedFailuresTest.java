package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.http.Harness.Outcome;
import dev.resilienthttp.http.Harness.Path;
import dev.resilienthttp.http.MisbehavingHttpClient.Act;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServerExtension;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.net.ProtocolException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Regression (issue failure 12): failures that would fail the same way again are not retried,
 * even for a GET with a retrier of 3 attempts: a TLS failure (an {@code https://} URI pointed at
 * a plain-HTTP server) and a {@link ProtocolException}. Down both paths.
 */
@ExtendWith(FaultServerExtension.class)
@Timeout(60) // a hang guard for the whole class, not a timing assertion
class NeverRetriedFailuresTest {

  private final Harness h = new Harness();

  /**
   * An {@code https://} URI pointed at a server that speaks plain HTTP. Not the {@link
   * FaultServer}: it waits for a request line, and whether the client's random TLS hello holds
   * a CRLF that ends one is chance (when it does not, both sides wait for ever). This one answers
   * every connection at once with a plain-HTTP 400, which the client's TLS layer cannot read.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  @Timeout(30)
  void aTlsFailureIsNotRetried(Path path) throws Exception {
    try (PlainHttpAnswerer plain = new PlainHttpAnswerer()) {
      ResilientHttpClient client = h.client(Harness.backoff(3, Duration.ofMillis(100))).build();
      HttpRequest get = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + plain.port() + "/api")).build();

      Outcome<String> outcome = h.call(path, client, get);

      Throwable failure = outcome.failure(IOException.class);
      assertThat(causes(failure)).as("the failure's chain").hasAtLeastOneElementOfType(SSLException.class);
      assertThat(h.events.attemptsStarted).as("attempts started").containsExactly(1);
      // java.net.http itself sometimes opens a second connection within the one attempt (its own
      // silent resend of a GET); a retry would make at least three.
      assertThat(plain.connections.get()).as("connections the server accepted").isBetween(1, 2);
      assertThat(h.events.retryDelays).isEmpty();
      assertThat(h.time.elapsed()).isZero();
    }
  }

  /** Answers each connection on 127.0.0.1 with a plain-HTTP 400, reads what the client sends until it closes, and counts connections. */
  static final class PlainHttpAnswerer implements AutoCloseable {
    private static final byte[] ANSWER =
        "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    final AtomicInteger connections = new AtomicInteger();
    private final ServerSocket socket;

    PlainHttpAnswerer() throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
      Thread acceptor = new Thread(this::serve, "plain-http-answerer");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    private void serve() {
      while (!socket.isClosed()) {
        try (Socket connection = socket.accept()) {
          connections.incrementAndGet();
          connection.setSoTimeout(10_000); // a bound, not a timing assertion
          connection.getOutputStream().write(ANSWER);
          connection.getOutputStream().flush();
          // Read until the client gives up, so that closing sends no reset the client could
          // take for a network failure instead of a TLS one.
          InputStream in = connection.getInputStream();
          byte[] buffer = new byte[4096];
          while (in.read(buffer) >= 0) {
            // discard the client's TLS bytes
          }
        } catch (IOException e) {
          // closed, or the client reset: next connection
        }
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
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
