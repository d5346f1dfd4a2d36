package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** How a {@link Route} matches requests, and what it refuses to be built from. */
class RouteTest {

  private static boolean matches(Route route, String method, String pathAndQuery) {
    return route.matches(method, URI.create("http://api.example.com:8080" + pathAndQuery));
  }

  @ParameterizedTest(name = "{0} {1} vs {2} {3} -> {4}")
  @CsvSource({
      // exact
      "POST, /auth/token,   POST, /auth/token,               true",
      "POST, /auth/token,   POST, /auth/token?scope=read,    true",
      "POST, /auth/token,   post, /auth/token,               true",
      "POST, /auth/token,   GET,  /auth/token,               false",
      "POST, /auth/token,   POST, /auth/token/,              false",
      "POST, /auth/token,   POST, /auth/tokens,              false",
      "POST, /auth/token,   POST, /auth,                     false",
      "POST, /auth/token,   POST, /AUTH/token,               false",
      // template: one non-empty segment per {name}
      "GET,  /users/{id},   GET,  /users/42,                 true",
      "GET,  /users/{id},   GET,  /users/me,                 true",
      "GET,  /users/{id},   GET,  /users/,                   false",
      "GET,  /users/{id},   GET,  /users,                    false",
      "GET,  /users/{id},   GET,  /users/42/posts,           false",
      "GET,  /users/{id}/posts/{post}, GET, /users/42/posts/7, true",
      "GET,  /users/{id}/posts/{post}, GET, /users/42/likes/7, false",
      // prefix: the path before ** and everything below
      "*,    /reports/**,   GET,  /reports,                  true",
      "*,    /reports/**,   DELETE, /reports/2026/q3,        true",
      "*,    /reports/**,   GET,  /reportsx,                 false",
      "*,    /**,           PATCH, /anything/at/all,         true",
      // percent-encoded as sent
      "GET,  /files/a%20b,  GET,  /files/a%20b,              true",
      "GET,  /files/{name}, GET,  /files/a%2Fb,              true",
      // the root
      "GET,  /,             GET,  /,                         true",
      "GET,  /,             GET,  '',                        true",
      "GET,  /,             GET,  /x,                        false",
      // a trailing slash is part of the pattern
      "GET,  /api/,         GET,  /api/,                     true",
      "GET,  /api/,         GET,  /api,                      false",
  })
  void matchesPerThePattern(String method, String pattern, String requestMethod, String path, boolean expected) {
    assertThat(matches(Route.of(method, pattern), requestMethod, path)).isEqualTo(expected);
  }

  @Test
  void theShortcutsSetTheirMethod() {
    assertThat(Route.get("/a").method()).isEqualTo("GET");
    assertThat(Route.post("/a").method()).isEqualTo("POST");
    assertThat(Route.put("/a").method()).isEqualTo("PUT");
    assertThat(Route.patch("/a").method()).isEqualTo("PATCH");
    assertThat(Route.delete("/a").method()).isEqualTo("DELETE");
    assertThat(Route.any("/a").method()).isEqualTo(Route.ANY_METHOD);
  }

  @Test
  void idempotentReturnsAMarkedCopyAndLeavesTheOriginalAlone() {
    Route plain = Route.post("/auth/token");
    Route marked = plain.idempotent();

    assertThat(plain.isIdempotent()).isFalse();
    assertThat(marked.isIdempotent()).isTrue();
    assertThat(marked.pattern()).isEqualTo("/auth/token");
    assertThat(marked).hasToString("POST /auth/token (idempotent)").isNotEqualTo(plain);
    assertThat(Route.any("/x/**")).hasToString("ANY /x/**");
    assertThat(Route.get("/u/{id}")).isEqualTo(Route.get("/u/{id}")).hasSameHashCodeAs(Route.get("/u/{id}"));
  }

  @ParameterizedTest(name = "''{0}''")
  @CsvSource(delimiter = '|', value = {
      "auth/token      | it must start with '/' and have no query or fragment",
      "/auth?x=1       | it must start with '/' and have no query or fragment",
      "/auth#top       | it must start with '/' and have no query or fragment",
      "/a/**/b         | '**' may only be its last segment",
      "/a//b           | each segment must be a literal, a {name} or a last '**'",
      "/users/{}       | each segment must be a literal, a {name} or a last '**'",
      "/users/{id      | each segment must be a literal, a {name} or a last '**'",
      "/users/x{id}    | each segment must be a literal, a {name} or a last '**'",
      "/users/*        | each segment must be a literal, a {name} or a last '**'",
  })
  void anInvalidPatternIsRefusedSayingWhatIsAllowed(String pattern, String why) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Route.get(pattern))
        .withMessage("pattern must be a path such as /auth/token, /users/{id} or /reports/** but was '"
            + pattern + "': " + why);
  }

  @Test
  void anInvalidMethodIsRefusedWithItsValue() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Route.of("post", "/a"))
        .withMessage("method must be an upper-case HTTP method such as GET, or *, but was 'post'");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Route.of("GET /a", "/a"))
        .withMessage("method must be an upper-case HTTP method such as GET, or *, but was 'GET /a'");
  }
}
