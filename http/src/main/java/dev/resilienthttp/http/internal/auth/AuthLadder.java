package dev.resilienthttp.http.internal.auth;

import dev.resilienthttp.breaker.CallNotPermittedException;
import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.http.internal.backend.Backend;
import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.retry.RetryDecision;
import dev.resilienthttp.time.TimeSource;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One call's way up the auth ladder (DESIGN "Authentication"): after a 401, drop the token and
 * replay the request once with a new one; if it is still refused (401 again, or 403), retry
 * with backoff waits shared by the backend's callers, behind the backend's auth circuit breaker.
 *
 * <p>A request that is not idempotent is sent at most twice: the one replay with a fresh token
 * (the server refused the credentials, so it did not process the request), and only if its
 * body can be sent again. The auth-failure retries after that are for idempotent requests
 * only: a server answering 403 may have acted on the request.
 *
 * <p>The call's permit of the auth breaker is settled exactly once, by compare-and-set:
 * whichever of success, exhaustion or the end of the call comes first settles it.
 */
public final class AuthLadder {

  private static final int NO_PERMIT = 0;
  private static final int PERMIT_HELD = 1;
  private static final int PERMIT_SETTLED = 2;

  private final BearerTokens tokens;
  private final Backend backend;
  private final boolean idempotent;
  private final int maxRetries;
  private final long initialBackoffNanos;
  private final TimeSource time;
  private final AtomicInteger permit = new AtomicInteger(NO_PERMIT);
  private volatile boolean replayed;
  private volatile int retries;
  /** Attempts that were auth replays or auth-failure retries: not the applying retrier's. */
  private volatile int ownAttempts;
  /** The token the latest attempt carried. */
  private volatile BearerTokens.Cached attemptToken;

  public AuthLadder(
      BearerTokens tokens, Backend backend, boolean idempotent, int maxRetries, long initialBackoffNanos,
      TimeSource time) {
    this.tokens = tokens;
    this.backend = backend;
    this.idempotent = idempotent;
    this.maxRetries = maxRetries;
    this.initialBackoffNanos = initialBackoffNanos;
    this.time = time;
  }

  /** Remembers the token the attempt about to be sent carries. */
  public void sending(BearerTokens.Cached token) {
    this.attemptToken = token;
  }

  /** The attempts this ladder added, which the applying retrier does not count. */
  public int ownAttempts() {
    return ownAttempts;
  }

  /**
   * What follows a 401 or 403 answer to attempt {@code attempt}.
   *
   * @param status 401 or 403
   * @param bodyResendable whether the request's body can be sent again
   */
  public RetryDecision decide(int status, int attempt, boolean bodyResendable) {
    if (!bodyResendable) {
      // The body was read by an attempt and cannot be sent again.
      return RetryDecision.rethrow();
    }
    if (status == 401 && !replayed) {
      // The token may have been revoked or have expired early: drop it, replay once with a new
      // one. Calls refused the same token share the one fetch of its successor.
      replayed = true;
      BearerTokens.Cached rejected = attemptToken;
      if (rejected != null) {
        tokens.reject(rejected, backend.key);
      }
      ownAttempts++;
      // Refused before processing, and sent once more only: not a retry an outage multiplies.
      return RetryDecision.retryAfterNanos(0, RetryDecision.Charge.FREE);
    }
    if (!idempotent) {
      // Refused again, or forbidden: a server answering 403 may have acted on the request.
      return RetryDecision.rethrow();
    }
    CircuitBreaker authBreaker = backend.authBreaker;
    if (permit.get() == NO_PERMIT) {
      try {
        authBreaker.acquirePermission();
      } catch (CallNotPermittedException open) {
        permit.set(PERMIT_SETTLED);
        return RetryDecision.giveUp(
            GiveUpReason.CIRCUIT_OPEN,
            "no auth-failure retries for backend " + backend.key + ": auth " + open.getMessage()
                + ", after " + plural(attempt));
      }
      permit.set(PERMIT_HELD);
    }
    if (retries >= maxRetries) {
      // Refreshed, replayed and retried, and still refused: one exhausted sequence.
      if (permit.compareAndSet(PERMIT_HELD, PERMIT_SETTLED)) {
        authBreaker.onFailure();
      }
      return RetryDecision.giveUp(
          GiveUpReason.MAX_ATTEMPTS,
          "max auth-failure retries (" + maxRetries + ") reached after " + plural(attempt));
    }
    int retry = ++retries;
    ownAttempts++;
    long now = time.nanoTime();
    long end = backend.sharedAuthWaitEnd(retry, now, backoffNanos(retry));
    return RetryDecision.retryAfterNanos(Math.max(0, end - now));
  }

  /** The backend accepted the call's credentials: a sequence in progress recovered. */
  public void passed() {
    if (permit.compareAndSet(PERMIT_HELD, PERMIT_SETTLED)) {
      backend.authBreaker.onSuccess();
    }
  }

  /**
   * The call ended: a permit still held (cancelled, or given up for its deadline during its
   * auth-failure retries) is given back without a verdict.
   */
  public void ended() {
    if (permit.compareAndSet(PERMIT_HELD, PERMIT_SETTLED)) {
      backend.authBreaker.releasePermission();
    }
  }

  /** The wait before auth-failure retry {@code retry} (1 for the first): doubled each time. */
  private long backoffNanos(int retry) {
    long backoff = initialBackoffNanos;
    for (int i = 1; i < retry && backoff < Long.MAX_VALUE / 2; i++) {
      backoff *= 2;
    }
    return backoff;
  }

  private static String plural(int attempts) {
    return attempts + (attempts == 1 ? " attempt" : " attempts");
  }
}
