package dev.resilienthttp.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Removes credentials from what the library prints or hands to listeners: user info, token-like
 * query parameters, the values of credential headers, and bearer or basic credentials in text.
 */
final class Redaction {

  static final String MASK = "REDACTED";

  /** Query parameter names whose values are secrets, compared without case. */
  static final Set<String> SECRET_PARAMETERS =
      Set.of("access_token", "token", "api_key", "apikey", "key", "password", "secret",
          "client_secret", "sig", "signature");

  /** Header names whose values are credentials, in lower case. */
  static final Set<String> SECRET_HEADERS =
      Set.of("authorization", "proxy-authorization", "cookie", "set-cookie");

  /* name=value for a secret parameter name, in a URI or in free text; the value runs to the next
   * separator. Case-insensitive, like the parameter names. */
  private static final Pattern SECRET_ASSIGNMENT =
      Pattern.compile("(?i)(?<![A-Za-z0-9_])(access_token|client_secret|api_key|apikey|password|"
          + "secret|signature|sig|token|key)=[^&\\s\"',;)]+");
  /* A credential after an auth scheme, as in an Authorization header quoted in a message. */
  private static final Pattern SCHEME_CREDENTIALS =
      Pattern.compile("(?i)\\b(Bearer|Basic)\\s+[A-Za-z0-9._~+/=-]+");

  private Redaction() {}

  /**
   * Masks credentials in {@code text} written by someone else (an exception message): the
   * values of secret parameters ({@code token=...}) and bearer or basic credentials.
   */
  static String text(String text) {
    if (text == null) {
      return null;
    }
    String masked = SECRET_ASSIGNMENT.matcher(text).replaceAll("$1=" + MASK);
    return SCHEME_CREDENTIALS.matcher(masked).replaceAll("$1 " + MASK);
  }

  /** Returns {@code headers} with the values of credential headers masked. */
  static HttpHeaders headers(HttpHeaders headers) {
    boolean secret = headers.map().keySet().stream()
        .anyMatch(name -> SECRET_HEADERS.contains(name.toLowerCase(Locale.ROOT)));
    if (!secret) {
      return headers;
    }
    java.util.Map<String, List<String>> masked = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.map().forEach((name, values) -> masked.put(name,
        SECRET_HEADERS.contains(name.toLowerCase(Locale.ROOT))
            ? java.util.Collections.nCopies(values.size(), MASK)
            : values));
    return HttpHeaders.of(masked, (name, value) -> true);
  }

  /** Returns {@code uri} with its user info and the values of secret query parameters masked. */
  static URI uri(URI uri) {
    if (uri == null) {
      return null;
    }
    String query = uri.getRawQuery();
    String userInfo = uri.getRawUserInfo();
    if (query == null && userInfo == null) {
      return uri;
    }
    StringBuilder out = new StringBuilder();
    if (uri.getScheme() != null) {
      out.append(uri.getScheme()).append(':');
    }
    if (uri.getHost() != null) {
      out.append("//");
      if (userInfo != null) {
        out.append(MASK).append('@');
      }
      out.append(uri.getHost());
      if (uri.getPort() != -1) {
        out.append(':').append(uri.getPort());
      }
    }
    if (uri.getRawPath() != null) {
      out.append(uri.getRawPath());
    }
    if (query != null) {
      out.append('?').append(query(query));
    }
    try {
      return new URI(out.toString());
    } catch (URISyntaxException e) {
      return URI.create((uri.getScheme() == null ? "" : uri.getScheme() + ":") + "//" + MASK);
    }
  }

  /** Masks the values of secret parameters in a raw query string. */
  static String query(String rawQuery) {
    StringBuilder out = new StringBuilder(rawQuery.length());
    for (String pair : rawQuery.split("&", -1)) {
      if (out.length() > 0) {
        out.append('&');
      }
      int equals = pair.indexOf('=');
      String name = equals < 0 ? pair : pair.substring(0, equals);
      if (equals >= 0 && SECRET_PARAMETERS.contains(name.toLowerCase(Locale.ROOT))) {
        out.append(name).append('=').append(MASK);
      } else {
        out.append(pair);
      }
    }
    return out.toString();
  }
}
