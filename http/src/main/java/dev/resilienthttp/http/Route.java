package dev.resilienthttp.http;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A method and a path pattern, naming the requests a {@link ResilientHttpClient} gives their own
 * retrier with {@link ResilientHttpClient.Builder#route}.
 *
 * <pre>{@code
 * Route.post("/auth/token").idempotent()   // exact path; its POSTs are safe to repeat
 * Route.get("/users/{id}")                  // template: {id} is one path segment
 * Route.any("/reports/**")                  // prefix: /reports and everything below it
 * }</pre>
 *
 * <p>A pattern starts with {@code /}. Each segment is matched exactly, except that a segment
 * {@code {name}} matches any one non-empty segment, and a last segment {@code **} matches the
 * path before it and anything below. Paths are compared as sent on the wire (percent-encoded,
 * case-sensitive), without the query; the host is not considered. A request's method is
 * compared in upper case.
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

  private Route(String method, String pattern, boolean idempotent, String[] segments, boolean prefix) {
    this.method = method;
    this.pattern = pattern;
    this.idempotent = idempotent;
    this.segments = segments;
    this.prefix = prefix;
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
    if (!method.equals(ANY_METHOD) && !isUpperCaseToken(method)) {
      throw new IllegalArgumentException(
          "method must be an upper-case HTTP method such as GET, or " + ANY_METHOD + ", but was '"
              + method + "'");
    }
    List<String> parsed = new ArrayList<>();
    boolean prefix = parse(pattern, parsed);
    return new Route(method, pattern, false, parsed.toArray(new String[0]), prefix);
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
    return new Route(method, pattern, true, segments, prefix);
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

  /** Whether a request of {@code method} to {@code uri} is on this route. */
  public boolean matches(String method, URI uri) {
    if (!this.method.equals(ANY_METHOD) && !this.method.equalsIgnoreCase(method)) {
      return false;
    }
    String path = uri.getRawPath();
    return matchesPath(path == null || path.isEmpty() ? "/" : path);
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

  private static boolean isUpperCaseToken(String method) {
    if (method.isEmpty()) {
      return false;
    }
    for (int i = 0; i < method.length(); i++) {
      char c = method.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return method.equals(method.toUpperCase(Locale.ROOT));
  }

  /** Same method, pattern and idempotence. */
  @Override
  public boolean equals(Object other) {
    return other instanceof Route
        && ((Route) other).method.equals(method)
        && ((Route) other).pattern.equals(pattern)
        && ((Route) other).idempotent == idempotent;
  }

  @Override
  public int hashCode() {
    return (method.hashCode() * 31 + pattern.hashCode()) * 31 + Boolean.hashCode(idempotent);
  }

  /** {@code POST /auth/token (idempotent)}. */
  @Override
  public String toString() {
    return (method.equals(ANY_METHOD) ? "ANY" : method) + " " + pattern + (idempotent ? " (idempotent)" : "");
  }
}
