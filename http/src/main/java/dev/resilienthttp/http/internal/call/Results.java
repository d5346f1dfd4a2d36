package dev.resilienthttp.http.internal.call;

import dev.resilienthttp.http.CallTimeoutException;
import dev.resilienthttp.http.HttpStatusException;
import dev.resilienthttp.http.RetriesExhaustedException;
import dev.resilienthttp.http.internal.rules.RetryAfter;
import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.retry.RetryCancelledException;
import dev.resilienthttp.retry.RetryExhaustedException;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Flow;
import java.util.stream.BaseStream;

/**
 * The one mapping from what the engine ended a call with to what the caller gets, for both
 * {@code send} and {@code sendAsync}: the drop-in contract of {@code HttpClient}.
 *
 * <ul>
 *   <li>A response that ended the call (a status not retried, or retried to the end) reaches
 *       the caller as a response; in THROW mode as its typed {@link HttpStatusException}, its
 *       body closed.
 *   <li>A deadline is an {@link java.net.http.HttpTimeoutException} ({@link CallTimeoutException}).
 *   <li>An I/O failure of the last attempt is thrown as it is, with earlier failures and why
 *       retries stopped attached as suppressed; in THROW mode a {@link RetriesExhaustedException}.
 *   <li>An interrupt is an {@link InterruptedException} (synchronous path); a cancellation a
 *       {@link CancellationException} (asynchronous path).
 *   <li>Anything else unchecked is wrapped in an {@link IOException}, as {@code HttpClient.send}
 *       does, except an {@link IllegalArgumentException} or {@link SecurityException}.
 * </ul>
 */
final class Results {

  private Results() {}

  /** What the caller gets for a response the engine ended the call with. */
  static <T> HttpResponse<T> success(Call<T> call, HttpResponse<T> response) throws HttpStatusException {
    if (call.pipeline.settings.throwMode && response.statusCode() >= 400) {
      close(response.body());
      throw HttpStatusException.of(response.statusCode(), call.method(), call.request.uri(), response.headers(),
          RetryAfter.parse(response.headers()::allValues, call.pipeline.settings.wallClock).orElse(null));
    }
    return response;
  }

  /**
   * What the caller gets when the engine ended the call with {@code thrown}: a response (returned)
   * or an exception (returned, for the caller's path to throw).
   */
  static <T> Object failure(Call<T> call, Throwable thrown) {
    Throwable failure = Failures.unwrap(thrown);
    boolean throwMode = call.pipeline.settings.throwMode;
    if (failure instanceof RetryExhaustedException) {
      RetryExhaustedException exhausted = (RetryExhaustedException) failure;
      Throwable last = exhausted.getCause();
      HttpResponse<T> ending = call.responseOf(last);
      if (ending != null && !throwMode) {
        return ending;
      }
      if (ending != null) {
        close(ending.body());
      }
      if (exhausted.reason() == GiveUpReason.DEADLINE) {
        CallTimeoutException timeout = new CallTimeoutException(exhausted.getMessage(), last);
        copySuppressed(exhausted, timeout);
        return timeout;
      }
      if (throwMode || !(last instanceof IOException)) {
        RetriesExhaustedException typed = new RetriesExhaustedException(
            exhausted.reason(), exhausted.getMessage(), exhausted.attempts(), last);
        copySuppressed(exhausted, typed);
        return typed;
      }
      IOException io = (IOException) last;
      copySuppressed(exhausted, io);
      io.addSuppressed(new RetryExhaustedException(exhausted.reason(), exhausted.getMessage(), exhausted.attempts(), null));
      return io;
    }
    HttpResponse<T> ending = call.responseOf(failure);
    if (ending != null) {
      if (!throwMode) {
        return ending;
      }
      close(ending.body());
      return failure;
    }
    if (failure instanceof RetryCancelledException) {
      if (call.pipeline.isClosed()) {
        Thread.interrupted(); // the shutdown's own interrupt
        return Failures.closed(call.backend.key);
      }
      Thread.interrupted();
      InterruptedException interrupted = new InterruptedException(failure.getMessage());
      interrupted.initCause(failure);
      return interrupted;
    }
    if (failure instanceof IOException || failure instanceof InterruptedException
        || failure instanceof CancellationException || failure instanceof IllegalArgumentException
        || failure instanceof SecurityException || failure instanceof Error) {
      return failure;
    }
    return new IOException(String.valueOf(failure.getMessage()), failure);
  }

  private static void copySuppressed(Throwable from, Throwable to) {
    for (Throwable earlier : from.getSuppressed()) {
      if (earlier != to) {
        to.addSuppressed(earlier);
      }
    }
  }

  /* A body the caller never sees must not hold its connection: an input stream or a stream of
   * lines is closed, a publisher is subscribed and cancelled. Bodies already read whole
   * (strings, byte arrays, files) hold nothing. */
  static void close(Object body) {
    try {
      if (body instanceof InputStream) {
        ((InputStream) body).close();
      } else if (body instanceof BaseStream) {
        ((BaseStream<?, ?>) body).close();
      } else if (body instanceof AutoCloseable) {
        ((AutoCloseable) body).close();
      } else if (body instanceof Flow.Publisher) {
        ((Flow.Publisher<?>) body).subscribe(new Flow.Subscriber<Object>() {
          @Override
          public void onSubscribe(Flow.Subscription subscription) {
            subscription.cancel();
          }

          @Override
          public void onNext(Object item) {}

          @Override
          public void onError(Throwable throwable) {}

          @Override
          public void onComplete() {}
        });
      }
    } catch (Exception ignored) {
      // Closing is best effort: the caller gets the typed exception either way.
    }
  }
}
