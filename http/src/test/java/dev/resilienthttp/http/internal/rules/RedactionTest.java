package dev.resilienthttp.http.internal.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A known secret sent through every form a credential takes: none of it survives. */
class RedactionTest {

  private static final String SECRET = "hunter2";

  /** The names the brief lists, as a caller would spell them. */
  static Stream<String> secretNames() {
    return Stream.of("access_token", "refresh_token", "id_token", "token", "api_key", "apikey", "key",
        "password", "secret", "client_secret", "client_assertion", "code", "sig", "signature",
        "X-Amz-Signature", "X-Amz-Security-Token", "X-Amz-Credential", "X-Goog-Signature",
        "X-Goog-Credential", "GoogleAccessId", "AWSAccessKeyId", "Signature", "assertion",
        "subject_token", "device_code", "jsessionid");
  }

  private static void assertMasked(String printed) {
    assertThat(printed).contains(Redaction.MASK).doesNotContain("hunter").doesNotContain("unter2");
  }

  // ---- URIs ------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @MethodSource("secretNames")
  void everySecretQueryParameterIsMaskedWhateverItsCase(String name) {
    for (String spelling : List.of(name, name.toUpperCase(), name.toLowerCase())) {
      URI uri = URI.create("https://api.example.com/v1/x?page=2&" + spelling + "=" + SECRET + "&size=10");

      assertThat(Redaction.uri(uri))
          .isEqualTo("https://api.example.com/v1/x?page=2&" + spelling + "=REDACTED&size=10");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("secretNames")
  void aPercentEncodedSecretNameIsDecodedBeforeComparing(String name) {
    String encoded = "%" + Integer.toHexString(name.charAt(0)).toUpperCase() + name.substring(1).replace("_", "%5F");
    URI uri = URI.create("https://h/x?" + encoded + "=" + SECRET);

    assertThat(Redaction.uri(uri)).isEqualTo("https://h/x?" + encoded + "=REDACTED");
    assertThat(Redaction.isSecretParameter(encoded)).isTrue();
  }

  @Test
  void theBriefsExampleOfAnEncodedNameIsMasked() {
    assertThat(Redaction.uri(URI.create("https://h/cb?access%5Ftoken=hunter2&x=1")))
        .isEqualTo("https://h/cb?access%5Ftoken=REDACTED&x=1");
    assertThat(Redaction.uri(URI.create("https://h/cb?access%5ftoken=hunter2")))
        .isEqualTo("https://h/cb?access%5ftoken=REDACTED");
  }

  @Test
  void userInfoIsMaskedAndTheRestKeptAsSent() {
    assertThat(Redaction.uri(URI.create("https://bob:hunter2@api.example.com:8443/a%20b/c?q=x%20y#top")))
        .isEqualTo("https://REDACTED@api.example.com:8443/a%20b/c?q=x%20y#top");
    assertThat(Redaction.uri(URI.create("http://hunter2@[::1]:8080/x?token=hunter2")))
        .isEqualTo("http://REDACTED@[::1]:8080/x?token=REDACTED");
  }

  @Test
  void theFragmentAndPathParametersAreMaskedToo() {
    assertThat(Redaction.uri(URI.create("https://app.example.com/cb#access_token=hunter2&token_type=bearer&state=s1")))
        .isEqualTo("https://app.example.com/cb#access_token=REDACTED&token_type=bearer&state=s1");
    assertThat(Redaction.uri(URI.create("https://h/shop;jsessionid=hunter2/cart;v=2?x=1")))
        .isEqualTo("https://h/shop;jsessionid=REDACTED/cart;v=2?x=1");
  }

  @Test
  void anotherParameterCarryingASecretIsMaskedWhole() {
    URI uri = URI.create("https://auth.example.com/authorize?redirect_uri="
        + "https%3A%2F%2Fapp.example.com%2Fcb%3Fcode%3Dhunter2&state=s1&next=/x?token=hunter2");

    assertThat(Redaction.uri(uri))
        .isEqualTo("https://auth.example.com/authorize?redirect_uri=REDACTED&state=s1&next=REDACTED");
  }

  @Test
  void nonSecretNamesAreKept() {
    String kept = "https://h/x?monkey=banana&token_type=bearer&client_id=app&key_id=7&state=s&grant_type=refresh_token&q";

    assertThat(Redaction.uri(URI.create(kept))).isEqualTo(kept);
  }

  @Test
  void redactedUriIsAUriAndTheSameInstanceWhenNothingIsSecret() {
    URI plain = URI.create("https://h/x?page=2#frag");
    URI secret = URI.create("https://u:hunter2@h/x?sig=hunter2");

    assertThat(Redaction.redactedUri(plain)).isSameAs(plain);
    assertThat(Redaction.redactedUri(secret)).isEqualTo(URI.create("https://REDACTED@h/x?sig=REDACTED"));
    assertThat(Redaction.redactedUri(null)).isNull();
    assertThat(Redaction.uri(null)).isEqualTo("null");
    assertThat(Redaction.uri(URI.create("/relative?token=hunter2"))).isEqualTo("/relative?token=REDACTED");
    assertThat(Redaction.uri(URI.create("mailto:a@example.com?body=token=hunter2")))
        .isEqualTo("mailto:a@example.com?body=token=REDACTED");
  }

  // ---- headers ---------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "Authorization", "authorization", "PROXY-AUTHORIZATION", "Cookie", "Set-Cookie", "set-cookie2",
      "X-Amz-Security-Token", "X-Api-Key", "x-auth-token", "X-Goog-Api-Key", "Api-Key", "Private-Token",
      "X-Shopify-Access-Token", "X-Client-Secret", "X-Db-Password", "X-Amz-Credential", "X_API_KEY",
  })
  void credentialHeadersAreRecognised(String name) {
    assertThat(Redaction.isCredentialHeader(name)).isTrue();
    assertThat(Redaction.headerValues(name, List.of(SECRET, "Bearer " + SECRET)))
        .containsExactly(Redaction.MASK, Redaction.MASK);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "Content-Type", "Retry-After", "Idempotency-Key", "Date", "Location", "X-Request-Id",
      "Sec-WebSocket-Key", "WWW-Authenticate", "Keep-Alive",
  })
  void otherHeadersAreNot(String name) {
    assertThat(Redaction.isCredentialHeader(name)).isFalse();
  }

  @Test
  void otherHeadersKeepTheirValuesUnlessTheyCarryASecret() {
    List<String> contentType = List.of("text/plain", "charset=utf-8");

    assertThat(Redaction.headerValues("Content-Type", contentType)).isSameAs(contentType);
    assertThat(Redaction.headerValues("Location", List.of("https://app/cb?code=hunter2&state=s", "/x")))
        .containsExactly("https://app/cb?code=REDACTED&state=s", "/x");
    assertThat(Redaction.headerValues("Link", Arrays.asList("</p?page=2>", null))).containsExactly("</p?page=2>", null);
  }

  // ---- free text -------------------------------------------------------------------------

  @Test
  void tokenEndpointJsonIsMasked() {
    String body = "{\"access_token\":\"hunter2\",\"token_type\":\"Bearer\",\"expires_in\":3600,"
        + "\"refresh_token\" : \"hunter2-r\",\n  \"id_token\": \"hunter2.id\", \"scope\":\"read\"}";

    assertThat(Redaction.text(body)).isEqualTo("{\"access_token\":\"REDACTED\",\"token_type\":\"Bearer\","
        + "\"expires_in\":3600,\"refresh_token\" : \"REDACTED\",\n  \"id_token\": \"REDACTED\", \"scope\":\"read\"}");
  }

  @Test
  void jsonQuotedInsideAStringAndSingleQuotesAreMasked() {
    assertThat(Redaction.text("body: \"{\\\"access_token\\\":\\\"hunter2\\\",\\\"x\\\":1}\""))
        .isEqualTo("body: \"{\\\"access_token\\\":\\\"REDACTED\\\",\\\"x\\\":1}\"");
    assertThat(Redaction.text("{'client_secret': 'hun\\'ter2', 'a': 'b'}"))
        .isEqualTo("{'client_secret': 'REDACTED', 'a': 'b'}");
  }

  @Test
  void formBodiesAreMasked() {
    assertThat(Redaction.text("grant_type=refresh_token&refresh_token=hunter2&client_id=app&client_secret=hunter2-cs"))
        .isEqualTo("grant_type=refresh_token&refresh_token=REDACTED&client_id=app&client_secret=REDACTED");
    assertThat(Redaction.text("access%5Ftoken=hunter2&x=1")).isEqualTo("access%5Ftoken=REDACTED&x=1");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("secretNames")
  void everySecretNameIsMaskedInEveryTextForm(String name) {
    for (String form : List.of("NAME=hunter2", "\"NAME\":\"hunter2\"", "'NAME' : 'hunter2'", "?x=1&NAME=hunter2&y=2",
        "NAME=\"hunter2 with spaces\"", "{NAME=[hunter2, hunter2]}", "\\\"NAME\\\":\\\"hunter2\\\"")) {
      String text = "failed: " + form.replace("NAME", name) + " (retry)";

      assertMasked(Redaction.text(text));
      assertThat(Redaction.text(text)).startsWith("failed: ").endsWith(" (retry)");
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "Authorization: Bearer hunter2                   | Authorization: REDACTED",
      "Proxy-Authorization: Basic aHVudGVyMg==         | Proxy-Authorization: REDACTED",
      "Cookie: session=hunter2; theme=dark\\nnext line  | Cookie: REDACTED\\nnext line",
      "x-api-key:hunter2                               | x-api-key:REDACTED",
      "sent with Bearer hunter2.x-y_z~+/= then failed  | sent with Bearer REDACTED then failed",
      "bearer hunter2                                  | bearer REDACTED",
      "Basic aHVudGVyMg==                              | Basic REDACTED",
      "{Cookie=[session=hunter2, b=hunter2], Content-Type=[text/plain]} | {Cookie=[REDACTED], Content-Type=[text/plain]}",
      "GET https://bob:hunter2@h/x?api_key=hunter2&page=2 failed | GET https://REDACTED@h/x?api_key=REDACTED&page=2 failed",
      "Token[accessToken=hunter2, expiresIn=PT1H]      | Token[accessToken=REDACTED, expiresIn=PT1H]",
      "spring.datasource.password=hunter2              | spring.datasource.password=REDACTED",
      "password: hunter2                               | password: REDACTED",
      "{\"code\": \"hunter2\"}                         | {\"code\": \"REDACTED\"}",
      "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJodW50ZXIyIn0.hunter2sig rejected | jwt REDACTED rejected",
      "key id AKIAHUNTER2EXAMPLE12 refused             | key id REDACTED refused",
  })
  void credentialsInTextAreMasked(String text, String expected) {
    String masked = Redaction.text(text.replace("\\n", "\n"));

    assertThat(masked).isEqualTo(expected.replace("\\n", "\n"));
    assertThat(masked).doesNotContain("hunter2").doesNotContain("aHVudGVyMg");
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {
      "Server returned HTTP response code: 503 for URL: http://h/x",
      "status code: 429, key: missing",
      "{\"code\": 429, \"message\": \"slow down\"}",
      "monkey=banana and token_type=bearer",
      "Token refresh failed: connection reset",
      "retryStatuses must be in [500, 599] but contained 404",
      "mailto:someone@example.com",
      "",
  })
  void proseIsKept(String text) {
    assertThat(Redaction.text(text)).isEqualTo(text);
  }

  @Test
  void maskingIsStableAndNullSafe() {
    String once = Redaction.text("token=hunter2 Bearer hunter2 {\"id_token\":\"hunter2\"}");

    assertThat(Redaction.text(once)).isEqualTo(once);
    assertThat(once).isEqualTo("token=REDACTED Bearer REDACTED {\"id_token\":\"REDACTED\"}");
    assertThat(Redaction.text(null)).isNull();
  }

  @Test
  void percentDecodingKeepsMalformedEscapesAndReadsUtf8() {
    assertThat(Redaction.percentDecode("a%5Fb%2")).isEqualTo("a_b%2");
    assertThat(Redaction.percentDecode("%zz%C3%A9")).isEqualTo("%zz\u00e9");
  }
}
