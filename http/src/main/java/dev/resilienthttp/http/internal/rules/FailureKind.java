package dev.resilienthttp.http.internal.rules;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ProtocolException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * What kind of failure ended an attempt, as far as retrying goes. A transport classifies its own
 * exceptions ({@link HttpRules.Builder#failureClassifier}), usually by handling what only it
 * knows and handing the rest to {@link #of}. {@link #HANDLER_FAILED} is known only to the
 * transport, which sees the caller's handler throw.
 */
public enum FailureKind {

  /** The connection was not made in time: nothing was sent. */
  CONNECT_TIMEOUT,
  /** The server refused the connection: nothing was sent. */
  CONNECTION_REFUSED,
  /** The response did not come in time after the request (or part of it) was sent. */
  TIMEOUT_AFTER_SENT,
  /** The connection was reset or closed by the peer after the request (or part of it) was sent. */
  RESET_AFTER_SENT,
  /** A TLS handshake or certificate failure. */
  TLS,
  /** The server broke the HTTP protocol. */
  PROTOCOL,
  /** The client was closed or shut down. */
  CLIENT_CLOSED,
  /** The caller's response body handler threw. */
  HANDLER_FAILED,
  /** The call was cancelled, or its thread interrupted. */
  CANCELLED,
  /** Not an I/O failure: a runtime exception, an error, any other checked exception. */
  PROGRAMMING_ERROR,
  /** Any other I/O failure: it may have happened after the request was sent. */
  OTHER_IO;

  private static final int MAX_CAUSES = 32;
  private static final String CONNECT_TIMEOUT_CLASS = "java.net.http.HttpConnectTimeoutException";
  private static final String TIMEOUT_CLASS = "java.net.http.HttpTimeoutException";

  /**
   * The kind of {@code failure}, from java.net, javax.net.ssl, java.security.cert and
   * java.util.concurrent types (and the two timeout types of java.net.http, by class name, since
   * this package does not depend on that module). In order:
   *
   * <ol>
   *   <li>{@link CompletionException}, {@link ExecutionException} and {@link UncheckedIOException}
   *       are unwrapped to their cause.
   *   <li>{@link CancellationException} or {@link InterruptedException}: {@link #CANCELLED}. Any
   *       other failure that is not an {@link IOException} or a {@link TimeoutException}: {@link
   *       #PROGRAMMING_ERROR}.
   *   <li>Anywhere in the cause chain, an {@link InterruptedException}, a {@link
   *       ClosedByInterruptException} or an {@link InterruptedIOException} that is not a {@link
   *       SocketTimeoutException}: {@link #CANCELLED}.
   *   <li>Anywhere in the cause chain, a {@link CertificateException}, {@link
   *       CertPathValidatorException}, {@link CertPathBuilderException}, {@link
   *       SSLHandshakeException} or {@link SSLPeerUnverifiedException}, or another {@link
   *       SSLException} that is not caused by a {@link SocketException} or {@link EOFException}
   *       (that one is a reset seen through TLS): {@link #TLS}.
   *   <li>The first link of the chain, from the top, that is one of: {@code
   *       HttpConnectTimeoutException}: {@link #CONNECT_TIMEOUT}; {@code HttpTimeoutException}:
   *       {@link #TIMEOUT_AFTER_SENT}; {@link ConnectException}: {@link #CONNECT_TIMEOUT} if its
   *       message contains "timed out" (any case), else {@link #CONNECTION_REFUSED}; {@link
   *       SocketTimeoutException}: {@link #CONNECT_TIMEOUT} if its message starts with "connect
   *       timed out" (any case), else {@link #TIMEOUT_AFTER_SENT}; {@link TimeoutException}:
   *       {@link #TIMEOUT_AFTER_SENT}; {@link ProtocolException}: {@link #PROTOCOL}; an {@link
   *       IOException} saying the client is closed (see {@link #saysClientClosed}): {@link
   *       #CLIENT_CLOSED}; another {@link SocketException} or an {@link EOFException}: {@link
   *       #RESET_AFTER_SENT}.
   *   <li>Otherwise {@link #OTHER_IO}.
   * </ol>
   *
   * @throws NullPointerException if {@code failure} is null
   */
  public static FailureKind of(Throwable failure) {
    Objects.requireNonNull(failure, "failure");
    Throwable top = failure;
    for (int i = 0; i < MAX_CAUSES && isWrapper(top) && top.getCause() != null; i++) {
      top = top.getCause();
    }
    if (top instanceof CancellationException || top instanceof InterruptedException) {
      return CANCELLED; // the caller stopped the call
    }
    if (!(top instanceof IOException) && !(top instanceof TimeoutException)) {
      return PROGRAMMING_ERROR;
    }
    // The caller's stop and TLS failures decide wherever they stand in the chain.
    int depth = 0;
    for (Throwable t = top; t != null && depth < MAX_CAUSES; t = t.getCause(), depth++) {
      if (t instanceof InterruptedException || t instanceof ClosedByInterruptException
          || (t instanceof InterruptedIOException && !(t instanceof SocketTimeoutException))) {
        return CANCELLED;
      }
      if (isTlsFailure(t)) {
        return TLS;
      }
    }
    depth = 0;
    for (Throwable t = top; t != null && depth < MAX_CAUSES; t = t.getCause(), depth++) {
      FailureKind kind = decisive(t);
      if (kind != null) {
        return kind;
      }
    }
    return OTHER_IO;
  }

  /**
   * Whether {@code failure} says, by its message, that the client was closed: an {@link
   * IOException} whose message is exactly {@code closed}, {@code selector manager closed} or
   * {@code shutdownNow} (java.net.http's, once the client is closed or shut down), or contains,
   * ignoring case, {@code client is closed}, {@code client closed}, {@code client is shut down} or
   * {@code client has been shut down}.
   */
  public static boolean saysClientClosed(Throwable failure) {
    if (!(failure instanceof IOException) || failure.getMessage() == null) {
      return false;
    }
    String message = failure.getMessage();
    if (message.equals("closed") || message.equals("selector manager closed") || message.equals("shutdownNow")) {
      return true;
    }
    String lower = message.toLowerCase(Locale.ROOT);
    return lower.contains("client is closed") || lower.contains("client closed")
        || lower.contains("client is shut down") || lower.contains("client has been shut down");
  }

  private static boolean isWrapper(Throwable t) {
    return t instanceof CompletionException || t instanceof ExecutionException || t instanceof UncheckedIOException;
  }

  private static boolean isTlsFailure(Throwable t) {
    if (t instanceof CertificateException || t instanceof CertPathValidatorException
        || t instanceof CertPathBuilderException || t instanceof SSLHandshakeException
        || t instanceof SSLPeerUnverifiedException) {
      return true;
    }
    // "SSLException: Connection reset" is the peer resetting a TLS connection, not TLS failing.
    return t instanceof SSLException
        && !(t.getCause() instanceof SocketException || t.getCause() instanceof EOFException);
  }

  /** The kind that {@code t} alone decides, or null. */
  private static FailureKind decisive(Throwable t) {
    if (isNamed(t.getClass(), CONNECT_TIMEOUT_CLASS)) {
      return CONNECT_TIMEOUT; // checked before its ConnectException cause: nothing was sent
    }
    if (isNamed(t.getClass(), TIMEOUT_CLASS)) {
      return TIMEOUT_AFTER_SENT;
    }
    if (t instanceof ConnectException) {
      return messageContains(t, "timed out") ? CONNECT_TIMEOUT : CONNECTION_REFUSED;
    }
    if (t instanceof SocketTimeoutException) {
      String message = t.getMessage();
      return message != null && message.regionMatches(true, 0, "connect timed out", 0, 17)
          ? CONNECT_TIMEOUT
          : TIMEOUT_AFTER_SENT;
    }
    if (t instanceof TimeoutException) {
      return TIMEOUT_AFTER_SENT;
    }
    if (t instanceof ProtocolException) {
      return PROTOCOL;
    }
    if (saysClientClosed(t)) {
      return CLIENT_CLOSED;
    }
    if (t instanceof SocketException || t instanceof EOFException) {
      return RESET_AFTER_SENT;
    }
    return null;
  }

  private static boolean isNamed(Class<?> type, String name) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      if (c.getName().equals(name)) {
        return true;
      }
    }
    return false;
  }

  private static boolean messageContains(Throwable t, String part) {
    return t.getMessage() != null && t.getMessage().toLowerCase(Locale.ROOT).contains(part);
  }
}
