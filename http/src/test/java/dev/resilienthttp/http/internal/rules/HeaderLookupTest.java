package dev.resilienthttp.http.internal.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The neutral header lookup over a map. */
class HeaderLookupTest {

  @Test
  void namesAreComparedWithoutCase() {
    HeaderLookup headers = HeaderLookup.of(Map.of("Retry-After", List.of("5")));

    assertThat(headers.values("retry-after")).containsExactly("5");
    assertThat(headers.values("RETRY-AFTER")).containsExactly("5");
    assertThat(headers.values("Date")).isEmpty();
  }

  @Test
  void namesDifferingOnlyInCaseAreMergedInOrder() {
    Map<String, List<String>> map = new LinkedHashMap<>();
    map.put("set-cookie", List.of("a=1"));
    map.put("Set-Cookie", List.of("b=2", "c=3"));

    assertThat(HeaderLookup.of(map).values("SET-COOKIE")).containsExactly("a=1", "b=2", "c=3");
  }

  @Test
  void theMapIsCopiedAndANullNameSkipped() {
    Map<String, List<String>> map = new HashMap<>();
    List<String> values = new ArrayList<>(List.of("1"));
    map.put("X", values);
    map.put(null, List.of("HTTP/1.1 200 OK"));
    HeaderLookup headers = HeaderLookup.of(map);

    values.add("2");
    map.put("Y", List.of("3"));

    assertThat(headers.values("x")).containsExactly("1");
    assertThat(headers.values("y")).isEmpty();
  }

  @Test
  void noneHasNoValuesAndNullsAreRefused() {
    assertThat(HeaderLookup.NONE.values("Retry-After")).isEmpty();
    assertThatNullPointerException().isThrownBy(() -> HeaderLookup.of(null));
    Map<String, List<String>> nullValues = new HashMap<>();
    nullValues.put("X", null);
    assertThatNullPointerException().isThrownBy(() -> HeaderLookup.of(nullValues));
  }
}
