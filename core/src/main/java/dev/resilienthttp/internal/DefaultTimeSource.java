package dev.resilienthttp.internal;

import dev.resilienthttp.time.TimeSource;
import java.util.function.Supplier;

/**
 * The time source that objects built on this thread use when none was set explicitly: the one
 * of the innermost {@link TimeSource#withDefault} running on this thread, else {@link
 * TimeSource#system()}. Read when an object is built, never kept by the thread afterwards.
 *
 * <p>Internal: this package is not exported by the module, and is no part of the library's API.
 */
public final class DefaultTimeSource {

  private static final ThreadLocal<TimeSource> CURRENT = new ThreadLocal<>();

  private DefaultTimeSource() {}

  /** The time source an object built now on this thread defaults to. */
  public static TimeSource get() {
    TimeSource current = CURRENT.get();
    return current != null ? current : TimeSource.system();
  }

  /** Runs {@code build} with {@code time} as this thread's default, restoring the outer one. */
  public static <T> T with(TimeSource time, Supplier<T> build) {
    TimeSource outer = CURRENT.get();
    CURRENT.set(time);
    try {
      return build.get();
    } finally {
      if (outer == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(outer);
      }
    }
  }
}
