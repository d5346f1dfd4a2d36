package dev.resilienthttp.retry;

/**
 * Thrown when a synchronous call is interrupted while it waits between attempts. The message is
 * {@code cancelled during retry wait}, the cause is the {@link InterruptedException}, the
 * failures seen so far are {@linkplain #getSuppressed() suppressed}, and the thread's interrupt
 * flag is set again before this is thrown.
 */
public class RetryCancelledException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int attempts;

  /**
   * @param attempts the attempts made before the wait was interrupted
   * @param cause the interruption
   */
  public RetryCancelledException(int attempts, Throwable cause) {
    super("cancelled during retry wait", cause);
    this.attempts = attempts;
  }

  /** The number of attempts made before the wait was interrupted. */
  public int attempts() {
    return attempts;
  }
}
