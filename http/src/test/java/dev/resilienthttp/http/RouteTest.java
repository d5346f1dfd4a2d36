package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
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

  // ---- host scoping -----------------------------------------------------------------------

  @ParameterizedTest(name = "{0} vs {1} -> {2}")
  @CsvSource({
      // a host alone: any port, any scheme
      "api.example.com,          http://api.example.com/v1/x,          true",
      "api.example.com,          https://API.Example.COM:8443/v1/x,    true",
      "API.EXAMPLE.COM,          https://api.example.com/v1/x,         true",
      "api.example.com,          https://auth.example.com/v1/x,        false",
      "api.example.com,          https://v2.api.example.com/v1/x,      false",
      "api.example.com,          https://api.example.com.evil.test/v1/x, false",
      "api.example.com,          /v1/x,                                false",
      // with a port: the URI's, else its scheme's
      "api.example.com:8443,     https://api.example.com:8443/v1/x,    true",
      "api.example.com:8443,     https://api.example.com:9443/v1/x,    false",
      "api.example.com:8443,     https://api.example.com/v1/x,         false",
      "api.example.com:443,      https://api.example.com/v1/x,         true",
      "api.example.com:443,      wss://api.example.com/v1/x,           true",
      "api.example.com:443,      http://api.example.com/v1/x,          false",
      "api.example.com:80,       http://api.example.com/v1/x,          true",
      "api.example.com:80,       ws://api.example.com/v1/x,            true",
      "api.example.com:80,       ftp://api.example.com/v1/x,           false",
      // addresses
      "127.0.0.1:8080,           http://127.0.0.1:8080/v1/x,           true",
      "[::1]:8080,               http://[::1]:8080/v1/x,               true",
      "[::1],                    http://[0:0:0:0:0:0:0:1]/v1/x,        false",
      "[FE80::1],                http://[fe80::1]/v1/x,                true",
      // a name with '_', which java.net.URI does not parse into a host
      "internal_host,            http://internal_host/v1/x,            true",
      "internal_host,            http://user@INTERNAL_HOST:8080/v1/x,  true",
      "internal_host:8080,       http://internal_host:8080/v1/x,       true",
      "internal_host:8080,       http://internal_host/v1/x,            false",
      "internal_host:80,         http://internal_host/v1/x,            true",
      "internal_host,            http://other_host/v1/x,               false",
      "internal_host,            http://internal_hostx/v1/x,           false",
  })
  void aHostScopedRouteMatchesOnlyThatHost(String host, String uri, boolean expected) {
    Route route = Route.get("/v1/**").host(host);

    assertThat(route.matches("GET", URI.create(uri))).isEqualTo(expected);
    assertThat(route.matches("POST", URI.create(uri))).as("the method still counts").isFalse();
  }

  @Test
  void aRouteWithoutAHostMatchesEveryHostAndRelativeUris() {
    Route route = Route.get("/v1/**");

    assertThat(route.host()).isEmpty();
    assertThat(route.matches("GET", URI.create("https://anything.example/v1/x"))).isTrue();
    assertThat(route.matches("GET", URI.create("/v1/x"))).isTrue();
  }

  @Test
  void onHostMatchesEveryMethodAndPathOnThatHost() {
    Route route = Route.onHost("auth.example.com");

    assertThat(route).isEqualTo(Route.any("/**").host("auth.example.com"));
    assertThat(route.matches("DELETE", URI.create("https://auth.example.com/a/b?c=d"))).isTrue();
    assertThat(route.matches("GET", URI.create("https://auth.example.com"))).isTrue();
    assertThat(route.matches("GET", URI.create("https://api.example.com/a"))).isFalse();
  }

  @Test
  void hostAndIdempotentCompose() {
    Route plain = Route.post("/auth/token");
    Route scoped = plain.host("Auth.Example.com:8443");
    Route both = scoped.idempotent();
    Route other = both.host("other.example.com");

    assertThat(plain.host()).isEmpty();
    assertThat(scoped.host()).contains("auth.example.com:8443");
    assertThat(both.isIdempotent()).isTrue();
    assertThat(both.host()).contains("auth.example.com:8443");
    assertThat(plain.idempotent().host("auth.example.com:8443")).isEqualTo(both).hasSameHashCodeAs(both);
    assertThat(other.host()).contains("other.example.com");
    assertThat(other.isIdempotent()).isTrue();
    assertThat(both).hasToString("POST /auth/token on auth.example.com:8443 (idempotent)");
    assertThat(Route.onHost("[::1]")).hasToString("ANY /** on [::1]");
    assertThat(scoped).isNotEqualTo(plain).isNotEqualTo(plain.host("auth.example.com"));
    assertThat(plain).hasToString("POST /auth/token");
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {
      "", " ", "api.example.com ", "a b", "api.example.com/x", "user@api.example.com", "api.example.com?x",
      "api.example.com#x", "api.example.com:", "api.example.com:0", "api.example.com:65536",
      "api.example.com:123456", "api.example.com:-1", "api.example.com:80x", "::1", "[::1", "[]", "[::g]",
      "[::1]x", "a:1:2", "*.example.com", "ex\u00e4mple.com",
  })
  void anInvalidHostIsRefusedWithItsValue(String host) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Route.get("/a").host(host))
        .withMessage("host must be a host such as api.example.com or [::1], optionally with a port in [1, 65535]"
            + " such as api.example.com:8443, but was '" + host + "'");
  }

  @Test
  void theHighestPortIsAllowed() {
    assertThat(Route.onHost("h:65535").matches("GET", URI.create("http://h:65535/"))).isTrue();
    assertThat(Route.onHost("h:1").host()).contains("h:1");
  }
}
