package dev.resilienthttp.http.internal.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What is fixed about a request when its call starts. */
class RequestTraitsTest {

  private static final HttpRules DEFAULTS = HttpRules.defaults();
  private static final HttpRules GENERATING = HttpRules.builder().generateIdempotencyKeys(true).build();
  private static final Supplier<String> NEVER_ASKED = () -> {
    throw new AssertionError("the key source was asked");
  };

  private static RequestTraits of(String method, HeaderLookup headers, HttpRules rules, Supplier<String> keys) {
    return RequestTraits.of(method, headers, BodyKind.NONE, false, false, rules, keys);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
  void anIdempotentMethodNeedsNoKeyAndGetsNone(String method) {
    RequestTraits traits = of(method, HeaderLookup.NONE, GENERATING, NEVER_ASKED);

    assertThat(traits.idempotent()).isTrue();
    assertThat(traits.idempotencyKey()).isEmpty();
    assertThat(traits.generatedKey()).isFalse();
    assertThat(traits.method()).isEqualTo(method);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"POST", "PATCH", "get", "CONNECT"})
  void anotherMethodIsNotIdempotentWithoutKeysOrMarks(String method) {
    RequestTraits traits = of(method, HeaderLookup.NONE, DEFAULTS, NEVER_ASKED);

    assertThat(traits.idempotent()).isFalse();
    assertThat(traits.idempotencyKey()).isEmpty();
    assertThat(traits.generatedKey()).isFalse();
  }

  @Test
  void aGeneratedKeyIsTakenOnceAndMakesTheRequestIdempotent() {
    AtomicInteger asked = new AtomicInteger();
    RequestTraits traits = of("POST", HeaderLookup.NONE, GENERATING, () -> "key-" + asked.incrementAndGet());

    assertThat(traits.idempotent()).isTrue();
    assertThat(traits.idempotencyKey()).contains("key-1");
    assertThat(traits.idempotencyKey()).contains("key-1");
    assertThat(traits.generatedKey()).isTrue();
    assertThat(asked).hasValue(1);
  }

  @Test
  void theCallersOwnKeyWinsAndIsNeverReplaced() {
    HeaderLookup headers = HeaderLookup.of(Map.of("idempotency-key", List.of("mine", "second")));

    RequestTraits traits = of("POST", headers, GENERATING, NEVER_ASKED);

    assertThat(traits.idempotent()).isTrue();
    assertThat(traits.idempotencyKey()).contains("mine");
    assertThat(traits.generatedKey()).isFalse();
    assertThat(of("POST", headers, DEFAULTS, NEVER_ASKED).idempotent()).isTrue();
  }

  @Test
  void markedAndRouteIdempotentRequestsAreIdempotentAndStillGetAKeyWhenGenerating() {
    RequestTraits marked = RequestTraits.of("POST", HeaderLookup.NONE, BodyKind.REPLAYABLE, true, false, DEFAULTS, NEVER_ASKED);
    RequestTraits route = RequestTraits.of("PATCH", HeaderLookup.NONE, BodyKind.REPLAYABLE, false, true, DEFAULTS, NEVER_ASKED);
    RequestTraits keyed = RequestTraits.of("POST", HeaderLookup.NONE, BodyKind.REPLAYABLE, true, false, GENERATING, () -> "k");

    assertThat(marked.idempotent()).isTrue();
    assertThat(marked.idempotencyKey()).isEmpty();
    assertThat(route.idempotent()).isTrue();
    assertThat(keyed.idempotencyKey()).contains("k");
    assertThat(keyed.generatedKey()).isTrue();
  }

  static Stream<Arguments> badKeys() {
    return Stream.of(
        Arguments.of("", "''"),
        Arguments.of("   ", "'   '"),
        Arguments.of("a\r\nb", "'a\\r\\nb'"),
        Arguments.of("a\nb", "'a\\nb'"),
        Arguments.of("\rab", "'\\rab'"),
        Arguments.of("a\u0000b", "'a\\u0000b'"),
        Arguments.of("a\u007fb", "'a\\u007fb'"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("badKeys")
  void aBadGeneratedKeyIsReportedAndNeverUsed(String key, String shown) {
    assertThatIllegalStateException()
        .isThrownBy(() -> of("POST", HeaderLookup.NONE, GENERATING, () -> key))
        .withMessage("idempotencyKeySource must return a non-blank key without CR, LF or other control characters"
            + " but returned " + shown);
  }

  @Test
  void aNullGeneratedKeyIsReported() {
    assertThatIllegalStateException()
        .isThrownBy(() -> of("POST", HeaderLookup.NONE, GENERATING, () -> null))
        .withMessage("idempotencyKeySource must return a non-blank key without CR, LF or other control characters"
            + " but returned null");
  }

  @Test
  void aTabInsideAKeyIsAllowed() {
    assertThat(of("POST", HeaderLookup.NONE, GENERATING, () -> "a\tb").idempotencyKey()).contains("a\tb");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(BodyKind.class)
  void theBodyKindIsKeptAndOnlyAOneShotBodyCannotBeResent(BodyKind body) {
    RequestTraits traits = RequestTraits.of("PUT", HeaderLookup.NONE, body, false, false, DEFAULTS, NEVER_ASKED);

    assertThat(traits.bodyKind()).isSameAs(body);
    assertThat(body.canResend()).isEqualTo(body != BodyKind.ONE_SHOT);
  }

  @Test
  void toStringDoesNotShowTheKey() {
    RequestTraits traits = RequestTraits.of("POST", HeaderLookup.NONE, BodyKind.ONE_SHOT, false, false, GENERATING,
        () -> "secret-key");

    assertThat(traits).hasToString("POST idempotent, generated key, ONE_SHOT body");
    assertThat(of("GET", HeaderLookup.NONE, DEFAULTS, NEVER_ASKED)).hasToString("GET idempotent, NONE body");
    assertThat(of("POST", HeaderLookup.of(Map.of("Idempotency-Key", List.of("k"))), DEFAULTS, NEVER_ASKED))
        .hasToString("POST idempotent, own key, NONE body");
  }

  @Test
  void aLookupAnsweringNullMeansNoKey() {
    assertThat(of("POST", name -> null, DEFAULTS, NEVER_ASKED).idempotent()).isFalse();
  }

  @Test
  void nullsAreRefused() {
    assertThatNullPointerException().isThrownBy(() -> of(null, HeaderLookup.NONE, DEFAULTS, NEVER_ASKED));
    assertThatNullPointerException().isThrownBy(() -> of("GET", null, DEFAULTS, NEVER_ASKED));
    assertThatNullPointerException().isThrownBy(() -> of("GET", HeaderLookup.NONE, null, NEVER_ASKED));
    assertThatNullPointerException().isThrownBy(() -> of("GET", HeaderLookup.NONE, DEFAULTS, null));
    assertThatNullPointerException()
        .isThrownBy(() -> RequestTraits.of("GET", HeaderLookup.NONE, null, false, false, DEFAULTS, NEVER_ASKED));
  }
}
