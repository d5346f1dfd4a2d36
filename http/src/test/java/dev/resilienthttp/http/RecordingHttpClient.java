package dev.resilienthttp.http;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.PushPromiseHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A plain {@link HttpClient} that forwards to another and records what it was asked to send:
 * each attempt's request, and each asynchronous attempt's future (to see it cancelled).
 */
final class RecordingHttpClient extends ForwardingHttpClient {

  final List<HttpRequest> requests = new CopyOnWriteArrayList<>();
  final List<CompletableFuture<?>> asyncAttempts = new CopyOnWriteArrayList<>();

  RecordingHttpClient(HttpClient delegate) {
    super(delegate);
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, BodyHandler<T> handler)
      throws IOException, InterruptedException {
    requests.add(request);
    return delegate.send(request, handler);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, BodyHandler<T> handler) {
    requests.add(request);
    CompletableFuture<HttpResponse<T>> future = delegate.sendAsync(request, handler);
    asyncAttempts.add(future);
    return future;
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, BodyHandler<T> handler, PushPromiseHandler<T> pushPromises) {
    requests.add(request);
    CompletableFuture<HttpResponse<T>> future = delegate.sendAsync(request, handler, pushPromises);
    asyncAttempts.add(future);
    return future;
  }
}
