package dev.resilienthttp.http.internal.call;

import dev.resilienthttp.http.CallTimeoutException;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.PushPromiseHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The two ways into a client's {@link Pipeline}: {@code send} (attempts on the calling thread,
 * the engine's waits sleeping it) and {@code sendAsync} (the same attempts, the waits scheduled),
 * both ending in the one result mapping of {@link Results}.
 */
final class Paths {

  private Paths() {}

  /** {@code HttpClient.send}: the call's attempts, waits in between on this thread, one result mapping. */
  static <T> HttpResponse<T> send(Pipeline pipeline, HttpRequest request, BodyHandler<T> handler)
      throws IOException, InterruptedException {
    if (pipeline.isClosed()) {
      throw Failures.closed(pipeline.backendOf(request.uri()));
    }
    Call<T> call;
    try {
      call = pipeline.newCall(request, handler, null);
    } catch (RuntimeException bad) {
      return returnOrThrow(failed(bad));
    }
    if (call == null) {
      return pipeline.delegate.send(MarkedRequest.unmarked(request), handler);
    }
    call.syncThread = Thread.currentThread();
    Object outcome;
    try {
      outcome = pipeline.engine.call(call, call.backend.budget, call.deadline, call);
      @SuppressWarnings("unchecked")
      HttpResponse<T> response = (HttpResponse<T>) outcome;
      outcome = Results.success(call, response);
    } catch (Throwable failure) {
      outcome = Results.failure(call, failure);
    } finally {
      call.syncThread = null;
      call.ended();
    }
    return Paths.<T>returnOrThrow(outcome);
  }

  /* A call that could not even start (a backend key function that failed, an idempotency key
   * source that returned garbage) fails as HttpClient's contract allows: an IllegalArgumentException
   * as it is, anything else as the cause of an IOException. */
  private static Exception failed(RuntimeException bad) {
    if (bad instanceof IllegalArgumentException || bad instanceof SecurityException) {
      return bad;
    }
    return new IOException(bad.getMessage(), bad);
  }

  @SuppressWarnings("unchecked")
  private static <T> HttpResponse<T> returnOrThrow(Object outcome) throws IOException, InterruptedException {
    if (outcome instanceof HttpResponse) {
      return (HttpResponse<T>) outcome;
    }
    if (outcome instanceof IOException) {
      throw (IOException) outcome;
    }
    if (outcome instanceof InterruptedException) {
      throw (InterruptedException) outcome;
    }
    if (outcome instanceof RuntimeException) {
      throw (RuntimeException) outcome;
    }
    if (outcome instanceof Error) {
      throw (Error) outcome;
    }
    throw new IOException((Throwable) outcome);
  }

  /* A synchronous attempt: the gate's wait sleeps this thread (as the engine's waits between
   * attempts do), then the attempt runs as the asynchronous one does, and this thread waits for
   * it no longer than the call's deadline. */
  static <T> HttpResponse<T> attemptSync(Call<T> call, dev.resilienthttp.retry.AttemptContext context)
      throws Exception {
    long gate = call.gateWaitNanos();
    if (gate > 0) {
      call.pipeline.time.sleep(gate);
    }
    if (call.deadline == null) {
      return new Attempt<>(call, context).runSync();
    }
    CompletableFuture<HttpResponse<T>> attempt = new Attempt<>(call, context).start(false);
    try {
      return attempt.get(Math.max(call.nanosLeft(), 1L), TimeUnit.NANOSECONDS);
    } catch (ExecutionException failed) {
      Throwable cause = Failures.unwrap(failed);
      if (cause instanceof Exception) {
        throw (Exception) cause;
      }
      throw (Error) cause;
    } catch (java.util.concurrent.TimeoutException late) {
      attempt.cancel(true);
      throw new CallTimeoutException(
          "call deadline of " + Failures.format(call.deadline.toNanos()) + " passed during attempt "
              + context.attempts());
    } catch (InterruptedException interrupted) {
      attempt.cancel(true);
      throw interrupted;
    }
  }

  /** {@code HttpClient.sendAsync}: the same attempts, waits scheduled, the same result mapping. */
  static <T> CompletableFuture<HttpResponse<T>> sendAsync(
      Pipeline pipeline, HttpRequest request, BodyHandler<T> handler, PushPromiseHandler<T> push) {
    if (pipeline.isClosed()) {
      return CompletableFuture.failedFuture(Failures.closed(pipeline.backendOf(request.uri())));
    }
    Call<T> call;
    try {
      call = pipeline.newCall(request, handler, push);
    } catch (RuntimeException bad) {
      return CompletableFuture.failedFuture(failed(bad));
    }
    if (call == null) {
      HttpRequest plain = MarkedRequest.unmarked(request);
      return push == null ? pipeline.delegate.sendAsync(plain, handler) : pipeline.delegate.sendAsync(plain, handler, push);
    }
    CompletableFuture<HttpResponse<T>> result = new CompletableFuture<>();
    call.callerFuture = result;
    CompletableFuture<HttpResponse<T>> engineFuture =
        pipeline.engine.callAsync(call, call.backend.budget, call.deadline, context -> new Attempt<>(call, context).start(true));
    engineFuture.whenComplete((response, failure) -> {
      try {
        Object outcome;
        try {
          outcome = failure == null ? Results.success(call, response) : Results.failure(call, failure);
        } catch (Throwable typed) {
          outcome = typed;
        }
        if (outcome instanceof HttpResponse) {
          @SuppressWarnings("unchecked")
          HttpResponse<T> mapped = (HttpResponse<T>) outcome;
          result.complete(mapped);
        } else {
          result.completeExceptionally((Throwable) outcome);
        }
      } finally {
        if (!result.isDone()) {
          result.completeExceptionally(new IOException("the call ended without an outcome"));
        }
        call.ended();
      }
    });
    // Any completion by the caller (cancel, orTimeout, complete) stops the call.
    result.whenComplete((response, failure) -> {
      if (!engineFuture.isDone()) {
        engineFuture.cancel(true);
      }
    });
    return result;
  }

}
