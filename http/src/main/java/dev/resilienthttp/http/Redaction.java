package dev.resilienthttp.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;

/** Removes credentials from what the library prints: user info and token-like query parameters. */
final class Redaction {

  static final String MASK = "REDACTED";

  /** Query parameter names whose values are secrets, compared without case. */
  static final Set<String> SECRET_PARAMETERS =
      Set.of("access_token", "token", "api_key", "apikey", "key", "password", "secret",
          "client_secret", "sig", "signature");

  private Redaction() {}

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
