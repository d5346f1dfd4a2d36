package dev.resilienthttp.http.internal.call;

import dev.resilienthttp.breaker.CallNotPermittedException;
import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.http.CallRejectedException;
import dev.resilienthttp.http.CallTimeoutException;
import dev.resilienthttp.http.HttpStatusException;
import dev.resilienthttp.http.TokenUnavailableException;
import dev.resilienthttp.http.internal.auth.BearerTokens;
import dev.resilienthttp.http.internal.backend.Permit;
import dev.resilienthttp.http.internal.jdk.DiscardingSubscriber;
import dev.resilienthttp.http.internal.rules.RetryAfter;
import dev.resilienthttp.retry.AttemptContext;
import dev.resilienthttp.retry.RetryDecision;
import dev.resilienthttp.time.ScheduledTask;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.PushPromiseHandler;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * One attempt of a {@link Call}: gate, then token, then the breaker's permit, then the
 * exchange, then the permit settled. It never throws: every failure completes its future
 * exceptionally. Cancelling its future (the caller gave up, the deadline passed, the client
 * shut down) reaches every stage: the gate's timer, the wait for a token, the exchange.
 *
 * <p>Whether another attempt will follow is decided at the response's headers ({@link
 * AttemptContext#decideNow}): only a response that will be retried is discarded; the one that
 * ends the call streams into the caller's handler.
 */
final class Attempt<T> implements HttpResponse.BodyHandler<Object> {

  private final Call<T> call;
  private final Pipeline pipeline;
  private final AttemptContext context;
  private final CompletableFuture<HttpResponse<T>> result = new CompletableFuture<>();
  private volatile ScheduledTask gateTimer;
  private volatile CompletableFuture<?> tokenWait;
  private volatile CompletableFuture<HttpResponse<Object>> exchange;
  private volatile Permit permit;
  /** The failure a retry-candidate status stands for, set at its headers. */
  private volatile HttpStatusException statusFailure;
  private volatile boolean discarded;

  Attempt(Call<T> call, AttemptContext context) {
    this.call = call;
    this.pipeline = call.pipeline;
    this.context = context;
  }

  /**
   * Starts the attempt.
   *
   * @param waitAtGate whether to wait (scheduled) at the backend's Retry-After gate; a
   *     synchronous caller has slept there already
   */
  CompletableFuture<HttpResponse<T>> start(boolean waitAtGate) {
    result.whenComplete((response, failure) -> {
      if (result.isCancelled()) {
        stopEverything();
      }
    });
    try {
      long gate = waitAtGate ? call.gateWaitNanos() : 0;
      if (gate <= 0) {
        withToken();
      } else {
        gateTimer = pipeline.time.schedule(this::afterGate, gate);
        pipeline.waiting(call);
      }
    } catch (Throwable failure) {
      fail(failure);
    }
    return result;
  }

  private void afterGate() {
    try {
      withToken();
    } catch (Throwable failure) {
      fail(failure);
    }
  }

  private void withToken() {
    if (result.isDone()) {
      return;
    }
    if (call.tokens == null) {
      send(null);
      return;
    }
    BearerTokens.Cached fresh = call.tokens.fresh();
    if (fresh != null) {
      send(fresh);
      return;
    }
    long left = call.nanosLeft();
    if (left <= 0) {
      fail(tokenDeadline());
      return;
    }
    CompletableFuture<BearerTokens.Cached> waiting =
        call.tokens.refresh(left == Long.MAX_VALUE ? null : Duration.ofNanos(left));
    tokenWait = waiting;
    waiting.whenComplete((token, failure) -> {
      try {
        if (failure != null) {
          fail(tokenFailure(failure));
        } else {
          send(token);
        }
      } catch (Throwable unexpected) {
        fail(unexpected);
      }
    });
    if (result.isDone()) {
      waiting.cancel(false);
    }
  }

  private Throwable tokenFailure(Throwable failure) {
    Throwable cause = Failures.unwrap(failure);
    return cause instanceof TimeoutException && call.deadline != null ? tokenDeadline()
        : cause instanceof CancellationException ? cause : new TokenUnavailableException(cause);
  }

  /**
   * The attempt of a synchronous call without a deadline, on the calling thread: the same steps,
   * the token waited for and the exchange made with the delegate's own {@code send}, so this
   * thread's interrupt reaches it as java.net.http handles one. The gate was slept already.
   */
  HttpResponse<T> runSync() throws Exception {
    BearerTokens.Cached token = null;
    if (call.tokens != null) {
      token = call.tokens.fresh();
      if (token == null) {
        CompletableFuture<BearerTokens.Cached> waiting = call.tokens.refresh(null);
        try {
          token = waiting.get();
        } catch (InterruptedException interrupted) {
          waiting.cancel(false);
          throw interrupted;
        } catch (java.util.concurrent.ExecutionException failed) {
          Throwable failure = tokenFailure(failed);
          throw failure instanceof Exception ? (Exception) failure : new java.io.IOException(failure);
        }
      }
    }
    HttpRequest request = prepare(token);
    HttpResponse<Object> response;
    try {
      response = pipeline.delegate.send(request, this);
    } catch (Exception | Error failure) {
      settle(failure);
      throw failure;
    }
    return outcome(response);
  }

  private CallTimeoutException tokenDeadline() {
    return new CallTimeoutException(
        "call deadline of " + Failures.format(call.deadline.toNanos()) + " passed while waiting for a bearer token");
  }

  /**
   * Everything before the exchange: the client still open, the token noted, the attempt's
   * request built, the breaker's permit taken.
   *
   * @throws CallRejectedException if the client was shut down or the breaker refuses
   */
  private HttpRequest prepare(BearerTokens.Cached token) throws CallRejectedException {
    if (pipeline.isClosed()) {
      throw Failures.closed(call.backend.key);
    }
    call.tokenSent = token != null;
    if (call.auth != null) {
      call.auth.sending(token);
    }
    HttpRequest request = call.attemptRequest(token);
    CircuitBreaker breaker = call.backend.breaker;
    if (breaker != null) {
      try {
        permit = Permit.acquire(breaker);
      } catch (CallNotPermittedException rejected) {
        throw new CallRejectedException(call.backend.key, rejected.getMessage(), rejected);
      }
    }
    return request;
  }

  @SuppressWarnings("unchecked")
  private void send(BearerTokens.Cached token) {
    if (result.isDone()) {
      return;
    }
    HttpRequest request;
    try {
      request = prepare(token);
    } catch (CallRejectedException rejected) {
      fail(rejected);
      return;
    }
    CompletableFuture<HttpResponse<Object>> sent;
    try {
      PushPromiseHandler<T> push = call.pushPromises;
      sent = push == null
          ? pipeline.delegate.sendAsync(request, this)
          : pipeline.delegate.sendAsync(request, this, (PushPromiseHandler<Object>) (PushPromiseHandler<?>) push);
    } catch (Throwable thrown) {
      // Nothing was sent: the permit goes back without a verdict.
      Permit held = permit;
      if (held != null) {
        held.release();
      }
      fail(thrown);
      return;
    }
    exchange = sent;
    sent.whenComplete(this::received);
    if (result.isDone()) {
      sent.cancel(true);
    }
  }

  /* Decides at the headers: a status that may be retried becomes its typed failure, and the
   * engine's decision on it is taken now. A response that will be retried is discarded; any
   * other goes to the caller's handler as it streams. */
  @Override
  @SuppressWarnings("unchecked")
  public BodySubscriber<Object> apply(HttpResponse.ResponseInfo info) {
    int status = info.statusCode();
    boolean authFailure = call.tokenSent && (status == 401 || status == 403);
    if (authFailure || pipeline.rules.isRetryCandidate(status)) {
      HttpStatusException failure = HttpStatusException.of(
          status, call.method(), call.request.uri(), info.headers(),
          RetryAfter.parse(info.headers()::allValues, pipeline.settings.wallClock).orElse(null));
      statusFailure = failure;
      // The breaker hears of this response before the decision, so a response that opens it
      // ends the call with itself rather than with a retry the breaker then refuses.
      settle(failure);
      RetryDecision decision;
      try {
        decision = context.decideNow(failure);
      } catch (RuntimeException | Error retrierFailed) {
        decision = null; // the engine meets the same failure when the attempt fails
      }
      if (decision instanceof RetryDecision.RetryAfter) {
        discarded = true;
        DiscardingSubscriber discarding =
            new DiscardingSubscriber(info.headers().firstValueAsLong("Content-Length").orElse(-1L));
        call.discarding(discarding);
        return discarding;
      }
    }
    try {
      return (BodySubscriber<Object>) call.handler.apply(info);
    } catch (RuntimeException | Error thrown) {
      call.handlerFailure = thrown;
      throw thrown;
    }
  }

  private void received(HttpResponse<Object> response, Throwable thrown) {
    try {
      if (thrown != null) {
        Throwable failure = Failures.unwrap(thrown);
        settle(failure);
        fail(failure);
        return;
      }
      result.complete(outcome(response));
    } catch (Throwable failure) {
      fail(failure);
    }
  }

  /**
   * What the exchange's response means: the caller's response, or the failure a status decided
   * at its headers stands for (a response that ends the call is remembered with it). Settles the
   * breaker's permit either way.
   */
  @SuppressWarnings("unchecked")
  private HttpResponse<T> outcome(HttpResponse<Object> response) throws HttpStatusException {
    HttpStatusException failure = statusFailure;
    settle(failure != null ? failure : statusOutcome(response.statusCode()));
    if (failure == null) {
      if (call.auth != null) {
        call.auth.passed();
      }
      return (HttpResponse<T>) response;
    }
    if (!discarded) {
      call.ending(failure, (HttpResponse<T>) response);
    } else if (call.auth != null && !(call.tokenSent && (failure.statusCode() == 401 || failure.statusCode() == 403))) {
      call.auth.passed();
    }
    throw failure;
  }

  /** The breaker's view of a response that is not a retry candidate: only a 5xx may fail it. */
  private Throwable statusOutcome(int status) {
    if (status < 500 || status > 599) {
      return null;
    }
    return HttpStatusException.of(status, call.method(), call.request.uri(),
        java.net.http.HttpHeaders.of(java.util.Map.of(), (name, value) -> true), null);
  }

  /** Settles the breaker's permit with this attempt's outcome ({@code null}: success). */
  private void settle(Throwable failure) {
    Permit held = permit;
    if (held == null) {
      return;
    }
    if (failure instanceof CancellationException || failure instanceof InterruptedException) {
      held.release();
    } else {
      held.settle(failure != null && pipeline.isBreakerFailure(failure));
    }
  }

  private void fail(Throwable failure) {
    result.completeExceptionally(failure);
  }

  /** The caller, the deadline or a shutdown cancelled this attempt: stop every stage. */
  private void stopEverything() {
    ScheduledTask timer = gateTimer;
    if (timer != null) {
      timer.cancel();
    }
    CompletableFuture<?> waiting = tokenWait;
    if (waiting != null) {
      waiting.cancel(false);
    }
    CompletableFuture<HttpResponse<Object>> inFlight = exchange;
    if (inFlight != null) {
      inFlight.cancel(true);
    }
    Permit held = permit;
    if (held != null) {
      held.release();
    }
  }
}
