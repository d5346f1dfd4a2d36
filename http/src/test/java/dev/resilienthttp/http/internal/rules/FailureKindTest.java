package dev.resilienthttp.http.internal.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ProtocolException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLProtocolException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The default classification of the JDK's exceptions. */
class FailureKindTest {

  private static <T extends Throwable> T causedBy(T failure, Throwable cause) {
    failure.initCause(cause);
    return failure;
  }

  /** java.net.http's connect timeout, which carries a ConnectException as its cause. */
  private static HttpConnectTimeoutException jdkConnectTimeout() {
    return causedBy(new HttpConnectTimeoutException("HTTP connect timed out"), new ConnectException("HTTP connect timed out"));
  }

  /** A transport's own subclass of the JDK's timeout, recognised through the class hierarchy. */
  static final class OwnTimeoutException extends HttpTimeoutException {
    private static final long serialVersionUID = 1L;

    OwnTimeoutException() {
      super("own");
    }
  }

  static Stream<Arguments> failures() {
    return Stream.of(
        // nothing was sent
        Arguments.of(jdkConnectTimeout(), FailureKind.CONNECT_TIMEOUT),
        Arguments.of(new CompletionException(jdkConnectTimeout()), FailureKind.CONNECT_TIMEOUT),
        Arguments.of(new ConnectException("Connection timed out"), FailureKind.CONNECT_TIMEOUT),
        Arguments.of(new SocketTimeoutException("connect timed out"), FailureKind.CONNECT_TIMEOUT),
        Arguments.of(new SocketTimeoutException("Connect timed out"), FailureKind.CONNECT_TIMEOUT),
        Arguments.of(new ConnectException("Connection refused"), FailureKind.CONNECTION_REFUSED),
        Arguments.of(new ConnectException(), FailureKind.CONNECTION_REFUSED),
        Arguments.of(causedBy(new IOException("x"), new ConnectException("Connection refused")), FailureKind.CONNECTION_REFUSED),
        Arguments.of(new ExecutionException(new ConnectException("refused")), FailureKind.CONNECTION_REFUSED),
        // after sending
        Arguments.of(new HttpTimeoutException("request timed out"), FailureKind.TIMEOUT_AFTER_SENT),
        Arguments.of(new OwnTimeoutException(), FailureKind.TIMEOUT_AFTER_SENT),
        Arguments.of(new SocketTimeoutException("Read timed out"), FailureKind.TIMEOUT_AFTER_SENT),
        Arguments.of(new SocketTimeoutException(), FailureKind.TIMEOUT_AFTER_SENT),
        Arguments.of(new TimeoutException(), FailureKind.TIMEOUT_AFTER_SENT),
        Arguments.of(new SocketException("Connection reset"), FailureKind.RESET_AFTER_SENT),
        Arguments.of(new EOFException("EOF reached while reading"), FailureKind.RESET_AFTER_SENT),
        Arguments.of(new UncheckedIOException(new SocketException("Broken pipe")), FailureKind.RESET_AFTER_SENT),
        Arguments.of(causedBy(new IOException("x"), new SocketException("reset")), FailureKind.RESET_AFTER_SENT),
        Arguments.of(causedBy(new SSLException("Connection reset"), new SocketException("Connection reset")),
            FailureKind.RESET_AFTER_SENT),
        Arguments.of(new IOException("connection closed locally"), FailureKind.OTHER_IO),
        Arguments.of(new IOException("stream closed"), FailureKind.OTHER_IO),
        Arguments.of(new IOException("Closed"), FailureKind.OTHER_IO),
        Arguments.of(new IOException(), FailureKind.OTHER_IO),
        Arguments.of(new UnknownHostException("nowhere.example"), FailureKind.OTHER_IO),
        // TLS
        Arguments.of(new SSLHandshakeException("PKIX path building failed"), FailureKind.TLS),
        Arguments.of(new SSLPeerUnverifiedException("peer not authenticated"), FailureKind.TLS),
        Arguments.of(new SSLProtocolException("bad record"), FailureKind.TLS),
        Arguments.of(new SSLException("Unsupported or unrecognized SSL message"), FailureKind.TLS),
        Arguments.of(causedBy(new IOException("x"), new CertificateExpiredException("expired")), FailureKind.TLS),
        Arguments.of(causedBy(new SSLHandshakeException("x"), new CertPathValidatorException("revoked")), FailureKind.TLS),
        Arguments.of(causedBy(new IOException("a"), causedBy(new IOException("b"), new CertPathBuilderException("no path"))),
            FailureKind.TLS),
        Arguments.of(causedBy(new SSLHandshakeException("Remote host terminated the handshake"), new EOFException()),
            FailureKind.TLS),
        // protocol, closed client
        Arguments.of(new ProtocolException("Invalid status line"), FailureKind.PROTOCOL),
        Arguments.of(causedBy(new IOException("x"), new ProtocolException("bad")), FailureKind.PROTOCOL),
        Arguments.of(new IOException("closed"), FailureKind.CLIENT_CLOSED),
        Arguments.of(new IOException("selector manager closed"), FailureKind.CLIENT_CLOSED),
        Arguments.of(new IOException("shutdownNow"), FailureKind.CLIENT_CLOSED),
        Arguments.of(new IOException("HTTP/2 client closed"), FailureKind.CLIENT_CLOSED),
        Arguments.of(new IOException("The Client Is Shut Down"), FailureKind.CLIENT_CLOSED),
        Arguments.of(new CompletionException(new IOException("closed")), FailureKind.CLIENT_CLOSED),
        // the caller stopped
        Arguments.of(new CancellationException(), FailureKind.CANCELLED),
        Arguments.of(new CompletionException(new CancellationException()), FailureKind.CANCELLED),
        Arguments.of(new InterruptedException(), FailureKind.CANCELLED),
        Arguments.of(new InterruptedIOException("executor rejected"), FailureKind.CANCELLED),
        Arguments.of(new ClosedByInterruptException(), FailureKind.CANCELLED),
        Arguments.of(causedBy(new IOException("x"), new InterruptedException()), FailureKind.CANCELLED),
        // code
        Arguments.of(new IllegalStateException("bug"), FailureKind.PROGRAMMING_ERROR),
        Arguments.of(new NullPointerException(), FailureKind.PROGRAMMING_ERROR),
        Arguments.of(new AssertionError("bug"), FailureKind.PROGRAMMING_ERROR),
        Arguments.of(new StackOverflowError(), FailureKind.PROGRAMMING_ERROR),
        Arguments.of(new Exception("checked"), FailureKind.PROGRAMMING_ERROR),
        Arguments.of(new RuntimeException(new SocketException("reset")), FailureKind.PROGRAMMING_ERROR),
        Arguments.of(new CompletionException(null), FailureKind.PROGRAMMING_ERROR));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("failures")
  void classifies(Throwable failure, FailureKind expected) {
    assertThat(FailureKind.of(failure)).isEqualTo(expected);
  }

  @Test
  void aCauseCycleEnds() {
    IOException a = new IOException("a");
    IOException b = new IOException("b");
    a.initCause(b);
    b.initCause(a);

    assertThat(FailureKind.of(a)).isEqualTo(FailureKind.OTHER_IO);
  }

  @Test
  void aDeepChainIsReadToItsBound() {
    Throwable deep = new SocketException("reset");
    for (int i = 0; i < 20; i++) {
      deep = new IOException("wrap " + i, deep);
    }
    Throwable tooDeep = deep;
    for (int i = 0; i < 40; i++) {
      tooDeep = new IOException("wrap " + i, tooDeep);
    }

    assertThat(FailureKind.of(deep)).isEqualTo(FailureKind.RESET_AFTER_SENT);
    assertThat(FailureKind.of(tooDeep)).isEqualTo(FailureKind.OTHER_IO);
  }

  @Test
  void theClosedClientTestIsExact() {
    assertThat(FailureKind.saysClientClosed(new IOException("closed"))).isTrue();
    assertThat(FailureKind.saysClientClosed(new IOException("the client is closed"))).isTrue();
    assertThat(FailureKind.saysClientClosed(new IOException("client has been shut down"))).isTrue();
    assertThat(FailureKind.saysClientClosed(new IOException("closed!"))).isFalse();
    assertThat(FailureKind.saysClientClosed(new IOException((String) null))).isFalse();
    assertThat(FailureKind.saysClientClosed(new IllegalStateException("closed"))).isFalse();
  }

  @Test
  void nullIsRefused() {
    assertThatNullPointerException().isThrownBy(() -> FailureKind.of(null));
  }
}
