package dev.resilienthttp.http;

import dev.resilienthttp.breaker.CallNotPermittedException;
import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.retry.RetryContext;
import dev.resilienthttp.retry.RetryDecision;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpResponse.PushPromiseHandler;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One call through a {@link ResilientHttpClient}: builds each attempt's request, reads each
 * attempt's outcome, and decides with HTTP semantics whether the next attempt may be sent. It is
 * the per-call {@link Retrier} the engine asks, wrapping the retrier that applies to the call.
 *
 * <p>With bearer tokens, each attempt carries the client's current token (waiting for the one
 * fetch of a new token that concurrent calls share, when it has none fresh). A 401 drops that
 * token and replays the request once with a new one; a 401 after that, or a 403, starts the
 * auth-failure retries: a backoff shared with the backend's other callers, behind the backend's
 * auth circuit breaker. Those attempts are the engine's attempts like any other (listeners hear
 * them, deadlines and cancellation end them), but do not count against the applying retrier's
 * attempts.
 *
 * <p>Attempts of one call run one after another; the only state shared with the JDK's threads
 * is whether a one-shot body was subscribed, held in an atomic.
 */
final class HttpCall<T> implements Retrier {

  private static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  private static final int NO_PERMIT = 0;
  private static final int PERMIT_HELD = 1;
  private static final int PERMIT_SETTLED = 2;

  private final ResilientHttpClient client;
  private final HttpRequest request;
  private final BodyHandler<T> handler;
  private final Retrier retrier;
  private final boolean idempotent;
  private final boolean replayableBody;
  private final TrackedPublisher trackedBody;
  private final HttpRequest attemptTemplate;
  /** When the call started, on the client's clock; read only for a deadline ({@link #callTimeout}). */
  private final long startNanos;
  private final Backend backend;
  /** This call's bound, the request's own or the client's; {@code null}: none. */
  final Duration callTimeout;
  /** The client's bearer tokens if one goes on this call's requests, else {@code null}. */
  private final BearerTokens tokens;
  /** Attempts sent so far; attempts of one call run one after another. */
  private int sent;
  private volatile boolean lastRetryAfterTimeout;
  /** Whether the retry that led to the current attempt was paid for from the retry budget. */
  private volatile boolean retryPaid;
  /** The token the latest attempt carried, {@code null} if none. */
  private volatile BearerTokens.Cached attemptToken;
  /** Whether the one replay after a 401 was used. */
  private volatile boolean replayedAfterRejection;
  /** Auth-failure retries made so far. */
  private volatile int authRetries;
  /** Attempts that were auth replays or auth-failure retries: not the applying retrier's. */
  private volatile int authAttempts;
  /** Where this call stands with its backend's auth breaker: none, holding a permit, settled. */
  private volatile int authPermit = NO_PERMIT;

  HttpCall(
      ResilientHttpClient client, HttpRequest marked, BodyHandler<T> handler, Retrier retrier, Backend backend,
      boolean routeIdempotent) {
    this.client = client;
    this.backend = backend;
    this.request = ResilientRequests.unmarked(marked);
    this.handler = handler;
    this.retrier = retrier;
    Duration own = ResilientRequests.callTimeoutOf(marked);
    this.callTimeout = own != null ? own : client.callTimeout;
    // Read only against a deadline: a call without one reads no clock of its own.
    this.startNanos = callTimeout != null ? client.time.nanoTime() : 0L;
    this.tokens =
        client.tokens != null && backend.authBreaker != null && client.tokens.appliesTo(marked, request)
            ? client.tokens
            : null;
    Optional<BodyPublisher> body = request.bodyPublisher();
    this.replayableBody =
        !ResilientRequests.isMarkedOneShot(marked)
            && (ResilientRequests.isMarkedReplayable(marked) || body.isEmpty() || knownReplayable(body.get()));
    boolean hasKey = hasHeader(request, IDEMPOTENCY_KEY);
    boolean idempotentMethod = client.idempotentMethods.contains(request.method());
    String generatedKey =
        !hasKey && !idempotentMethod && client.generateIdempotencyKeys ? client.idempotencyKeys.get() : null;
    this.idempotent =
        idempotentMethod || hasKey || generatedKey != null || routeIdempotent
            || ResilientRequests.isMarkedIdempotent(marked);
    this.trackedBody = replayableBody ? null : new TrackedPublisher(body.get());
    if (generatedKey == null && trackedBody == null) {
      this.attemptTemplate = request;
    } else {
      HttpRequest.Builder builder = HttpRequest.newBuilder(request, (name, value) -> true);
      if (generatedKey != null) {
        builder.header(IDEMPOTENCY_KEY, generatedKey);
      }
      if (trackedBody != null) {
        builder.method(request.method(), trackedBody);
      }
      this.attemptTemplate = builder.build();
    }
  }

  /**
   * Whether {@code request} has a header {@code name}, as {@code headers().firstValue(name)
   * .isPresent()} says, without the stream and the Optional that {@code firstValue} allocates.
   */
  static boolean hasHeader(HttpRequest request, String name) {
    return !request.headers().allValues(name).isEmpty();
  }

  /* Publishers of java.net.http.HttpRequest.BodyPublishers that produce the same bytes on every
   * subscription: ofString, ofByteArray(s), ofFile, noBody. Iterables, input streams and
   * adapted publishers may not, so they are one-shot unless the caller marks them replayable. */
  private static boolean knownReplayable(BodyPublisher publisher) {
    String name = publisher.getClass().getName();
    return name.equals("jdk.internal.net.http.RequestPublishers$ByteArrayPublisher")
        || name.equals("jdk.internal.net.http.RequestPublishers$StringPublisher")
        || name.equals("jdk.internal.net.http.RequestPublishers$FilePublisher")
        || name.equals("jdk.internal.net.http.RequestPublishers$EmptyPublisher");
  }

  /**
   * The request of the next attempt: the template, its timeout cut to the call's deadline, with
   * {@code token} (if any) as its Authorization header.
   */
  HttpRequest attemptRequest(BearerTokens.Cached token) {
    Duration remaining = null;
    if (callTimeout != null) {
      long left = startNanos + callTimeout.toNanos() - client.time.nanoTime();
      remaining = Duration.ofNanos(Math.max(left, 1_000_000L));
      Optional<Duration> own = attemptTemplate.timeout();
      if (own.isPresent() && own.get().compareTo(remaining) <= 0) {
        remaining = null;
      }
    }
    if (remaining == null && token == null) {
      return attemptTemplate;
    }
    HttpRequest.Builder builder = HttpRequest.newBuilder(attemptTemplate, (name, value) -> true);
    if (remaining != null) {
      builder.timeout(remaining);
    }
    if (token != null) {
      builder.setHeader("Authorization", token.header);
    }
    return builder.build();
  }

  /** The time left before this call's deadline at {@code nowNanos}, or {@code null} without one. */
  private Duration timeLeft(long nowNanos) {
    return callTimeout == null ? null : Duration.ofNanos(startNanos + callTimeout.toNanos() - nowNanos);
  }

  /**
   * One synchronous attempt: waits for the backend's gate, for a bearer token if the call needs
   * a new one, asks the backend's breaker, sends.
   */
  HttpResponse<T> sendSync() throws IOException, InterruptedException {
    long gate = gateWaitNanos();
    if (gate > 0) {
      client.time.sleep(gate);
    }
    BearerTokens.Cached token = tokenSync();
    attemptToken = token;
    admit();
    try {
      HttpResponse<T> response = outcome(sendWithinDeadline(token));
      succeeded();
      return response;
    } catch (IOException | RuntimeException | Error failure) {
      failed(failure);
      throw failure;
    } catch (InterruptedException interrupted) {
      released();
      throw interrupted;
    }
  }

  /* java.net.http's request timeout stops at the response headers: a body that stalls would
   * hold a synchronous send past the call's deadline. With a deadline, the attempt is sent
   * asynchronously and waited for no longer than the time left, then cancelled. */
  private HttpResponse<Object> sendWithinDeadline(BearerTokens.Cached token)
      throws IOException, InterruptedException {
    if (callTimeout == null) {
      return client.delegate.send(attemptRequest(token), this::subscriberFor);
    }
    CompletableFuture<HttpResponse<Object>> future =
        client.delegate.sendAsync(attemptRequest(token), this::subscriberFor);
    long left = startNanos + callTimeout.toNanos() - client.time.nanoTime();
    try {
      return future.get(Math.max(left, 1_000_000L), java.util.concurrent.TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.TimeoutException late) {
      future.cancel(true);
      throw new HttpTimeoutException(
          "call deadline of " + format(callTimeout) + " passed while receiving the response");
    } catch (InterruptedException interrupted) {
      future.cancel(true);
      throw interrupted;
    } catch (ExecutionException failed) {
      Throwable cause = failed.getCause();
      if (cause instanceof IOException) {
        throw (IOException) cause;
      }
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new IOException(cause);
    }
  }

  /**
   * How long this attempt must wait for a Retry-After gate set on its backend by other calls.
   *
   * @throws GateBeyondDeadlineException if the gate opens after the call's deadline
   */
  private long gateWaitNanos() throws GateBeyondDeadlineException {
    if (!client.gateOnRetryAfter || !backend.isGated()) {
      return 0;
    }
    long now = client.time.nanoTime();
    long wait = backend.gateWaitNanos(now);
    if (wait > client.retryAfterCap.toNanos()) {
      throw new GateBeyondDeadlineException(
          "backend " + backend.key + " asked callers to wait " + format(Duration.ofNanos(wait))
              + " (Retry-After), more than the cap of " + format(client.retryAfterCap));
    }
    if (wait <= 0) {
      return 0;
    }
    long extra = releaseSpread(wait);
    if (callTimeout != null) {
      long left = startNanos + callTimeout.toNanos() - now;
      if (wait > left) {
        throw new GateBeyondDeadlineException(
            "backend " + backend.key + " asked callers to wait " + format(Duration.ofNanos(wait))
                + " (Retry-After), beyond this call's deadline (" + format(Duration.ofNanos(Math.max(0, left)))
                + " left)");
      }
      extra = Math.min(extra, (left - wait) / 2); // leave the attempt most of what is left
    }
    return wait + extra;
  }

  /*
   * Every call a gate held would otherwise wake in the same instant and reach a server that has
   * just asked for a pause all at once (the simulator's 429 storm showed 190 attempts within
   * 10 ms of the gate opening). Each held call adds a uniform random extra of up to the spread,
   * or up to its own wait when that is shorter, so a short gate is not stretched many times over;
   * and never more than half of what the call has left after the gate.
   */
  private long releaseSpread(long waitNanos) {
    long spread = Math.min(client.gateReleaseSpreadNanos, waitNanos);
    if (spread <= 0) {
      return 0;
    }
    double draw = client.random.getAsDouble();
    if (!(draw >= 0 && draw < 1)) {
      throw new IllegalStateException("random must return a draw in [0, 1) but returned " + draw);
    }
    return (long) (draw * spread);
  }

  /**
   * The token for a synchronous attempt: the cached one if fresh, else the one the shared fetch
   * brings, waited for no longer than the call's deadline; {@code null} without bearer tokens.
   */
  private BearerTokens.Cached tokenSync() throws IOException, InterruptedException {
    if (tokens == null) {
      return null;
    }
    BearerTokens.Cached fresh = tokens.fresh();
    if (fresh != null) {
      return fresh;
    }
    Duration left = timeLeft(client.time.nanoTime());
    if (left != null && (left.isZero() || left.isNegative())) {
      throw tokenDeadline();
    }
    CompletableFuture<BearerTokens.Cached> waiting = tokens.refresh(left);
    try {
      return waiting.get();
    } catch (InterruptedException interrupted) {
      waiting.cancel(false);
      throw interrupted;
    } catch (ExecutionException failed) {
      throw tokenFailure(failed.getCause());
    }
  }

  /** As {@link #tokenSync()}, for an asynchronous attempt: never blocks. */
  private CompletableFuture<BearerTokens.Cached> tokenAsync() {
    BearerTokens.Cached fresh = tokens.fresh();
    if (fresh != null) {
      return CompletableFuture.completedFuture(fresh);
    }
    Duration left = timeLeft(client.time.nanoTime());
    if (left != null && (left.isZero() || left.isNegative())) {
      return CompletableFuture.failedFuture(tokenDeadline());
    }
    return tokens.refresh(left);
  }

  private IOException tokenFailure(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause instanceof TimeoutException ? tokenDeadline() : new TokenUnavailableException(cause);
  }

  private TokenDeadlineException tokenDeadline() {
    return new TokenDeadlineException(
        "call deadline of " + format(callTimeout) + " passed while waiting for a bearer token");
  }

  /** Thrown when a call's deadline passes while it waits for a bearer token. */
  static final class TokenDeadlineException extends HttpTimeoutException {
    private static final long serialVersionUID = 1L;

    TokenDeadlineException(String message) {
      super(message);
    }
  }

  /** Takes the breaker's permission for one attempt, or fails it at once. */
  private void admit() {
    sent++;
    CircuitBreaker breaker = backend.breaker;
    if (breaker != null) {
      breaker.acquirePermission();
    }
  }

  private void succeeded() {
    if (backend.breaker != null) {
      backend.breaker.onSuccess();
    }
    if (backend.budget != null) {
      if (sent == 1) {
        backend.budget.onFirstAttemptSuccess();
      } else if (retryPaid) {
        backend.budget.onRetrySuccess(lastRetryAfterTimeout);
      }
    }
    authPassed();
  }

  /** The backend accepted this call's credentials: an auth-failure sequence in progress recovered. */
  private void authPassed() {
    if (authPermit == PERMIT_HELD) {
      authPermit = PERMIT_SETTLED;
      backend.authBreaker.onSuccess();
    }
  }

  /**
   * Ends this call's business with its backend's auth breaker when the call ends: a permit
   * still held (the call was cancelled, or gave up for its deadline, during its auth-failure
   * retries) is given back without a verdict.
   */
  void finished() {
    if (authPermit == PERMIT_HELD) {
      authPermit = PERMIT_SETTLED;
      backend.authBreaker.releasePermission();
    }
  }

  private void failed(Throwable failure) {
    if (failure instanceof CallNotPermittedException) {
      return;
    }
    if (failure instanceof HttpStatusException && !isAuthFailure(failure)) {
      authPassed();
    }
    CircuitBreaker breaker = backend.breaker;
    if (breaker != null) {
      if (Execution.isCancellation(failure)) {
        breaker.releasePermission();
      } else if (client.breakerFailure.test(failure)) {
        breaker.onFailure();
      } else {
        breaker.onSuccess();
      }
    }
    if (failure instanceof HttpStatusException && client.gateOnRetryAfter) {
      HttpStatusException status = (HttpStatusException) failure;
      if (status.retryAfter != null && (status.statusCode() == 429 || status.statusCode() == 503)) {
        backend.gateUntil(client.time.nanoTime() + status.retryAfter.toNanos());
      }
    }
  }

  private void released() {
    if (backend.breaker != null) {
      backend.breaker.releasePermission();
    }
  }

  /**
   * Thrown when a backend's Retry-After gate opens only after the call's deadline, or further
   * away than the Retry-After cap.
   */
  static final class GateBeyondDeadlineException extends HttpTimeoutException {
    private static final long serialVersionUID = 1L;

    GateBeyondDeadlineException(String message) {
      super(message);
    }
  }

  /** Tells cancellations apart, as the engine does. */
  private static final class Execution {
    static boolean isCancellation(Throwable failure) {
      return failure instanceof InterruptedException
          || failure instanceof java.util.concurrent.CancellationException;
    }
  }

  /**
   * One asynchronous attempt: waits (scheduled) for the backend's gate, for a bearer token if the
   * call needs a new one, asks the backend's breaker, sends.
   */
  CompletableFuture<HttpResponse<T>> sendAsync(PushPromiseHandler<T> pushPromises) {
    long gate;
    try {
      gate = gateWaitNanos();
    } catch (GateBeyondDeadlineException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (gate <= 0) {
      return withTokenAsync(pushPromises);
    }
    CompletableFuture<Void> opened = new CompletableFuture<>();
    client.time.schedule(() -> opened.complete(null), gate);
    return opened.thenCompose(ignored -> withTokenAsync(pushPromises));
  }

  /* The attempt's future is the engine's handle on it: cancelling it (the caller cancelled, or
   * the deadline passed) leaves the token fetch, which other calls may share, and cancels the
   * exchange if one was started. */
  private CompletableFuture<HttpResponse<T>> withTokenAsync(PushPromiseHandler<T> pushPromises) {
    if (tokens == null) {
      return sendAsyncNow(null, pushPromises);
    }
    CompletableFuture<BearerTokens.Cached> waiting = tokenAsync();
    if (waiting.isDone() && !waiting.isCompletedExceptionally()) {
      return sendAsyncNow(waiting.join(), pushPromises);
    }
    CompletableFuture<HttpResponse<T>> attempt = new CompletableFuture<>();
    waiting.whenComplete(
        (token, failure) -> {
          if (attempt.isDone()) {
            return;
          }
          if (failure != null) {
            attempt.completeExceptionally(tokenFailure(failure));
            return;
          }
          CompletableFuture<HttpResponse<T>> sent = sendAsyncNow(token, pushPromises);
          sent.whenComplete(
              (response, sendFailure) -> {
                if (sendFailure == null) {
                  attempt.complete(response);
                } else {
                  attempt.completeExceptionally(sendFailure);
                }
              });
          attempt.whenComplete(
              (response, any) -> {
                if (attempt.isCancelled()) {
                  sent.cancel(true);
                }
              });
        });
    attempt.whenComplete(
        (response, any) -> {
          if (attempt.isCancelled()) {
            waiting.cancel(false);
          }
        });
    return attempt;
  }

  private CompletableFuture<HttpResponse<T>> sendAsyncNow(
      BearerTokens.Cached token, PushPromiseHandler<T> pushPromises) {
    attemptToken = token;
    try {
      admit();
    } catch (CallNotPermittedException rejected) {
      return CompletableFuture.failedFuture(rejected);
    }
    HttpRequest attemptRequest = attemptRequest(token);
    CompletableFuture<HttpResponse<Object>> response =
        pushPromises == null
            ? client.delegate.sendAsync(attemptRequest, this::subscriberFor)
            : client.delegate.sendAsync(attemptRequest, this::subscriberFor, uncheckedPush(pushPromises));
    CompletableFuture<HttpResponse<T>> outcome =
        response.thenApply(
            r -> {
              try {
                return outcome(r);
              } catch (HttpStatusException e) {
                throw new java.util.concurrent.CompletionException(e);
              }
            });
    outcome.whenComplete(
        (r, t) -> {
          if (outcome.isCancelled()) {
            response.cancel(true);
          }
          if (t == null) {
            succeeded();
          } else {
            Throwable failure = t;
            while (failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null) {
              failure = failure.getCause();
            }
            failed(failure);
          }
        });
    return outcome;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static <T> PushPromiseHandler<Object> uncheckedPush(PushPromiseHandler<T> handler) {
    return (PushPromiseHandler) handler;
  }

  /* A response whose status may be retried is read whole into memory, so the connection goes
   * back to the pool whether or not it is retried, and the caller's handler can still be given
   * the bytes if it turns out to be the last response. Other responses go straight to the
   * caller's handler. */
  @SuppressWarnings("unchecked")
  private BodySubscriber<Object> subscriberFor(HttpResponse.ResponseInfo info) {
    int status = info.statusCode();
    if (client.isRetryCandidate(status) || (attemptToken != null && (status == 401 || status == 403))) {
      return BodySubscribers.mapping(BodySubscribers.ofByteArray(), bytes -> new Buffered(info, bytes));
    }
    return (BodySubscriber<Object>) handler.apply(info);
  }

  @SuppressWarnings("unchecked")
  private HttpResponse<T> outcome(HttpResponse<Object> response) throws HttpStatusException {
    Object body = response.body();
    if (body instanceof Buffered) {
      Buffered buffered = (Buffered) body;
      buffered.response = response;
      Duration retryAfter = RetryAfter.parse(response.headers(), client.wallClock).orElse(null);
      HttpStatusException failure =
          HttpStatusException.of(response.statusCode(), request.method(), request.uri(), response.headers(), retryAfter);
      failure.buffered = buffered;
      failure.retryAfter = retryAfter;
      throw failure;
    }
    return (HttpResponse<T>) response;
  }

  /** The caller's response for a buffered failure status: its bytes fed to the caller's handler. */
  CompletableFuture<HttpResponse<T>> replay(HttpStatusException failure) {
    Buffered buffered = (Buffered) failure.buffered;
    BodySubscriber<T> subscriber = handler.apply(buffered.info);
    subscriber.onSubscribe(new OneBufferSubscription(subscriber, buffered.bytes));
    return subscriber
        .getBody()
        .toCompletableFuture()
        .thenApply(body -> new ReplayedResponse<>(buffered.response, body));
  }

  HttpResponse<T> replaySync(HttpStatusException failure) throws IOException {
    try {
      return replay(failure).get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException) {
        throw (IOException) cause;
      }
      throw new IOException("the response handler failed on a response of status " + failure.statusCode(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while handing the last response to its handler", e);
    }
  }

  String method() {
    return request.method();
  }

  URI uri() {
    return request.uri();
  }

  // ---- The per-call retrier: HTTP semantics around the retrier that applies to the call.

  @Override
  public int maxAttempts() {
    return retrier.maxAttempts();
  }

  @Override
  public boolean shouldRetry(RetryContext context, Throwable failure, int attempt) {
    return mayResend(failure) && retrier.shouldRetry(context, failure, attempt);
  }

  @Override
  public Duration delay(RetryContext context, Throwable failure, int attempt) {
    return retrier.delay(context, failure, attempt);
  }

  @Override
  public long delayNanos(RetryContext context, Throwable failure, int attempt) {
    return retrier.delayNanos(context, failure, attempt);
  }

  @Override
  public RetryDecision decide(RetryContext context, Throwable failure, int attempt) {
    if (attemptToken != null && isAuthFailure(failure)) {
      return decideAuth((AuthenticationFailedException) failure, attempt);
    }
    if (!mayResend(failure)) {
      return RetryDecision.rethrow();
    }
    // The applying retrier's own decision (by default shouldRetry, then maxAttempts, then its
    // delay), so that a retrier giving up for a reason of its own is obeyed over HTTP too. Auth
    // replays and auth-failure retries are not among its attempts.
    RetryDecision own = retrier.decide(context, failure, attempt - authAttempts);
    if (!(own instanceof RetryDecision.RetryAfter)) {
      return own;
    }
    long delay = ((RetryDecision.RetryAfter) own).delayNanos();
    if (failure instanceof HttpStatusException) {
      Duration asked = ((HttpStatusException) failure).retryAfter;
      if (asked != null) {
        if (asked.compareTo(client.retryAfterCap) > 0) {
          return RetryDecision.giveUp(
              GiveUpReason.RETRY_AFTER_TOO_LONG,
              "Retry-After of " + format(asked) + " exceeds the cap of " + format(client.retryAfterCap)
                  + " after " + plural(attempt));
        }
        Optional<Duration> remaining = context.remaining();
        if (remaining.isPresent() && asked.compareTo(remaining.get()) > 0) {
          return RetryDecision.giveUp(
              GiveUpReason.DEADLINE,
              "Retry-After of " + format(asked) + " is beyond the call's deadline ("
                  + format(remaining.get()) + " left) after " + plural(attempt));
        }
        delay = Math.max(delay, asked.toNanos());
      }
    }
    CircuitBreaker breaker = backend.breaker;
    if (breaker != null && breaker.state() == CircuitBreaker.State.OPEN) {
      return RetryDecision.giveUp(
          GiveUpReason.CIRCUIT_OPEN,
          "circuit breaker '" + breaker.name() + "' is OPEN after " + plural(attempt));
    }
    if (backend.budget != null) {
      boolean afterTimeout = failure instanceof HttpTimeoutException;
      if (!backend.budget.tryAcquireRetry(afterTimeout)) {
        return RetryDecision.giveUp(
            GiveUpReason.BUDGET_EXHAUSTED,
            "retry budget exhausted for " + backend.key + " after " + plural(attempt));
      }
      lastRetryAfterTimeout = afterTimeout;
      retryPaid = true;
    }
    return RetryDecision.retryAfterNanos(delay);
  }

  static boolean isAuthFailure(Throwable failure) {
    return failure instanceof AuthenticationFailedException;
  }

  /**
   * What to do after the bearer token of attempt {@code attempt} was refused, the ladder of
   * DESIGN.md's "Authentication": one replay with a new token after a 401; then auth-failure
   * retries behind the backend's auth breaker, sharing the backend's backoff waits.
   */
  private RetryDecision decideAuth(AuthenticationFailedException failure, int attempt) {
    if (trackedBody != null && trackedBody.subscribed.get()) {
      // The body was read by an attempt and cannot be proven to read the same again.
      return RetryDecision.rethrow();
    }
    if (failure.statusCode() == 401 && !replayedAfterRejection) {
      // The token may have been revoked or have expired early: drop it, replay once with a new
      // one. Calls that were refused the same token share the one fetch of its successor.
      replayedAfterRejection = true;
      tokens.reject(attemptToken, backend.key);
      authAttempts++;
      retryPaid = false;
      return RetryDecision.retryAfterNanos(0);
    }
    CircuitBreaker authBreaker = backend.authBreaker;
    if (authPermit == NO_PERMIT) {
      try {
        authBreaker.acquirePermission();
      } catch (CallNotPermittedException open) {
        authPermit = PERMIT_SETTLED;
        return RetryDecision.giveUp(
            GiveUpReason.CIRCUIT_OPEN,
            "no auth-failure retries for backend " + backend.key + ": auth " + open.getMessage()
                + ", after " + plural(attempt));
      }
      authPermit = PERMIT_HELD;
    }
    if (authRetries >= client.authRetries) {
      // Refreshed, replayed and retried, and still refused: one exhausted sequence.
      authPermit = PERMIT_SETTLED;
      authBreaker.onFailure();
      return RetryDecision.giveUp(
          GiveUpReason.MAX_ATTEMPTS,
          "max auth-failure retries (" + client.authRetries + ") reached after " + plural(attempt));
    }
    if (backend.budget != null) {
      if (!backend.budget.tryAcquireRetry(false)) {
        authPermit = PERMIT_SETTLED;
        authBreaker.releasePermission();
        return RetryDecision.giveUp(
            GiveUpReason.BUDGET_EXHAUSTED,
            "retry budget exhausted for " + backend.key + " after " + plural(attempt));
      }
      lastRetryAfterTimeout = false;
      retryPaid = true;
    }
    int retry = ++authRetries;
    authAttempts++;
    long now = client.time.nanoTime();
    long end = backend.sharedAuthWaitEnd(retry, now, client.authBackoffNanos(retry));
    return RetryDecision.retryAfterNanos(Math.max(0, end - now));
  }

  /** Whether HTTP semantics allow sending this call's request again after {@code failure}. */
  boolean mayResend(Throwable failure) {
    if (failure instanceof GateBeyondDeadlineException || failure instanceof CallNotPermittedException
        || failure instanceof TokenUnavailableException || failure instanceof TokenDeadlineException) {
      return false;
    }
    if (trackedBody != null && trackedBody.subscribed.get()) {
      // The body was read by an attempt and cannot be proven to read the same again.
      return false;
    }
    if (failure instanceof HttpStatusException) {
      int status = ((HttpStatusException) failure).statusCode();
      if (status == 429) {
        // Rejected before processing: safe for every method.
        return client.retryRateLimited;
      }
      return client.isRetryStatus(status) && idempotent;
    }
    if (failure instanceof HttpConnectTimeoutException) {
      // Nothing was sent.
      return true;
    }
    if (causedBy(failure, ConnectException.class)) {
      // Refused: nothing was sent, but a refusing server is usually down, not busy.
      return client.retryConnectionRefused;
    }
    if (failure instanceof IOException) {
      // Timed out or reset after the request may have been sent: it may have been processed.
      return idempotent;
    }
    return false;
  }

  private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
      if (t.getCause() == t) {
        return false;
      }
    }
    return false;
  }

  private static String plural(int attempts) {
    return attempts + (attempts == 1 ? " attempt" : " attempts");
  }

  static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis < 1_000) {
      return millis + " ms";
    }
    if (millis % 1_000 == 0) {
      return (millis / 1_000) + " s";
    }
    return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1_000.0);
  }

  /** A buffered response body whose status may be retried. */
  static final class Buffered {
    final HttpResponse.ResponseInfo info;
    final byte[] bytes;
    HttpResponse<Object> response;

    Buffered(HttpResponse.ResponseInfo info, byte[] bytes) {
      this.info = info;
      this.bytes = bytes;
    }
  }

  /** A body publisher that remembers whether it was ever subscribed. */
  static final class TrackedPublisher implements BodyPublisher {
    final BodyPublisher delegate;
    final AtomicBoolean subscribed = new AtomicBoolean();

    TrackedPublisher(BodyPublisher delegate) {
      this.delegate = delegate;
    }

    @Override
    public long contentLength() {
      return delegate.contentLength();
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
      subscribed.set(true);
      delegate.subscribe(subscriber);
    }
  }

  /** Hands one buffer to a body subscriber, honouring its demand. */
  static final class OneBufferSubscription implements Flow.Subscription {
    private final BodySubscriber<?> subscriber;
    private final byte[] bytes;
    private final AtomicBoolean done = new AtomicBoolean();

    OneBufferSubscription(BodySubscriber<?> subscriber, byte[] bytes) {
      this.subscriber = subscriber;
      this.bytes = bytes;
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        if (done.compareAndSet(false, true)) {
          subscriber.onError(new IllegalArgumentException("demand must be > 0 but was " + n));
        }
        return;
      }
      if (done.compareAndSet(false, true)) {
        if (bytes.length > 0) {
          subscriber.onNext(List.of(ByteBuffer.wrap(bytes).asReadOnlyBuffer()));
        }
        subscriber.onComplete();
      }
    }

    @Override
    public void cancel() {
      done.set(true);
    }
  }
}
