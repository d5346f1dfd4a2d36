package dev.resilienthttp.http.internal.rules;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes credentials from what the library prints, throws or hands to listeners; each secret
 * value becomes {@value #MASK}.
 *
 * <p><b>Names.</b> A name is compared after percent-decoding ({@code access%5Ftoken}), ignoring
 * case and the separators {@code _ - .} (so {@code access_token}, {@code accessToken} and {@code
 * ACCESS-TOKEN} are one name); a dotted name ({@code db.password}) is also compared by its last
 * part. Secret parameters: access_token, refresh_token, id_token, token, api_key, apikey, key,
 * password, secret, client_secret, client_assertion, code, sig, signature, X-Amz-Signature,
 * X-Amz-Security-Token, X-Amz-Credential, X-Goog-Signature, X-Goog-Credential, GoogleAccessId,
 * AWSAccessKeyId, and also assertion, subject_token, actor_token, device_code, auth_token,
 * session_token, access_key, secret_key, private_key, credential, passwd, pwd, jsessionid.
 * Credential headers: see {@link #isCredentialHeader}.
 *
 * <p><b>URIs</b> ({@link #uri}, {@link #redactedUri}): the user info; the value of every secret
 * parameter in the query, in the fragment ({@code #access_token=...}) and among path parameters
 * ({@code ;jsessionid=...}); and the whole value of any other parameter whose decoded value
 * {@link #text} would change (a redirect URI carrying a {@code code}). Everything else is kept as
 * sent, percent-encoding included.
 *
 * <p><b>Free text</b> ({@link #text}): the user info of URLs; {@code name=value} and {@code
 * name: value} pairs of secret names, bare or quoted as in JSON ({@code "refresh_token" :
 * "..."}), form bodies ({@code a=1&client_secret=...}) and Java's map printing ({@code
 * Cookie=[...]}); a credential header written {@code Name: value} to the end of its line;
 * credentials after {@code Bearer}, {@code Basic}, {@code Negotiate}, {@code NTLM} and {@code
 * DPoP}; JSON Web Tokens and AWS access key ids wherever they stand. The words key, code, sig and
 * signature, common in prose ("status code: 503"), count before a colon only as a quoted name with
 * a quoted value.
 *
 * <p>Stateless and thread-safe. Not for the hot path: it runs when something is printed.
 */
public final class Redaction {

  /** What every secret value is replaced with. */
  public static final String MASK = "REDACTED";

  /** Secret parameter names, canonical: lower case, without {@code _ - .}. */
  private static final Set<String> SECRET_NAMES = Set.of(
      "accesstoken", "refreshtoken", "idtoken", "token", "apikey", "key", "password", "secret",
      "clientsecret", "clientassertion", "code", "sig", "signature", "xamzsignature",
      "xamzsecuritytoken", "xamzcredential", "xgoogsignature", "xgoogcredential", "googleaccessid",
      "awsaccesskeyid", "assertion", "subjecttoken", "actortoken", "devicecode", "authtoken",
      "sessiontoken", "accesskey", "secretkey", "privatekey", "credential", "passwd", "pwd",
      "jsessionid");

  /** Secret names that are also common words: before a colon they need quotes on both sides. */
  private static final Set<String> AMBIGUOUS_NAMES = Set.of("key", "code", "sig", "signature");

  /** Credential header names, canonical. */
  private static final Set<String> CREDENTIAL_HEADERS = Set.of(
      "authorization", "proxyauthorization", "cookie", "setcookie", "setcookie2",
      "xamzsecuritytoken", "xapikey", "xauthtoken", "xgoogapikey", "apikey", "xaccesstoken",
      "xrefreshtoken", "xcsrftoken", "xxsrftoken", "privatetoken", "xvaulttoken");

  /** Parts that make any header name a credential header, canonical. */
  private static final String[] CREDENTIAL_HEADER_PARTS = {"token", "secret", "password", "apikey", "credential"};

  /* scheme://userinfo@ in a URL written in text. */
  private static final Pattern URL_USER_INFO =
      Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^\\s/?#@\"'<>]+@");
  /* A name followed by = or :, the name bare or quoted ("x", 'x', or \"x\" inside a string). */
  private static final Pattern PAIR = Pattern.compile(
      "(?<![A-Za-z0-9_.%\\\\-])(\\\\?[\"']?)([A-Za-z0-9_.%-]{1,100})\\1[ \\t]*([=:])[ \\t]*");
  /* A credential after an authentication scheme (RFC 9110 §11.4: token68). */
  private static final Pattern SCHEME_CREDENTIALS =
      Pattern.compile("(?i)\\b(Bearer|Basic|Negotiate|NTLM|DPoP)([ \\t]+)[A-Za-z0-9._~+/-]+=*");
  /* A JSON Web Token (header.payload.signature, base64url), or an AWS access key id. */
  private static final Pattern BARE_TOKENS = Pattern.compile(
      "\\beyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*|\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b");

  private Redaction() {}

  // ---- URIs ------------------------------------------------------------------------------

  /** {@code uri} as text with its credentials masked (see the class description); "null" for null. */
  public static String uri(URI uri) {
    if (uri == null) {
      return "null";
    }
    String authority = uri.getRawAuthority();
    String path = uri.getRawPath();
    if (uri.getRawQuery() == null && uri.getRawFragment() == null
        && (authority == null || authority.indexOf('@') < 0) && (path == null || path.indexOf(';') < 0)
        && !uri.isOpaque()) {
      return uri.toString(); // nothing that can hold a credential
    }
    StringBuilder out = new StringBuilder(uri.toString().length() + 16);
    if (uri.getScheme() != null) {
      out.append(uri.getScheme()).append(':');
    }
    if (uri.isOpaque()) {
      out.append(text(uri.getRawSchemeSpecificPart()));
    } else {
      if (authority != null) {
        int at = authority.lastIndexOf('@');
        out.append("//").append(at < 0 ? authority : MASK + authority.substring(at));
      }
      if (path != null) {
        out.append(path.indexOf(';') < 0 ? path : pathParameters(path));
      }
      if (uri.getRawQuery() != null) {
        out.append('?').append(pairs(uri.getRawQuery(), '&'));
      }
    }
    if (uri.getRawFragment() != null) {
      out.append('#').append(pairs(uri.getRawFragment(), '&'));
    }
    return out.toString();
  }

  /**
   * {@code uri} with its credentials masked; the same instance when it holds none; {@code null}
   * for null. A URI whose masked text would not parse becomes {@code scheme://REDACTED}.
   */
  public static URI redactedUri(URI uri) {
    if (uri == null) {
      return null;
    }
    String masked = uri(uri);
    if (masked.equals(uri.toString())) {
      return uri;
    }
    try {
      return URI.create(masked);
    } catch (IllegalArgumentException unparsable) {
      return URI.create((uri.getScheme() == null ? "" : uri.getScheme() + ":") + "//" + MASK);
    }
  }

  /** Masks the values in {@code name=value} pairs separated by {@code separator}. */
  private static String pairs(String raw, char separator) {
    StringBuilder out = new StringBuilder(raw.length());
    int start = 0;
    while (start <= raw.length()) {
      int end = raw.indexOf(separator, start);
      if (end < 0) {
        end = raw.length();
      }
      if (start > 0) {
        out.append(separator);
      }
      int equals = raw.indexOf('=', start);
      if (equals < 0 || equals >= end) {
        out.append(raw, start, end); // a name without a value
      } else if (isSecretParameter(raw.substring(start, equals))) {
        out.append(raw, start, equals + 1).append(MASK);
      } else if (hidesSecret(raw.substring(equals + 1, end))) {
        out.append(raw, start, equals + 1).append(MASK); // e.g. a redirect URI carrying a code
      } else {
        out.append(raw, start, end);
      }
      start = end + 1;
    }
    return out.toString();
  }

  /** Whether a raw parameter value, once decoded, holds something {@link #text} masks. */
  private static boolean hidesSecret(String rawValue) {
    String decoded = percentDecode(rawValue.replace('+', ' '));
    return !text(decoded).equals(decoded);
  }

  /** Masks secret path parameters: {@code /a;jsessionid=X/b}. */
  private static String pathParameters(String rawPath) {
    StringBuilder out = new StringBuilder(rawPath.length());
    int start = 0;
    while (start <= rawPath.length()) {
      int end = rawPath.indexOf('/', start);
      if (end < 0) {
        end = rawPath.length();
      }
      if (start > 0) {
        out.append('/');
      }
      String segment = rawPath.substring(start, end);
      int semicolon = segment.indexOf(';');
      if (semicolon < 0) {
        out.append(segment);
      } else {
        out.append(segment, 0, semicolon + 1).append(pairs(segment.substring(semicolon + 1), ';'));
      }
      start = end + 1;
    }
    return out.toString();
  }

  // ---- names and headers -------------------------------------------------------------------

  /** Whether {@code name} (raw or percent-encoded) names a secret parameter. */
  public static boolean isSecretParameter(String name) {
    String canonical = canonical(percentDecode(name));
    if (SECRET_NAMES.contains(canonical)) {
      return true;
    }
    int dot = name.lastIndexOf('.');
    return dot >= 0 && SECRET_NAMES.contains(canonical(percentDecode(name.substring(dot + 1))));
  }

  /**
   * Whether the values of header {@code name} are credentials: Authorization,
   * Proxy-Authorization, Cookie, Set-Cookie, Set-Cookie2, X-Amz-Security-Token, X-Api-Key,
   * X-Auth-Token, X-Goog-Api-Key, Api-Key, X-Access-Token, X-Refresh-Token, X-CSRF-Token,
   * X-XSRF-Token, Private-Token, X-Vault-Token, and any name holding token, secret, password,
   * api-key or credential, all compared without case or {@code _ - .}.
   */
  public static boolean isCredentialHeader(String name) {
    String canonical = canonical(name);
    if (CREDENTIAL_HEADERS.contains(canonical)) {
      return true;
    }
    for (String part : CREDENTIAL_HEADER_PARTS) {
      if (canonical.contains(part)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The values of header {@code name} fit to print: all masked for a credential header, else each
   * passed through {@link #text} (a Location may carry a code). The same list if nothing changed.
   */
  public static List<String> headerValues(String name, List<String> values) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(values, "values");
    if (isCredentialHeader(name)) {
      return Collections.nCopies(values.size(), MASK);
    }
    List<String> masked = null;
    for (int i = 0; i < values.size(); i++) {
      String value = values.get(i);
      String safe = value == null ? null : text(value);
      if (masked == null && !Objects.equals(safe, value)) {
        masked = new ArrayList<>(values.subList(0, i));
      }
      if (masked != null) {
        masked.add(safe);
      }
    }
    return masked == null ? values : Collections.unmodifiableList(masked);
  }

  // ---- free text ---------------------------------------------------------------------------

  /** {@code text} with credentials masked (see the class description); {@code null} for null. */
  public static String text(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String masked = URL_USER_INFO.matcher(text).replaceAll("$1" + MASK + "@");
    masked = pairsInText(masked);
    masked = SCHEME_CREDENTIALS.matcher(masked).replaceAll("$1$2" + MASK);
    return BARE_TOKENS.matcher(masked).replaceAll(MASK);
  }

  private static String pairsInText(String text) {
    Matcher pair = PAIR.matcher(text);
    StringBuilder out = null;
    int copied = 0;
    int from = 0;
    while (from < text.length() && pair.find(from)) {
      String name = pair.group(2);
      boolean quoted = !pair.group(1).isEmpty();
      boolean colon = pair.group(3).equals(":");
      int start = pair.end();
      from = pair.end(2);
      // A header line (Name: value) by any credential header name; other forms by the listed
      // names only, so that token_type=bearer stays readable.
      boolean header = colon && !quoted && isCredentialHeader(name);
      if (!header && !isSecretParameter(name) && !CREDENTIAL_HEADERS.contains(canonical(percentDecode(name)))) {
        continue;
      }
      if (!header && colon && AMBIGUOUS_NAMES.contains(canonical(percentDecode(name)))
          && !(quoted && startsQuoted(text, start))) {
        continue; // "status code: 503" is prose, not a secret
      }
      int[] value = valueAt(text, start, header);
      if (value[1] <= value[0] || (value[1] - value[0] == MASK.length() && text.startsWith(MASK, value[0]))) {
        continue; // empty, or masked already
      }
      if (out == null) {
        out = new StringBuilder(text.length());
      }
      out.append(text, copied, value[0]).append(MASK);
      copied = value[1];
      from = Math.max(value[1], start);
    }
    return out == null ? text : out.append(text, copied, text.length()).toString();
  }

  /** Where the value starting at {@code start} lies: {start, end}, without its quotes or brackets. */
  private static int[] valueAt(String text, int start, boolean toEndOfLine) {
    int length = text.length();
    if (start >= length) {
      return new int[] {start, start};
    }
    char first = text.charAt(start);
    if (first == '\\' && start + 1 < length && isQuote(text.charAt(start + 1))) {
      // \"value\" inside a quoted string: up to the next escaped quote.
      String close = text.substring(start, start + 2);
      int end = text.indexOf(close, start + 2);
      return new int[] {start + 2, end < 0 ? length : end};
    }
    if (isQuote(first)) {
      int end = start + 1;
      while (end < length && text.charAt(end) != first) {
        end += text.charAt(end) == '\\' ? 2 : 1;
      }
      return new int[] {start + 1, Math.min(end, length)};
    }
    if (first == '[' || first == '{') {
      char close = first == '[' ? ']' : '}';
      int depth = 0;
      for (int end = start; end < length; end++) {
        char c = text.charAt(end);
        if (c == first) {
          depth++;
        } else if (c == close && --depth == 0) {
          return new int[] {start + 1, end};
        }
      }
      return new int[] {start + 1, length};
    }
    int end = start;
    while (end < length && !endsValue(text.charAt(end), toEndOfLine)) {
      end++;
    }
    return new int[] {start, end};
  }

  private static boolean endsValue(char c, boolean toEndOfLine) {
    if (toEndOfLine) {
      return c == '\r' || c == '\n'; // a header's value runs to the end of its line
    }
    return Character.isWhitespace(c) || "&;,\"')]}<>#|".indexOf(c) >= 0;
  }

  /** Whether a quote, or an escaped quote, stands at {@code at}. */
  private static boolean startsQuoted(String text, int at) {
    return at < text.length() && (isQuote(text.charAt(at))
        || (text.charAt(at) == '\\' && at + 1 < text.length() && isQuote(text.charAt(at + 1))));
  }

  private static boolean isQuote(char c) {
    return c == '"' || c == '\'';
  }

  /** Lower case, without {@code _ - .}: one spelling for access_token, accessToken, Access-Token. */
  private static String canonical(String name) {
    StringBuilder out = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c != '_' && c != '-' && c != '.') {
        out.append(c);
      }
    }
    return out.toString().toLowerCase(Locale.ROOT);
  }

  /** Decodes {@code %XX} as UTF-8; a malformed escape is kept as written. */
  static String percentDecode(String raw) {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    StringBuilder out = new StringBuilder(raw.length());
    ByteArrayOutputStream run = new ByteArrayOutputStream();
    int i = 0;
    while (i < raw.length()) {
      int high = raw.charAt(i) == '%' && i + 2 < raw.length() ? hex(raw.charAt(i + 1)) : -1;
      int low = high >= 0 ? hex(raw.charAt(i + 2)) : -1;
      if (low >= 0) {
        run.write(high * 16 + low); // consecutive escapes form one UTF-8 sequence
        i += 3;
        continue;
      }
      if (run.size() > 0) {
        out.append(run.toString(StandardCharsets.UTF_8));
        run.reset();
      }
      out.append(raw.charAt(i++));
    }
    return out.append(run.toString(StandardCharsets.UTF_8)).toString();
  }

  private static int hex(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
  }
}
