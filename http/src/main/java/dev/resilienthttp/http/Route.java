package dev.resilienthttp.http;

import dev.resilienthttp.http.internal.rules.HttpRules;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A method and a path pattern, naming the requests a {@link ResilientHttpClient} gives their own
 * retrier with {@link ResilientHttpClient.Builder#route}.
 *
 * <pre>{@code
 * Route.post("/auth/token").idempotent()   // exact path; its POSTs are safe to repeat
 * Route.get("/users/{id}")                  // template: {id} is one path segment
 * Route.any("/reports/**")                  // prefix: /reports and everything below it
 * Route.get("/v1/**").host("api.example.com") // only requests to that host
 * Route.onHost("auth.example.com:8443")       // every request to that host and port
 * }</pre>
 *
 * <p>A pattern starts with {@code /}. Each segment is matched exactly, except that a segment
 * {@code {name}} matches any one non-empty segment, and a last segment {@code **} matches the
 * path before it and anything below. Paths are compared as sent on the wire (percent-encoded,
 * case-sensitive), without the query. A request's method is compared in upper case.
 *
 * <p>The host is not considered unless the route is scoped to one with {@link #host(String)}:
 * then the request's host must be that host, compared without case, and, if a port was given,
 * its port must be that port (a URI without a port has its scheme's: 80 for http and ws, 443
 * for https and wss).
 *
 * <p>A route marked {@link #idempotent()} declares that its requests are safe to send more than
 * once, so its POSTs and PATCHes are retried on 5xx and on failures after sending, like PUTs (a
 * client-credentials token request is: asking twice for a token harms nothing; a refresh-token
 * request that rotates the refresh token is not).
 *
 * <p>Immutable and thread-safe.
 */
public final class Route {

  /** The method of {@link #any(String)}: matches every method. */
  public static final String ANY_METHOD = "*";

  private final String method;
  private final String pattern;
  private final boolean idempotent;
  /** The pattern's segments; {@code null} for a {@code {name}} segment. */
  private final String[] segments;
  private final boolean prefix;
  /** The host this route is scoped to, in lower case (an IPv6 address in brackets); null: any. */
  private final String host;
  /** The port this route is scoped to; -1: any. */
  private final int port;

  private Route(String method, String pattern, boolean idempotent, String[] segments, boolean prefix,
      String host, int port) {
    this.method = method;
    this.pattern = pattern;
    this.idempotent = idempotent;
    this.segments = segments;
    this.prefix = prefix;
    this.host = host;
    this.port = port;
  }

  /**
   * Returns the route of {@code method} requests whose path matches {@code pattern}.
   *
   * @param method an HTTP method such as {@code GET} (upper case), or {@link #ANY_METHOD}
   * @throws IllegalArgumentException if the method is not an upper-case HTTP token or {@code *},
   *     or the pattern is not valid (see the class description)
   */
  public static Route of(String method, String pattern) {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(pattern, "pattern");
    if (!method.equals(ANY_METHOD) && !HttpRules.Builder.isUpperCaseToken(method)) {
      throw new IllegalArgumentException(
          "method must be an upper-case HTTP method such as GET, or " + ANY_METHOD + ", but was '"
              + method + "'");
    }
    List<String> parsed = new ArrayList<>();
    boolean prefix = parse(pattern, parsed);
    return new Route(method, pattern, false, parsed.toArray(new String[0]), prefix, null, -1);
  }

  /** The route of GET requests matching {@code pattern}; see {@link #of}. */
  public static Route get(String pattern) {
    return of("GET", pattern);
  }

  /** The route of POST requests matching {@code pattern}; see {@link #of}. */
  public static Route post(String pattern) {
    return of("POST", pattern);
  }

  /** The route of PUT requests matching {@code pattern}; see {@link #of}. */
  public static Route put(String pattern) {
    return of("PUT", pattern);
  }

  /** The route of PATCH requests matching {@code pattern}; see {@link #of}. */
  public static Route patch(String pattern) {
    return of("PATCH", pattern);
  }

  /** The route of DELETE requests matching {@code pattern}; see {@link #of}. */
  public static Route delete(String pattern) {
    return of("DELETE", pattern);
  }

  /** The route of requests of every method matching {@code pattern}; see {@link #of}. */
  public static Route any(String pattern) {
    return of(ANY_METHOD, pattern);
  }

  /**
   * Returns this route declaring its requests safe to send more than once: a POST or PATCH on
   * it is retried like a PUT (on 5xx, and after a timeout or reset once sent), as long as its
   * body can be sent again.
   */
  public Route idempotent() {
    return new Route(method, pattern, true, segments, prefix, host, port);
  }

  /**
   * Returns this route scoped to requests to {@code host}: a host name or an IPv4 address, or an
   * IPv6 address in brackets, optionally followed by {@code :port}. Replaces any host this route
   * had.
   *
   * @throws IllegalArgumentException if {@code host} is not such a host, or its port is not in
   *     [1, 65535]
   */
  public Route host(String host) {
    Objects.requireNonNull(host, "host");
    int colon = host.startsWith("[") ? host.indexOf(':', Math.max(host.indexOf(']'), 0)) : host.indexOf(':');
    String name = colon < 0 ? host : host.substring(0, colon);
    int port = -1;
    if (colon >= 0) {
      String digits = host.substring(colon + 1);
      port = digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
          ? 0
          : Integer.parseInt(digits);
      if (port < 1 || port > 65_535) {
        throw invalidHost(host);
      }
    }
    if (!isHostName(name)) {
      throw invalidHost(host);
    }
    return new Route(method, pattern, idempotent, segments, prefix, name.toLowerCase(Locale.ROOT), port);
  }

  /**
   * The route of every request, of any method and path, to {@code host}: {@code
   * any("/**").host(host)}.
   *
   * @throws IllegalArgumentException as {@link #host(String)}
   */
  public static Route onHost(String host) {
    return any("/**").host(host);
  }

  /** The method this route matches, or {@link #ANY_METHOD}. */
  public String method() {
    return method;
  }

  /** The path pattern, as given. */
  public String pattern() {
    return pattern;
  }

  /** Whether this route declares its requests safe to send more than once. */
  public boolean isIdempotent() {
    return idempotent;
  }

  /** The host this route is scoped to, in lower case, with {@code :port} if it has one; empty: any. */
  public Optional<String> host() {
    return host == null ? Optional.empty() : Optional.of(port < 0 ? host : host + ":" + port);
  }

  /** Whether a request of {@code method} to {@code uri} is on this route. */
  public boolean matches(String method, URI uri) {
    if (!this.method.equals(ANY_METHOD) && !this.method.equalsIgnoreCase(method)) {
      return false;
    }
    if (host != null && !matchesHost(uri)) {
      return false;
    }
    String path = uri.getRawPath();
    return matchesPath(path == null || path.isEmpty() ? "/" : path);
  }

  private boolean matchesHost(URI uri) {
    String requested = uri.getHost();
    int requestedPort = uri.getPort();
    if (requested == null) {
      // java.net.URI leaves the host of a name with '_' unparsed: read the authority instead.
      String authority = uri.getRawAuthority();
      if (authority == null) {
        return false;
      }
      int start = authority.lastIndexOf('@') + 1;
      int colon = authority.indexOf(':', start);
      int end = colon < 0 ? authority.length() : colon;
      if (end - start != host.length() || !authority.regionMatches(true, start, host, 0, host.length())) {
        return false;
      }
      requestedPort = colon < 0 ? -1 : portOf(authority, colon + 1);
    } else if (!requested.equalsIgnoreCase(host)) {
      return false;
    }
    if (port < 0) {
      return true;
    }
    if (requestedPort < 0) {
      // No port in the URI: its scheme's default one is what the request goes to.
      String scheme = uri.getScheme();
      requestedPort = "https".equalsIgnoreCase(scheme) || "wss".equalsIgnoreCase(scheme) ? 443
          : "http".equalsIgnoreCase(scheme) || "ws".equalsIgnoreCase(scheme) ? 80
          : -1;
    }
    return requestedPort == port;
  }

  /** The decimal port from {@code from} to the end of {@code authority}; -2 if not one. */
  private static int portOf(String authority, int from) {
    int value = 0;
    if (from == authority.length() || authority.length() - from > 5) {
      return -2;
    }
    for (int i = from; i < authority.length(); i++) {
      char c = authority.charAt(i);
      if (c < '0' || c > '9') {
        return -2;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  /* A registered name or IPv4 address (letters, digits, '-', '.', '_'), or an IPv6 address in
   * brackets; nothing that could hide a path, user info or a second host. */
  private static boolean isHostName(String name) {
    if (name.length() > 2 && name.startsWith("[") && name.endsWith("]")) {
      return name.substring(1, name.length() - 1).chars()
          .allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.');
    }
    return !name.isEmpty() && name.chars()
        .allMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_');
  }

  private static IllegalArgumentException invalidHost(String host) {
    return new IllegalArgumentException(
        "host must be a host such as api.example.com or [::1], optionally with a port in [1, 65535]"
            + " such as api.example.com:8443, but was '" + host + "'");
  }

  private boolean matchesPath(String path) {
    if (segments.length == 0) {
      return prefix || path.equals("/");
    }
    // Walks the path's segments without splitting it into an array: no allocation per call.
    int position = 1; // after the leading '/'
    int length = path.length();
    for (int i = 0; i < segments.length; i++) {
      if (position > length) {
        return false;
      }
      int end = path.indexOf('/', position);
      if (end < 0) {
        end = length;
      }
      String literal = segments[i];
      if (literal == null) {
        if (end == position) {
          return false; // a template matches a non-empty segment only
        }
      } else if (end - position != literal.length() || !path.startsWith(literal, position)) {
        return false;
      }
      position = end + 1;
    }
    if (prefix) {
      return true;
    }
    return position == length + 1;
  }

  private static boolean parse(String pattern, List<String> segments) {
    if (!pattern.startsWith("/") || pattern.indexOf('?') >= 0 || pattern.indexOf('#') >= 0) {
      throw invalid(pattern, "it must start with '/' and have no query or fragment");
    }
    if (pattern.equals("/")) {
      return false;
    }
    String[] parts = pattern.substring(1).split("/", -1);
    boolean prefix = false;
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      if (part.equals("**")) {
        if (i != parts.length - 1) {
          throw invalid(pattern, "'**' may only be its last segment");
        }
        prefix = true;
      } else if (part.startsWith("{") && part.endsWith("}") && part.length() > 2
          && part.indexOf('{', 1) < 0 && part.indexOf('}') == part.length() - 1) {
        segments.add(null);
      } else if (part.isEmpty() && i == parts.length - 1 && parts.length > 1) {
        segments.add(""); // a trailing slash is matched exactly
      } else if (part.isEmpty() || part.indexOf('{') >= 0 || part.indexOf('}') >= 0
          || part.indexOf('*') >= 0) {
        throw invalid(pattern, "each segment must be a literal, a {name} or a last '**'");
      } else {
        segments.add(part);
      }
    }
    return prefix;
  }

  private static IllegalArgumentException invalid(String pattern, String why) {
    return new IllegalArgumentException(
        "pattern must be a path such as /auth/token, /users/{id} or /reports/** but was '"
            + pattern + "': " + why);
  }


  /** Same method, pattern, idempotence and host. */
  @Override
  public boolean equals(Object other) {
    return other instanceof Route
        && ((Route) other).method.equals(method)
        && ((Route) other).pattern.equals(pattern)
        && ((Route) other).idempotent == idempotent
        && Objects.equals(((Route) other).host, host)
        && ((Route) other).port == port;
  }

  @Override
  public int hashCode() {
    return Objects.hash(method, pattern, idempotent, host, port);
  }

  /** {@code POST /auth/token (idempotent)}, or {@code POST /auth/token on auth.example.com:8443 (idempotent)}. */
  @Override
  public String toString() {
    return (method.equals(ANY_METHOD) ? "ANY" : method) + " " + pattern
        + (host == null ? "" : " on " + host().get())
        + (idempotent ? " (idempotent)" : "");
  }
}
