package dev.resilienthttp.http;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpResponse.PushPromiseHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A plain {@link HttpClient} that forwards to another and records every response body the
 * handlers it was given produced, as the objects they produced (an {@code InputStream}, a
 * {@code String}, ...): to check later what became of bodies the caller never saw.
 */
final class BodyRecordingHttpClient extends ForwardingHttpClient {

  final List<Object> bodies = new CopyOnWriteArrayList<>();

  BodyRecordingHttpClient(HttpClient delegate) {
    super(delegate);
  }

  private <T> BodyHandler<T> recording(BodyHandler<T> handler) {
    return info -> BodySubscribers.mapping(handler.apply(info), body -> {
      bodies.add(body);
      return body;
    });
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, BodyHandler<T> handler)
      throws IOException, InterruptedException {
    return delegate.send(request, recording(handler));
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, BodyHandler<T> handler) {
    return delegate.sendAsync(request, recording(handler));
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, BodyHandler<T> handler, PushPromiseHandler<T> pushPromises) {
    return delegate.sendAsync(request, recording(handler), pushPromises);
  }
}
