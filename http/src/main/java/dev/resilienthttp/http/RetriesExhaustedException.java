package dev.resilienthttp.http;

import dev.resilienthttp.retry.GiveUpReason;
import java.io.IOException;
import java.util.Objects;

/**
 * A call that a {@link ResilientHttpClient} in {@link ResultMode#THROW} stopped retrying: its
 * message reads like {@code max retry attempts (3) reached: server unavailable (status code
 * 503)}, its cause is the last attempt's failure, its suppressed exceptions are the earlier
 * attempts' failures, oldest first. An {@link IOException}, as {@code HttpClient.send}
 * promises.
 *
 * <p>Created without a stack trace of its own: its cause has the one that matters.
 */
public final class RetriesExhaustedException extends IOException {

  private static final long serialVersionUID = 1L;

  private final GiveUpReason reason;
  private final int attempts;

  /**
   * @param reason why retries stopped
   * @param message the whole message
   * @param attempts the attempts made, at least 1
   * @param cause the last attempt's failure
   */
  public RetriesExhaustedException(GiveUpReason reason, String message, int attempts, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.attempts = attempts;
    setStackTrace(new StackTraceElement[0]);
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }

  /** Why retries stopped. */
  public GiveUpReason reason() {
    return reason;
  }

  /** How many attempts were made. */
  public int attempts() {
    return attempts;
  }
}
