package dev.resilienthttp.http.internal.auth;

import dev.resilienthttp.http.internal.call.MarkedRequest;

import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.PushPromiseHandler;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The client a token source fetches through: the owning resilient client, with every request
 * marked as a token fetch, so the token route's retrier applies (never the scope of whichever
 * caller happened to start the fetch), no bearer token is attached and a 401 is not answered
 * with another fetch.
 */
public final class TokenClient extends HttpClient {

  private final HttpClient client;

  public TokenClient(HttpClient client) {
    this.client = client;
  }

  private static HttpRequest tokenFetch(HttpRequest request) {
    MarkedRequest.Marks marks = MarkedRequest.marksOf(request);
    return MarkedRequest.withMarks(request, new MarkedRequest.Marks(
        marks.idempotent(), marks.oneShot(), marks.replayable(), marks.callTimeout(), true));
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, BodyHandler<T> handler)
      throws IOException, InterruptedException {
    return client.send(tokenFetch(request), handler);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, BodyHandler<T> handler) {
    return client.sendAsync(tokenFetch(request), handler);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, BodyHandler<T> handler, PushPromiseHandler<T> pushPromises) {
    return client.sendAsync(tokenFetch(request), handler, pushPromises);
  }

  @Override
  public Optional<CookieHandler> cookieHandler() {
    return client.cookieHandler();
  }

  @Override
  public Optional<Duration> connectTimeout() {
    return client.connectTimeout();
  }

  @Override
  public Redirect followRedirects() {
    return client.followRedirects();
  }

  @Override
  public Optional<ProxySelector> proxy() {
    return client.proxy();
  }

  @Override
  public SSLContext sslContext() {
    return client.sslContext();
  }

  @Override
  public SSLParameters sslParameters() {
    return client.sslParameters();
  }

  @Override
  public Optional<Authenticator> authenticator() {
    return client.authenticator();
  }

  @Override
  public Version version() {
    return client.version();
  }

  @Override
  public Optional<Executor> executor() {
    return client.executor();
  }

  @Override
  public String toString() {
    return "TokenClient{" + client + '}';
  }
}
