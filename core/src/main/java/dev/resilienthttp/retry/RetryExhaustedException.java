package dev.resilienthttp.retry;

import java.util.Objects;

/**
 * Thrown when the engine stops retrying a call that is still failing: every attempt was used,
 * the deadline passed, a budget or breaker refused, or the server asked for too long a wait.
 *
 * <p>The message reads {@code max retry attempts (3) reached: <last failure's message>}; the
 * cause is the last failure and the earlier failures are {@linkplain #getSuppressed()
 * suppressed}, oldest first.
 *
 * <p>It carries no stack trace of its own: its cause holds the one that matters (for a
 * synchronous call that includes the caller's frames), and not capturing a second one keeps
 * giving up cheap when an outage makes every call give up (BENCHMARKS.md B4).
 */
public class RetryExhaustedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final GiveUpReason reason;
  private final int attempts;

  /**
   * @param reason why the engine gave up; never {@link GiveUpReason#NOT_RETRYABLE}
   * @param detail the start of the message, such as {@code max retry attempts (3) reached}
   * @param attempts the attempts made, counting the first
   * @param lastFailure the last failure, or {@code null} if the deadline passed during the first
   *     attempt
   */
  public RetryExhaustedException(
      GiveUpReason reason, String detail, int attempts, Throwable lastFailure) {
    super(message(detail, lastFailure), lastFailure, true, false);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.attempts = attempts;
  }

  private static String message(String detail, Throwable lastFailure) {
    if (lastFailure == null) {
      return detail;
    }
    String last = lastFailure.getMessage();
    return detail + ": " + (last != null ? last : lastFailure.getClass().getName());
  }

  /** Why the engine gave up. */
  public GiveUpReason reason() {
    return reason;
  }

  /** The number of attempts made, counting the first. */
  public int attempts() {
    return attempts;
  }
}
