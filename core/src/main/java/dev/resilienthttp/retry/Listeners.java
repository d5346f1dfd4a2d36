package dev.resilienthttp.retry;

import java.lang.System.Logger.Level;
import java.time.Duration;

/** Calls listeners, logging and swallowing whatever they throw. */
final class Listeners {

  private static final System.Logger LOG = System.getLogger("dev.resilienthttp.retry");

  private Listeners() {}

  static void attemptStarted(RetryListener[] listeners, RetryContext context, int attempt) {
    for (RetryListener listener : listeners) {
      try {
        listener.onAttemptStarted(context, attempt);
      } catch (RuntimeException | Error e) {
        rethrowIfFatal(e);
        failed(listener, "onAttemptStarted", e);
      }
    }
  }

  static void retryScheduled(
      RetryListener[] listeners, RetryContext context, int attempt, long delayNanos, Throwable failure) {
    if (listeners.length == 0) {
      return;
    }
    Duration delay = Duration.ofNanos(delayNanos);
    for (RetryListener listener : listeners) {
      try {
        listener.onRetryScheduled(context, attempt, delay, failure);
      } catch (RuntimeException | Error e) {
        rethrowIfFatal(e);
        failed(listener, "onRetryScheduled", e);
      }
    }
  }

  static void success(RetryListener[] listeners, RetryContext context, int attempts) {
    for (RetryListener listener : listeners) {
      try {
        listener.onSuccess(context, attempts);
      } catch (RuntimeException | Error e) {
        rethrowIfFatal(e);
        failed(listener, "onSuccess", e);
      }
    }
  }

  static void gaveUp(
      RetryListener[] listeners, RetryContext context, GiveUpReason reason, int attempts, Throwable failure) {
    for (RetryListener listener : listeners) {
      try {
        listener.onGiveUp(context, reason, attempts, failure);
      } catch (RuntimeException | Error e) {
        rethrowIfFatal(e);
        failed(listener, "onGiveUp", e);
      }
    }
  }

  /** An out-of-memory or similar error is not the listener's to swallow. */
  private static void rethrowIfFatal(Throwable e) {
    if (e instanceof VirtualMachineError) {
      throw (VirtualMachineError) e;
    }
  }

  private static void failed(RetryListener listener, String method, Throwable e) {
    LOG.log(Level.WARNING, () -> "retry listener " + listener.getClass().getName() + "." + method
        + " threw " + e.getClass().getName() + "; the call goes on", e);
  }
}
