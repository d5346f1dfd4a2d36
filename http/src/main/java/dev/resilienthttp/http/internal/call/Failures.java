package dev.resilienthttp.http.internal.call;

import dev.resilienthttp.http.CallRejectedException;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Small helpers on failures shared by the call's parts. */
final class Failures {

  private Failures() {}

  static Throwable unwrap(Throwable failure) {
    Throwable current = failure;
    while ((current instanceof CompletionException || current instanceof ExecutionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }

  /** Whether {@code target} is {@code failure} or among its causes. */
  static boolean causedBy(Throwable failure, Throwable target) {
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 32; t = t.getCause(), depth++) {
      if (t == target) {
        return true;
      }
    }
    return false;
  }

  static CallRejectedException closed(String backend) {
    return new CallRejectedException(backend, "the client was shut down", null);
  }

  static String plural(int attempts) {
    return attempts + (attempts == 1 ? " attempt" : " attempts");
  }

  static String format(long nanos) {
    long millis = nanos / 1_000_000L;
    if (millis < 1_000) {
      return millis + " ms";
    }
    if (millis % 1_000 == 0) {
      return (millis / 1_000) + " s";
    }
    return String.format(Locale.ROOT, "%.1f s", millis / 1_000.0);
  }
}
