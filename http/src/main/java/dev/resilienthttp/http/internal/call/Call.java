package dev.resilienthttp.http.internal.call;

import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.http.AuthenticationFailedException;
import dev.resilienthttp.http.CallRejectedException;
import dev.resilienthttp.http.CallTimeoutException;
import dev.resilienthttp.http.HttpStatusException;
import dev.resilienthttp.http.TokenUnavailableException;
import dev.resilienthttp.http.internal.auth.AuthLadder;
import dev.resilienthttp.http.internal.auth.BearerTokens;
import dev.resilienthttp.http.internal.backend.Backend;
import dev.resilienthttp.http.internal.jdk.DiscardingSubscriber;
import dev.resilienthttp.http.internal.jdk.RequestBodies;
import dev.resilienthttp.http.internal.rules.RequestTraits;
import dev.resilienthttp.http.internal.rules.Verdict;
import dev.resilienthttp.retry.AttemptContext;
import dev.resilienthttp.retry.CheckedAttempt;
import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.retry.RetryContext;
import dev.resilienthttp.retry.RetryDecider;
import dev.resilienthttp.retry.RetryDecision;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.PushPromiseHandler;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One call through a resilient client: what is fixed when it starts (the request's traits, its
 * backend, the retrier that applies, its deadline), the decision after each failed attempt, and
 * the response that ends it. Attempts are {@link Attempt}s; the engine runs them one after
 * another, waits between them, and owns the deadline and cancellation.
 *
 * <p>The decision after a failed attempt is a ladder: auth failures go up the {@link
 * AuthLadder}; then HTTP semantics ({@code HttpRules}) may forbid another attempt; then the
 * retrier that applies decides; then Retry-After, the Retry-After cap and the deadline, and an
 * open breaker may end the retries. The engine pays the retry budget after all of these allowed
 * the retry, in one place.
 */
public final class Call<T> implements RetryDecider, CheckedAttempt<HttpResponse<T>, Exception> {

  final Pipeline pipeline;
  final HttpRequest request;
  final BodyHandler<T> handler;
  final PushPromiseHandler<T> pushPromises;
  final RequestTraits traits;
  /** The tracked body, if the request's body cannot be known to replay by itself; else null. */
  final RequestBodies.Tracked body;
  /** The request each attempt starts from: the caller's, with a generated key, a tracked body. */
  final HttpRequest template;
  final Backend backend;
  final Retrier retrier;
  /** This call's bound, the request's own or the client's; {@code null}: none. */
  final Duration deadline;
  final long startNanos;
  /** The client's bearer tokens if one goes on this call's requests, else {@code null}. */
  final BearerTokens tokens;
  final AuthLadder auth;
  /** The response that ended the call with a failure status, and the failure it stands for. */
  private volatile HttpStatusException endingFailure;
  private volatile HttpResponse<T> endingResponse;
  /** What the caller's body handler threw, if it did: never retried. */
  volatile Throwable handlerFailure;
  /** Whether the latest attempt carried a bearer token. */
  volatile boolean tokenSent;
  /** The future the caller holds, once the call started; aborted by {@code shutdownNow}. */
  volatile CompletableFuture<?> callerFuture;
  volatile Thread syncThread;

  Call(
      Pipeline pipeline, HttpRequest request, BodyHandler<T> handler, PushPromiseHandler<T> pushPromises,
      RequestTraits traits, RequestBodies.Tracked body, HttpRequest template, Backend backend, Retrier retrier,
      Duration deadline, BearerTokens tokens) {
    this.pipeline = pipeline;
    this.request = request;
    this.handler = handler;
    this.pushPromises = pushPromises;
    this.traits = traits;
    this.body = body;
    this.template = template;
    this.backend = backend;
    this.retrier = retrier;
    this.deadline = deadline;
    this.startNanos = deadline != null ? pipeline.time.nanoTime() : 0L;
    this.tokens = tokens;
    this.auth = tokens == null ? null
        : new AuthLadder(tokens, backend, traits.idempotent(), pipeline.settings.authRetries,
            pipeline.settings.authInitialBackoff.toNanos(), pipeline.time);
  }

  /** The time left before the deadline, in nanoseconds; {@code Long.MAX_VALUE} without one. */
  long nanosLeft() {
    return deadline == null ? Long.MAX_VALUE : startNanos + deadline.toNanos() - pipeline.time.nanoTime();
  }

  /** Whether the request's body can be sent again now. */
  boolean bodyResendable() {
    return body == null || body.canResend();
  }

  /**
   * The request of the next attempt: the template, with {@code token} as its Authorization, and
   * its timeout the attempt timeout (when it sets none of its own) cut to the time left.
   */
  HttpRequest attemptRequest(BearerTokens.Cached token) {
    Duration timeout = template.timeout().orElse(pipeline.settings.attemptTimeout);
    boolean cut = false;
    if (deadline != null) {
      long left = Math.max(nanosLeft(), 1_000_000L);
      if (timeout == null || timeout.toNanos() > left) {
        timeout = Duration.ofNanos(left);
        cut = true;
      }
    }
    boolean ownTimeout = !cut && template.timeout().isPresent();
    if (token == null && (timeout == null || ownTimeout)) {
      return template;
    }
    HttpRequest.Builder builder = HttpRequest.newBuilder(template, (name, value) -> true);
    if (timeout != null) {
      builder.timeout(timeout);
    }
    if (token != null) {
      builder.setHeader("Authorization", token.header);
    }
    return builder.build();
  }

  /**
   * How long an attempt must wait at its backend's Retry-After gate: only with a retrier, never
   * past the cap, never past the deadline.
   *
   * @throws CallRejectedException if the gate is further away than the Retry-After cap
   * @throws CallTimeoutException if the gate opens after the call's deadline
   */
  long gateWaitNanos() throws IOException {
    Settings settings = pipeline.settings;
    if (!settings.gateOnRetryAfter || retrier == Retrier.none() || !backend.isGated()) {
      return 0;
    }
    long now = pipeline.time.nanoTime();
    long wait = backend.gateWaitNanos(now);
    if (wait <= 0) {
      return 0;
    }
    if (wait > settings.retryAfterCap.toNanos()) {
      throw new CallRejectedException(backend.key,
          "backend " + backend.key + " asked callers to wait " + Failures.format(wait)
              + " (Retry-After), more than the cap of " + Failures.format(settings.retryAfterCap.toNanos()), null);
    }
    long extra = pipeline.releaseSpread(wait);
    if (deadline != null) {
      long left = startNanos + deadline.toNanos() - now;
      if (wait >= left) {
        throw new CallTimeoutException(
            "backend " + backend.key + " asked callers to wait " + Failures.format(wait)
                + " (Retry-After), beyond this call's deadline (" + Failures.format(Math.max(0, left)) + " left)");
      }
      extra = Math.min(extra, (left - wait) / 2); // leave the attempt most of what is left
    }
    return wait + extra;
  }

  /** One synchronous attempt: the engine's {@link CheckedAttempt}. */
  @Override
  public HttpResponse<T> attempt(AttemptContext context) throws Exception {
    return Paths.attemptSync(this, context);
  }

  // ---- The decision after a failed attempt.

  @Override
  public RetryDecision decide(RetryContext context, Throwable failure, int attempt) {
    if (auth != null && tokenSent && failure instanceof AuthenticationFailedException) {
      return auth.decide(((AuthenticationFailedException) failure).statusCode(), attempt, bodyResendable());
    }
    if (pipeline.isClosed()) {
      // A closed client sends nothing more.
      return RetryDecision.rethrow();
    }
    if (failure instanceof TokenUnavailableException || failure instanceof CallRejectedException
        || failure instanceof CallTimeoutException) {
      // The client's own verdicts: the token fetch had its own retries; a rejection or a
      // deadline would only come again.
      return RetryDecision.rethrow();
    }
    Throwable handlerThrew = handlerFailure;
    if (handlerThrew != null && Failures.causedBy(failure, handlerThrew)) {
      // The caller's own body handler failed: sending again would fail it again.
      return RetryDecision.rethrow();
    }
    Duration asked = failure instanceof HttpStatusException
        ? ((HttpStatusException) failure).retryAfter().orElse(null) : null;
    Settings settings = pipeline.settings;
    long cap = settings.retryAfterCap.toNanos();
    if (asked != null && retrier != Retrier.none() && settings.gateOnRetryAfter) {
      int status = ((HttpStatusException) failure).statusCode();
      if (status == 429 || status == 503) {
        // The server asked every caller to wait, whether or not this request may be retried:
        // hold back the backend's new calls, never for longer than the cap.
        backend.gateUntil(pipeline.time.nanoTime() + Math.min(asked.toNanos(), cap));
      }
    }
    Verdict verdict = failure instanceof HttpStatusException
        ? pipeline.rules.classify(((HttpStatusException) failure).statusCode(), traits, false)
        : pipeline.rules.classify(failure, traits, false);
    if (!verdict.retry()) {
      return RetryDecision.rethrow();
    }
    if (!bodyResendable()) {
      // The body was read by an attempt and cannot be proven to read the same again.
      failure.addSuppressed(new IOException("not retried: " + body.whyNotResendable()));
      return RetryDecision.rethrow();
    }
    RetryDecision own = retrier.decide(context, failure, attempt - (auth == null ? 0 : auth.ownAttempts()));
    if (!(own instanceof RetryDecision.RetryAfter)) {
      return own;
    }
    long delay = ((RetryDecision.RetryAfter) own).delayNanos();
    if (asked != null) {
      long askedNanos = asked.toNanos();
      if (askedNanos > cap) {
        return RetryDecision.giveUp(GiveUpReason.RETRY_AFTER_TOO_LONG,
            "Retry-After of " + Failures.format(askedNanos) + " exceeds the cap of " + Failures.format(cap)
                + " after " + Failures.plural(attempt));
      }
      Optional<Duration> remaining = context.remaining();
      if (remaining.isPresent() && asked.compareTo(remaining.get()) > 0) {
        return RetryDecision.giveUp(GiveUpReason.DEADLINE,
            "Retry-After of " + Failures.format(askedNanos) + " is beyond the call's deadline ("
                + Failures.format(remaining.get().toNanos()) + " left) after " + Failures.plural(attempt));
      }
      delay = Math.max(delay, askedNanos);
    }
    CircuitBreaker breaker = backend.breaker;
    if (breaker != null && breaker.state() == CircuitBreaker.State.OPEN) {
      return RetryDecision.giveUp(GiveUpReason.CIRCUIT_OPEN,
          "circuit breaker '" + breaker.name() + "' is OPEN after " + Failures.plural(attempt));
    }
    pipeline.waiting(this);
    // An HTTP timeout is a timeout: the budget charges it as one.
    return RetryDecision.retryAfterNanos(delay, failure instanceof java.net.http.HttpTimeoutException
        ? RetryDecision.Charge.TIMEOUT_RETRY : RetryDecision.Charge.BY_FAILURE);
  }

  // ---- The response that ends the call.

  /** Remembers {@code response}, a failure status that ends the call, as {@code failure}. */
  void ending(HttpStatusException failure, HttpResponse<T> response) {
    this.endingResponse = response;
    this.endingFailure = failure;
  }

  /** The response that {@code failure} stands for, if it ended the call; else {@code null}. */
  HttpResponse<T> responseOf(Throwable failure) {
    HttpStatusException ending = endingFailure;
    return ending != null && failure == ending ? endingResponse : null;
  }

  /** A discarded body still being read in the background: cut off when the call ends. */
  private volatile DiscardingSubscriber draining;

  /** Remembers the body being discarded, cutting off the one before it if still being read. */
  void discarding(DiscardingSubscriber body) {
    DiscardingSubscriber before = draining;
    draining = body;
    if (before != null) {
      before.stop();
    }
  }

  /** The call is over, whatever its outcome: settles what it still holds. */
  void ended() {
    DiscardingSubscriber body = draining;
    if (body != null) {
      body.stop();
    }
    pipeline.done(this);
    if (auth != null) {
      auth.ended();
    }
  }

  String method() {
    return request.method();
  }
}
