package dev.resilienthttp.http.internal.jdk;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.http.HttpClient;
import java.time.Duration;

/**
 * The lifecycle methods {@link HttpClient} gained in JDK 21 ({@code close}, {@code shutdown},
 * {@code shutdownNow}, {@code awaitTermination}, {@code isTerminated}), reached on the delegate
 * through method handles looked up once, so that a client compiled for Java 17 forwards them
 * where they exist. On a JDK without them, they do what the JDK 21 defaults of a client that
 * owns no resources do: nothing, and "terminated" once shut down.
 */
public final class Lifecycle {

  private static final MethodHandle CLOSE = find("close", MethodType.methodType(void.class));
  private static final MethodHandle SHUTDOWN = find("shutdown", MethodType.methodType(void.class));
  private static final MethodHandle SHUTDOWN_NOW = find("shutdownNow", MethodType.methodType(void.class));
  private static final MethodHandle AWAIT_TERMINATION =
      find("awaitTermination", MethodType.methodType(boolean.class, Duration.class));
  private static final MethodHandle IS_TERMINATED = find("isTerminated", MethodType.methodType(boolean.class));

  private Lifecycle() {}

  private static MethodHandle find(String name, MethodType type) {
    try {
      return MethodHandles.publicLookup().findVirtual(HttpClient.class, name, type);
    } catch (NoSuchMethodException | IllegalAccessException absent) {
      return null; // a JDK before 21
    }
  }

  /** Whether the running JDK's HttpClient has the lifecycle methods. */
  public static boolean supported() {
    return CLOSE != null;
  }

  public static void close(HttpClient delegate) {
    invoke(CLOSE, delegate);
  }

  public static void shutdown(HttpClient delegate) {
    invoke(SHUTDOWN, delegate);
  }

  public static void shutdownNow(HttpClient delegate) {
    invoke(SHUTDOWN_NOW, delegate);
  }

  /** The delegate's {@code awaitTermination}; {@code true} on a JDK without it. */
  public static boolean awaitTermination(HttpClient delegate, Duration duration) throws InterruptedException {
    if (AWAIT_TERMINATION == null) {
      return true;
    }
    try {
      return (boolean) AWAIT_TERMINATION.invoke(delegate, duration);
    } catch (InterruptedException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable checked) {
      throw new IllegalStateException(checked);
    }
  }

  /** The delegate's {@code isTerminated}; {@code fallback} on a JDK without it. */
  public static boolean isTerminated(HttpClient delegate, boolean fallback) {
    if (IS_TERMINATED == null) {
      return fallback;
    }
    try {
      return (boolean) IS_TERMINATED.invoke(delegate);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable checked) {
      throw new IllegalStateException(checked);
    }
  }

  private static void invoke(MethodHandle handle, HttpClient delegate) {
    if (handle == null) {
      return;
    }
    try {
      handle.invoke(delegate);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable checked) {
      throw new IllegalStateException(checked);
    }
  }
}
