package dev.resilienthttp.http.internal.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.resilienthttp.http.Route;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The first route a request is on, by index. */
class RoutesTest {

  private static final Routes ROUTES = Routes.of(
      Route.post("/auth/token").host("auth.example.com").idempotent(),
      Route.post("/auth/token"),
      Route.get("/users/{id}"),
      Route.onHost("legacy.example.com"),
      Route.any("/**"));

  private static int match(String method, String uri) {
    return ROUTES.match(method, URI.create(uri));
  }

  @Test
  void theFirstMatchingRouteWins() {
    assertThat(match("POST", "https://auth.example.com/auth/token")).isEqualTo(0);
    assertThat(match("POST", "https://api.example.com/auth/token")).isEqualTo(1);
    assertThat(match("GET", "https://legacy.example.com/users/7")).isEqualTo(2);
    assertThat(match("GET", "https://legacy.example.com/other")).isEqualTo(3);
    assertThat(match("PATCH", "https://api.example.com/other")).isEqualTo(4);
    assertThat(ROUTES.get(0).isIdempotent()).isTrue();
    assertThat(ROUTES.get(1).isIdempotent()).isFalse();
  }

  @Test
  void noMatchIsNone() {
    Routes routes = Routes.of(List.of(Route.get("/a"), Route.get("/b").host("b.example.com")));

    assertThat(routes.match("GET", URI.create("https://x/c"))).isEqualTo(Routes.NONE);
    assertThat(routes.match("GET", URI.create("https://x/b"))).isEqualTo(Routes.NONE);
    assertThat(routes.match("GET", URI.create("https://b.example.com/b"))).isEqualTo(1);
    assertThat(Routes.of().match("GET", URI.create("https://x/a"))).isEqualTo(Routes.NONE);
    assertThat(Routes.of(List.of()).size()).isZero();
  }

  @Test
  void theRoutesAreCopiedInOrder() {
    List<Route> given = new ArrayList<>(List.of(Route.get("/a"), Route.get("/b")));
    Routes routes = Routes.of(given);
    given.set(0, Route.get("/c"));

    assertThat(routes.routes()).containsExactly(Route.get("/a"), Route.get("/b"));
    assertThat(routes.size()).isEqualTo(2);
    assertThat(routes).hasToString("Routes[GET /a, GET /b]");
    assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> routes.get(2));
    assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> routes.get(Routes.NONE));
  }

  @Test
  void nullsAreRefused() {
    assertThatNullPointerException().isThrownBy(() -> Routes.of((List<Route>) null));
    assertThatNullPointerException().isThrownBy(() -> Routes.of(Arrays.asList(Route.get("/a"), null)));
  }

  /**
   * The bytes this thread has allocated so far, read reflectively (the test is compiled inside
   * the http module, which does not read java.management); -1 where the JVM cannot tell.
   */
  private static long allocatedBytes() {
    try {
      Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
      Class<?> type = Class.forName("com.sun.management.ThreadMXBean");
      if (!type.isInstance(threads) || !(Boolean) type.getMethod("isThreadAllocatedMemoryEnabled").invoke(threads)) {
        return -1;
      }
      return (Long) type.getMethod("getThreadAllocatedBytes", long.class).invoke(threads, Thread.currentThread().getId());
    } catch (ReflectiveOperationException | LinkageError unavailable) {
      return -1;
    }
  }

  @Test
  void matchingAllocatesNothing() {
    Assumptions.assumeTrue(allocatedBytes() >= 0, "the JVM measures allocation per thread");
    // Through host checks (a POST's first route, and the legacy host's route) and path checks.
    URI token = URI.create("https://api.example.com/auth/token");
    URI user = URI.create("https://api.example.com/users/42?x=1");
    URI legacy = URI.create("https://LEGACY.example.com/other");
    int sum = 0;
    for (int i = 0; i < 20_000; i++) {
      sum += ROUTES.match("POST", token) + ROUTES.match("GET", user) + ROUTES.match("GET", legacy);
    }
    long before = allocatedBytes();
    for (int i = 0; i < 100_000; i++) {
      sum += ROUTES.match("POST", token) + ROUTES.match("GET", user) + ROUTES.match("GET", legacy);
    }
    long allocated = allocatedBytes() - before;

    assertThat(sum).isEqualTo((1 + 2 + 3) * 120_000);
    // One 16-byte object per match would be 4.8 MB; the measuring itself costs a little.
    assertThat(allocated).as("bytes allocated by 300,000 matches").isLessThan(10_000);
  }
}
