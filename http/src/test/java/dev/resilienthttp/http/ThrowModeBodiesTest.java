package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.http.Harness.Outcome;
import dev.resilienthttp.http.Harness.Path;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServerExtension;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Regressions (issue failures 14 and 15): in {@link ResultMode#THROW} the bodies the caller is
 * never handed are closed, and the exception a failed call throws holds no attempt's body.
 * Against a real server, down both paths.
 */
@ExtendWith(FaultServerExtension.class)
@Timeout(60) // a hang guard for the whole class, not a timing assertion
class ThrowModeBodiesTest {

  private static final int KIB_64 = 64 * 1024;

  private final Harness h = new Harness();

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void inThrowModeEveryInputStreamOfA404IsClosed(Path path, FaultServer server) {
    server.script("GET", "/missing", Fault.status(404).body("no such thing, and a body to read"));
    BodyRecordingHttpClient delegate = new BodyRecordingHttpClient(h.http);
    ResilientHttpClient client = h.client(delegate, Retrier.none()).resultMode(ResultMode.THROW).build();

    for (int i = 0; i < 20; i++) {
      Outcome<InputStream> outcome =
          h.call(path, client, Harness.get(server, "/missing"), BodyHandlers.ofInputStream());
      ClientErrorException error = outcome.failure(ClientErrorException.class);
      assertThat(error.statusCode()).isEqualTo(404);
    }

    assertThat(server.requestCount("GET", "/missing")).isEqualTo(20);
    assertThat(delegate.bodies).hasSize(20).allSatisfy(body -> {
      assertThat(body).isInstanceOf(InputStream.class);
      assertThat(isClosed((InputStream) body)).as("the 404's input stream is closed").isTrue();
    });
  }

  /** A closed stream throws on read, or is at its end at once; an open one reads the body's first byte. */
  private static boolean isClosed(InputStream stream) {
    try {
      return stream.read() == -1;
    } catch (IOException closed) {
      return true;
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aCallRetriedToExhaustionThrowsAnExceptionHoldingNoBody(Path path, FaultServer server) {
    String megabyte = "x".repeat(1024 * 1024);
    server.script("GET", "/api", Fault.status(503).body(megabyte));
    ResilientHttpClient client = h.client(Harness.backoff(3, Duration.ofMillis(100)))
        .resultMode(ResultMode.THROW)
        .build();

    Outcome<String> outcome = h.call(path, client, Harness.get(server, "/api"));

    RetriesExhaustedException exhausted = outcome.failure(RetriesExhaustedException.class);
    assertThat(exhausted.attempts()).isEqualTo(3);
    assertThat(server.requestCount("GET", "/api")).isEqualTo(3);
    List<String> holders = bodyHolders(exhausted);
    assertThat(holders).as("what in the exception's graph could hold a body").isEmpty();
  }

  /**
   * Walks the exception, its causes and suppressed exceptions, and every object reachable from
   * their fields (reflection, where the module system allows it; the JDK's own exception fields
   * through their accessors), and lists what could hold a response body: a byte array, a string
   * or a character sequence longer than 64 KiB, a {@link ByteBuffer}, an {@link InputStream} or
   * an {@link HttpResponse}.
   */
  static List<String> bodyHolders(Throwable root) {
    List<String> found = new ArrayList<>();
    Map<Object, Boolean> seen = new IdentityHashMap<>();
    Deque<Object[]> queue = new ArrayDeque<>();
    queue.add(new Object[] {root, "exception"});
    while (!queue.isEmpty() && seen.size() < 100_000) {
      Object[] next = queue.poll();
      Object object = next[0];
      String where = (String) next[1];
      if (object == null || seen.put(object, Boolean.TRUE) != null) {
        continue;
      }
      if (object instanceof byte[] && ((byte[]) object).length > KIB_64
          || object instanceof char[] && ((char[]) object).length > KIB_64
          || object instanceof CharSequence && ((CharSequence) object).length() > KIB_64
          || object instanceof ByteBuffer || object instanceof InputStream || object instanceof HttpResponse) {
        found.add(where + ": " + object.getClass().getName());
        continue;
      }
      if (object instanceof Throwable) {
        Throwable t = (Throwable) object;
        queue.add(new Object[] {t.getMessage(), where + ".getMessage()"});
        queue.add(new Object[] {t.getCause(), where + ".getCause()"});
        Throwable[] suppressed = t.getSuppressed();
        for (int i = 0; i < suppressed.length; i++) {
          queue.add(new Object[] {suppressed[i], where + ".getSuppressed()[" + i + "]"});
        }
      }
      Class<?> type = object.getClass();
      if (type.isArray()) {
        if (!type.getComponentType().isPrimitive()) {
          for (int i = 0; i < Array.getLength(object); i++) {
            queue.add(new Object[] {Array.get(object, i), where + "[" + i + "]"});
          }
        }
        continue;
      }
      if (object instanceof Collection) {
        int i = 0;
        for (Object element : (Collection<?>) object) {
          queue.add(new Object[] {element, where + "{" + i++ + "}"});
        }
      }
      if (object instanceof Map) {
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) object).entrySet()) {
          queue.add(new Object[] {entry.getKey(), where + ".key"});
          queue.add(new Object[] {entry.getValue(), where + "[" + entry.getKey() + "]"});
        }
      }
      for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
        for (Field field : c.getDeclaredFields()) {
          if (Modifier.isStatic(field.getModifiers()) || field.getType().isPrimitive()
              || !field.trySetAccessible()) {
            continue; // the JDK's own classes are read through their accessors above
          }
          try {
            queue.add(new Object[] {field.get(object), where + "." + field.getName()});
          } catch (IllegalAccessException e) {
            throw new AssertionError(e);
          }
        }
      }
    }
    return found;
  }
}
