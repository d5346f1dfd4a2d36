package dev.resilienthttp.http.internal.rules;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The values of a header field of a request or response, as the transport holds them: the rules
 * read headers only through this, so they never see a transport's header type.
 *
 * <pre>{@code
 * HeaderLookup jdk = response.headers()::allValues;   // java.net.http
 * HeaderLookup okhttp = response.headers()::values;     // OkHttp
 * }</pre>
 *
 * <p>Contract of {@link #values}: the values of every field named {@code name}, compared without
 * case (the transport's job), in the order received, one element per field line; an empty list
 * when there is none. A lookup that returns {@code null} is read as an empty list by the rules.
 */
@FunctionalInterface
public interface HeaderLookup {

  /** No headers at all. */
  HeaderLookup NONE = name -> List.of();

  /** The values of the fields named {@code name} (without case), or an empty list. */
  List<String> values(String name);

  /**
   * A lookup over {@code headers}, its names compared without case; names differing only in case
   * are merged in iteration order. The map is copied: later changes to it are not seen.
   *
   * <p>A {@code null} name is skipped (HttpURLConnection keys its status line so).
   *
   * @throws NullPointerException if {@code headers}, a value list or a value is {@code null}
   */
  static HeaderLookup of(Map<String, List<String>> headers) {
    Objects.requireNonNull(headers, "headers");
    TreeMap<String, List<String>> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (Map.Entry<String, List<String>> field : headers.entrySet()) {
      if (field.getKey() == null) {
        continue;
      }
      List<String> values = List.copyOf(Objects.requireNonNull(field.getValue(), field.getKey()));
      List<String> merged = byName.get(field.getKey());
      if (merged == null) {
        byName.put(field.getKey(), values);
      } else {
        List<String> both = new ArrayList<>(merged);
        both.addAll(values);
        byName.put(field.getKey(), List.copyOf(both));
      }
    }
    // Read-only after construction: safe to share between threads.
    Map<String, List<String>> frozen = Collections.unmodifiableMap(byName);
    return name -> frozen.getOrDefault(name, List.of());
  }
}
