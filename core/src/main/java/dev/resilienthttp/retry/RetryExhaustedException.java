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
  private final String detail;
  /** The message, built on first use: most exhaustions under an outage are never printed. */
  private transient String message;

  /**
   * @param reason why the engine gave up; never {@link GiveUpReason#NOT_RETRYABLE}
   * @param detail the start of the message, such as {@code max retry attempts (3) reached}
   * @param attempts the attempts made, counting the first
   * @param lastFailure the last failure, or {@code null} if the deadline passed during the first
   *     attempt
   */
  public RetryExhaustedException(
      GiveUpReason reason, String detail, int attempts, Throwable lastFailure) {
    super(null, lastFailure, true, false);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.detail = Objects.requireNonNull(detail, "detail");
    this.attempts = attempts;
  }

  /**
   * Returns {@code <detail>: <last failure's message>} (its class name if it has no message),
   * or the detail alone when there was no failure.
   */
  @Override
  public String getMessage() {
    String built = message;
    if (built == null) {
      Throwable last = getCause();
      if (last == null) {
        built = detail;
      } else {
        String lastMessage = last.getMessage();
        built = detail + ": " + (lastMessage != null ? lastMessage : last.getClass().getName());
      }
      message = built; // a racing thread builds an equal string: no lock needed
    }
    return built;
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
