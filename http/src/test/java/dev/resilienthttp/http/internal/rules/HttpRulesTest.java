package dev.resilienthttp.http.internal.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** HttpRules' settings, status table, breaker accounting and failure classifier. */
class HttpRulesTest {

  private static final Supplier<String> KEYS = () -> "key-1";

  private static RequestTraits traits(String method, HttpRules rules) {
    return RequestTraits.of(method, HeaderLookup.NONE, BodyKind.NONE, false, false, rules, KEYS);
  }

  @Test
  void theDefaultsAreTodays() {
    HttpRules rules = HttpRules.defaults();

    assertThat(rules.retryStatuses()).containsExactly(500, 502, 503, 504);
    assertThat(rules.retryRateLimited()).isTrue();
    assertThat(rules.retryConnectionRefused()).isFalse();
    assertThat(rules.idempotentMethods()).containsExactlyInAnyOrder("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");
    assertThat(rules.generateIdempotencyKeys()).isFalse();
    assertThat(rules).hasToString("HttpRules[retryStatuses=[500, 502, 503, 504], retryRateLimited=true,"
        + " retryConnectionRefused=false, idempotentMethods=" + rules.idempotentMethods()
        + ", generateIdempotencyKeys=false]");
  }

  @Test
  void retryCandidatesAreTheRetryStatusesAnd429WhenRetried() {
    HttpRules rules = HttpRules.builder().retryStatuses(503, 599, 503).build();
    HttpRules noRateLimit = HttpRules.builder().retryRateLimited(false).build();

    for (int status = -5; status < 1_100; status++) {
      boolean expected = status == 503 || status == 599 || status == 429;
      assertThat(rules.isRetryCandidate(status)).as("%d", status).isEqualTo(expected);
      assertThat(rules.isRetryStatus(status)).as("%d", status).isEqualTo(status == 503 || status == 599);
    }
    assertThat(rules.retryStatuses()).containsExactly(503, 599);
    assertThat(noRateLimit.isRetryCandidate(429)).isFalse();
    assertThat(noRateLimit.isRetryCandidate(503)).isTrue();
    assertThat(HttpRules.builder().retryStatuses().build().isRetryCandidate(500)).isFalse();
  }

  @Test
  void retryStatusesAreCopiedBothWays() {
    int[] given = {500};
    HttpRules.Builder builder = HttpRules.builder().retryStatuses(given);
    given[0] = 502;
    HttpRules rules = builder.build();
    rules.retryStatuses()[0] = 504;

    assertThat(rules.retryStatuses()).containsExactly(500);
    assertThat(rules.isRetryStatus(502)).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(ints = {429, 499, 400, 600, 0, -500, 200})
  void aRetryStatusOutsideThe5xxIsRefusedWithItsValue(int status) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> HttpRules.builder().retryStatuses(503, status))
        .withMessage("retryStatuses must be in [500, 599] but contained " + status
            + " (429 is governed by retryRateLimited; other 4xx are never retried)");
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"get", "Post", "", "GE T", "GET\r\n", "PÜT"})
  void anIdempotentMethodThatIsNotAnUpperCaseTokenIsRefused(String method) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> HttpRules.builder().idempotentMethods("GET", method))
        .withMessage("idempotentMethods must hold upper-case HTTP methods such as GET but contained '"
            + method + "' in [GET, " + method + "]");
  }

  @Test
  void aNullIdempotentMethodIsRefused() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> HttpRules.builder().idempotentMethods("GET", null))
        .withMessage("idempotentMethods must hold upper-case HTTP methods such as GET but contained null in [GET, null]");
  }

  @Test
  void idempotentMethodsReplaceTheDefaultsAndAreComparedExactly() {
    HttpRules rules = HttpRules.builder().idempotentMethods("GET", "POST", "M-SEARCH").build();

    assertThat(rules.isIdempotentMethod("POST")).isTrue();
    assertThat(rules.isIdempotentMethod("M-SEARCH")).isTrue();
    assertThat(rules.isIdempotentMethod("PUT")).isFalse();
    assertThat(rules.isIdempotentMethod("get")).isFalse();
    assertThat(rules.classify(FailureKind.RESET_AFTER_SENT, traits("POST", rules), true))
        .isEqualTo(Verdict.RETRY_IDEMPOTENT);
    assertThat(rules.classify(FailureKind.RESET_AFTER_SENT, traits("PUT", rules), true))
        .isEqualTo(Verdict.NEVER_NOT_IDEMPOTENT);
  }

  @Test
  void backendFailuresAre5xxAndTheBackendsFailuresNeverA4xx() {
    HttpRules rules = HttpRules.defaults();

    for (int status = 0; status < 1_000; status++) {
      assertThat(rules.isBackendFailure(status)).as("%d", status).isEqualTo(status >= 500 && status <= 599);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(FailureKind.class)
  void backendFailuresByKind(FailureKind kind) {
    boolean expected = kind != FailureKind.CANCELLED && kind != FailureKind.CLIENT_CLOSED
        && kind != FailureKind.HANDLER_FAILED && kind != FailureKind.PROGRAMMING_ERROR;

    assertThat(HttpRules.defaults().isBackendFailure(kind)).isEqualTo(expected);
  }

  @Test
  void theDefaultClassifierReadsTheJdksOwnExceptions() {
    HttpRules rules = HttpRules.defaults();
    RequestTraits post = traits("POST", rules);
    RequestTraits get = traits("GET", rules);
    HttpConnectTimeoutException connectTimeout = new HttpConnectTimeoutException("HTTP connect timed out");
    connectTimeout.initCause(new ConnectException("HTTP connect timed out"));

    assertThat(rules.classify(connectTimeout, post, false)).isEqualTo(Verdict.RETRY_NOTHING_SENT);
    assertThat(rules.classify(new CompletionException(connectTimeout), post, false)).isEqualTo(Verdict.RETRY_NOTHING_SENT);
    assertThat(rules.classify(new HttpTimeoutException("request timed out"), post, true))
        .isEqualTo(Verdict.NEVER_NOT_IDEMPOTENT);
    assertThat(rules.classify(new HttpTimeoutException("request timed out"), get, true)).isEqualTo(Verdict.RETRY_IDEMPOTENT);
    assertThat(rules.classify(new ConnectException("Connection refused"), get, false)).isEqualTo(Verdict.NEVER_REFUSED);
    assertThat(rules.classify(new SSLHandshakeException("PKIX path building failed"), get, false)).isEqualTo(Verdict.NEVER_TLS);
    assertThat(rules.classify(new IllegalStateException("bug"), get, false)).isEqualTo(Verdict.NEVER_PROGRAMMING_ERROR);
    assertThat(rules.isBackendFailure(new SocketTimeoutException("Read timed out"))).isTrue();
    assertThat(rules.isBackendFailure(new IOException("closed"))).isFalse();
  }

  @Test
  void aTransportsClassifierIsUsed() {
    HttpRules rules = HttpRules.builder()
        .failureClassifier(failure -> failure instanceof IOException && "handler".equals(failure.getMessage())
            ? FailureKind.HANDLER_FAILED
            : FailureKind.of(failure))
        .build();
    RequestTraits get = traits("GET", rules);

    assertThat(rules.kindOf(new IOException("handler"))).isEqualTo(FailureKind.HANDLER_FAILED);
    assertThat(rules.classify(new IOException("handler"), get, false)).isEqualTo(Verdict.NEVER_HANDLER_FAILED);
    assertThat(rules.classify(new IOException("other"), get, false)).isEqualTo(Verdict.RETRY_IDEMPOTENT);
    assertThat(rules.isBackendFailure(new IOException("handler"))).isFalse();
  }

  @Test
  void aClassifierAnsweringNullIsReported() {
    HttpRules rules = HttpRules.builder().failureClassifier(failure -> null).build();

    assertThatIllegalStateException()
        .isThrownBy(() -> rules.classify(new IOException("x"), traits("GET", rules), false))
        .withMessage("failureClassifier must return a FailureKind but returned null for java.io.IOException");
  }
}
