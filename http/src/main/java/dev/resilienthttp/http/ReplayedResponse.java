package dev.resilienthttp.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/** A response received by an attempt whose buffered body was handed to the caller's handler. */
final class ReplayedResponse<T> implements HttpResponse<T> {

  private final HttpResponse<?> received;
  private final T body;

  ReplayedResponse(HttpResponse<?> received, T body) {
    this.received = received;
    this.body = body;
  }

  @Override
  public int statusCode() {
    return received.statusCode();
  }

  @Override
  public HttpRequest request() {
    return received.request();
  }

  @Override
  @SuppressWarnings("unchecked")
  public Optional<HttpResponse<T>> previousResponse() {
    return received.previousResponse().map(previous -> (HttpResponse<T>) previous);
  }

  @Override
  public HttpHeaders headers() {
    return received.headers();
  }

  @Override
  public T body() {
    return body;
  }

  @Override
  public Optional<SSLSession> sslSession() {
    return received.sslSession();
  }

  @Override
  public URI uri() {
    return received.uri();
  }

  @Override
  public HttpClient.Version version() {
    return received.version();
  }

  @Override
  public String toString() {
    return "(" + request().method() + " " + Redaction.uri(uri()) + ") " + statusCode();
  }
}
