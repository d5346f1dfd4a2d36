package dev.resilienthttp.http.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** White-box: the client's cache of default backend keys gives what {@link Backend#keyOf} gives. */
class BackendKeysTest {

  private final BackendKeys keys = new BackendKeys();

  @Test
  void equalAuthoritiesGetTheSameKeyInstanceWhateverThePathQueryOrUriObject() {
    String first = keys.keyOf(URI.create("https://api.example.com/a?x=1"));
    String second = keys.keyOf(URI.create("https://api.example.com/b/c"));

    assertThat(first).isEqualTo("https://api.example.com:443");
    assertThat(second).as("a hit: no new string").isSameAs(first);
    assertThat(keys.size()).isEqualTo(1);
  }

  @Test
  void distinctPortsSchemesAndHostsGetDistinctKeys() {
    List<String> got = List.of(
        keys.keyOf(URI.create("http://api.example.com/")),
        keys.keyOf(URI.create("http://api.example.com:8080/")),
        keys.keyOf(URI.create("https://api.example.com/")),
        keys.keyOf(URI.create("https://api.example.com:8443/")),
        keys.keyOf(URI.create("http://other.example.com/")));

    assertThat(got).containsExactly(
        "http://api.example.com:80",
        "http://api.example.com:8080",
        "https://api.example.com:443",
        "https://api.example.com:8443",
        "http://other.example.com:80");
    assertThat(keys.keyOf(URI.create("http://api.example.com:8080/again"))).isSameAs(got.get(1));
  }

  @Test
  void everyKeyEqualsWhatBackendKeyOfGivesCaseAndDefaultPortsIncluded() {
    for (String uri : List.of(
        "HTTP://API.Example.COM/x", "http://api.example.com:80/x", "https://[::1]:8443/x",
        "http://127.0.0.1:8080/data", "http:///no-host", "/relative/path", "mailto:someone@example.com")) {
      URI parsed = URI.create(uri);
      assertThat(keys.keyOf(parsed)).as(uri).isEqualTo(Backend.keyOf(parsed));
      assertThat(keys.keyOf(parsed)).as(uri + ", again").isEqualTo(Backend.keyOf(parsed));
    }
  }

  @Test
  void itIsBoundedAndStaysRightWhenAuthoritiesCollide() {
    for (int port = 1; port <= 5_000; port++) {
      URI uri = URI.create("http://host" + (port % 7) + ".example.com:" + port + "/");
      assertThat(keys.keyOf(uri)).isEqualTo(Backend.keyOf(uri));
    }

    assertThat(keys.size()).isLessThanOrEqualTo(BackendKeys.SLOTS);
    assertThat(keys.keyOf(URI.create("http://host1.example.com:1/"))).isEqualTo("http://host1.example.com:1");
  }
}
