package dev.resilienthttp.http;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.PushPromiseHandler;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;

/**
 * A plain {@link HttpClient} that forwards to another but has at most {@code limit} exchanges on
 * the wire at once; the others queue (asynchronous ones without blocking a thread). For tests
 * with hundreds of concurrent calls: a loopback server's accept backlog (50) drops bursts of new
 * connections beyond it, and the kernel retries them only after seconds. The calls stay
 * concurrent at the client under test, which is what those tests are about.
 */
final class ThrottledHttpClient extends ForwardingHttpClient {

  private final Semaphore permits;
  private final Queue<Runnable> queued = new ConcurrentLinkedQueue<>();
  private volatile boolean paused;

  ThrottledHttpClient(HttpClient delegate, int limit) {
    super(delegate);
    this.permits = new Semaphore(limit);
  }

  /** Holds every asynchronous exchange asked for from now on until {@link #resume()}. */
  void pause() {
    paused = true;
  }

  /** Lets the held exchanges go, {@code limit} at a time. */
  void resume() {
    paused = false;
    drain();
  }

  /** The asynchronous exchanges waiting for their turn. */
  int queued() {
    return queued.size();
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, BodyHandler<T> handler)
      throws IOException, InterruptedException {
    permits.acquire();
    try {
      return delegate.send(request, handler);
    } finally {
      release();
    }
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, BodyHandler<T> handler) {
    return sendAsync(request, handler, null);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, BodyHandler<T> handler, PushPromiseHandler<T> pushPromises) {
    CompletableFuture<HttpResponse<T>> result = new CompletableFuture<>();
    Runnable start = () -> {
      if (result.isDone()) {
        release();
        return;
      }
      CompletableFuture<HttpResponse<T>> exchange = pushPromises == null
          ? delegate.sendAsync(request, handler)
          : delegate.sendAsync(request, handler, pushPromises);
      exchange.whenComplete((response, failure) -> {
        release();
        if (failure == null) {
          result.complete(response);
        } else {
          result.completeExceptionally(failure);
        }
      });
      result.whenComplete((response, failure) -> {
        if (result.isCancelled()) {
          exchange.cancel(true);
        }
      });
    };
    queued.add(start);
    drain();
    return result;
  }

  private void release() {
    permits.release();
    drain();
  }

  private void drain() {
    while (!paused && !queued.isEmpty() && permits.tryAcquire()) {
      Runnable next = queued.poll();
      if (next == null) {
        permits.release();
        continue; // another thread took it; look again, so that no item is stranded
      }
      next.run();
    }
  }
}
