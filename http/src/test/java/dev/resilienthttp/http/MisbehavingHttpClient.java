package dev.resilienthttp.http;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.PushPromiseHandler;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A plain {@link HttpClient} that, request by request, either forwards to another or misbehaves
 * the way a delegate can: throwing from {@code sendAsync} itself instead of returning a future,
 * returning a future failed with a given exception, or returning a future already cancelled.
 * What it does is chosen by {@link #plan}, which a test may change at any time. Thread-safe.
 */
final class MisbehavingHttpClient extends ForwardingHttpClient {

  /** What to do with one request. */
  static final class Act {
    private static final Act FORWARD = new Act(null, null, false);
    private static final Act CANCEL = new Act(null, null, true);

    final RuntimeException thrown;
    final Throwable failure;
    final boolean cancelled;

    private Act(RuntimeException thrown, Throwable failure, boolean cancelled) {
      this.thrown = thrown;
      this.failure = failure;
      this.cancelled = cancelled;
    }

    /** Sends the request through the delegate. */
    static Act forward() {
      return FORWARD;
    }

    /** Throws {@code thrown} from {@code sendAsync} (and {@code send}) before anything is sent. */
    static Act throwNow(RuntimeException thrown) {
      return new Act(Objects.requireNonNull(thrown), null, false);
    }

    /** Returns a future failed with {@code failure} ({@code send} throws it). */
    static Act fail(Throwable failure) {
      return new Act(null, Objects.requireNonNull(failure), false);
    }

    /** Returns a future that is already cancelled. */
    static Act cancelled() {
      return CANCEL;
    }
  }

  volatile Function<HttpRequest, Act> plan = request -> Act.forward();
  /** Requests this client was asked to send, forwarded or not. */
  final AtomicInteger asked = new AtomicInteger();
  /** Requests it threw for. */
  final AtomicInteger thrown = new AtomicInteger();

  MisbehavingHttpClient(HttpClient delegate) {
    super(delegate);
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, BodyHandler<T> handler)
      throws IOException, InterruptedException {
    Act act = act(request);
    if (act.failure instanceof IOException) {
      throw (IOException) act.failure;
    }
    if (act.failure != null || act.cancelled) {
      throw new IOException(act.cancelled ? "cancelled" : "failed", act.failure);
    }
    return delegate.send(request, handler);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, BodyHandler<T> handler) {
    return sendAsync(request, handler, null);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, BodyHandler<T> handler, PushPromiseHandler<T> pushPromises) {
    Act act = act(request);
    if (act.failure != null) {
      return CompletableFuture.failedFuture(act.failure);
    }
    if (act.cancelled) {
      CompletableFuture<HttpResponse<T>> cancelled = new CompletableFuture<>();
      cancelled.cancel(true);
      return cancelled;
    }
    return pushPromises == null
        ? delegate.sendAsync(request, handler)
        : delegate.sendAsync(request, handler, pushPromises);
  }

  private Act act(HttpRequest request) {
    asked.incrementAndGet();
    Act act = plan.apply(request);
    if (act.thrown != null) {
      thrown.incrementAndGet();
      throw act.thrown;
    }
    return act;
  }
}
