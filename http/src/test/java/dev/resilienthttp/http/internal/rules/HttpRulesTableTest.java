package dev.resilienthttp.http.internal.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The retry table, exhaustively: every row (an outcome, under the settings it depends on) for
 * every kind of request, every kind of body, sent or not.
 */
class HttpRulesTableTest {

  private static final HttpRules DEFAULTS = HttpRules.defaults();
  private static final HttpRules GENERATING = HttpRules.builder().generateIdempotencyKeys(true).build();
  private static final Supplier<String> KEYS = () -> "key-1";

  /** A kind of request, and whether it is idempotent. */
  static final class Request {
    final String name;
    final boolean idempotent;
    final String method;
    final HeaderLookup headers;
    final boolean marked;
    final boolean route;
    final HttpRules rules;

    Request(String name, boolean idempotent, String method, HeaderLookup headers, boolean marked, boolean route,
        HttpRules rules) {
      this.name = name;
      this.idempotent = idempotent;
      this.method = method;
      this.headers = headers;
      this.marked = marked;
      this.route = route;
      this.rules = rules;
    }

    RequestTraits traits(BodyKind body) {
      return RequestTraits.of(method, headers, body, marked, route, rules, KEYS);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static List<Request> requests() {
    HeaderLookup none = HeaderLookup.NONE;
    HeaderLookup withKey = HeaderLookup.of(Map.of("Idempotency-Key", List.of("k-42")));
    List<Request> requests = new ArrayList<>();
    for (String method : List.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE")) {
      requests.add(new Request(method, true, method, none, false, false, DEFAULTS));
    }
    requests.add(new Request("POST", false, "POST", none, false, false, DEFAULTS));
    requests.add(new Request("PATCH", false, "PATCH", none, false, false, DEFAULTS));
    requests.add(new Request("POST marked idempotent", true, "POST", none, true, false, DEFAULTS));
    requests.add(new Request("POST with Idempotency-Key", true, "POST", withKey, false, false, DEFAULTS));
    requests.add(new Request("POST on an idempotent route", true, "POST", none, false, true, DEFAULTS));
    requests.add(new Request("POST with a generated key", true, "POST", none, false, false, GENERATING));
    return requests;
  }

  /**
   * One row of the table: an outcome under some settings, and its verdict for idempotent and
   * other requests; {@code always} when neither the request nor its body matter.
   */
  static Arguments row(String outcome, HttpRules.Builder settings, Object what, Verdict idempotent, Verdict other,
      boolean always) {
    return Arguments.of(outcome, settings, what, idempotent, other, always);
  }

  static Stream<Arguments> rows() {
    List<Arguments> rows = new ArrayList<>();
    // Failures, with the defaults.
    rows.add(row("connect timeout", HttpRules.builder(), FailureKind.CONNECT_TIMEOUT,
        Verdict.RETRY_NOTHING_SENT, Verdict.RETRY_NOTHING_SENT, false));
    rows.add(row("connection refused", HttpRules.builder(), FailureKind.CONNECTION_REFUSED,
        Verdict.NEVER_REFUSED, Verdict.NEVER_REFUSED, false));
    rows.add(row("connection refused, retried", HttpRules.builder().retryConnectionRefused(true),
        FailureKind.CONNECTION_REFUSED, Verdict.RETRY_REFUSED, Verdict.RETRY_REFUSED, false));
    for (FailureKind afterSent : List.of(FailureKind.TIMEOUT_AFTER_SENT, FailureKind.RESET_AFTER_SENT, FailureKind.OTHER_IO)) {
      rows.add(row(afterSent.toString(), HttpRules.builder(), afterSent,
          Verdict.RETRY_IDEMPOTENT, Verdict.NEVER_NOT_IDEMPOTENT, false));
    }
    rows.add(row("cancelled", HttpRules.builder(), FailureKind.CANCELLED,
        Verdict.NEVER_CANCELLED, Verdict.NEVER_CANCELLED, true));
    rows.add(row("TLS", HttpRules.builder(), FailureKind.TLS, Verdict.NEVER_TLS, Verdict.NEVER_TLS, true));
    rows.add(row("protocol", HttpRules.builder(), FailureKind.PROTOCOL,
        Verdict.NEVER_PROTOCOL, Verdict.NEVER_PROTOCOL, true));
    rows.add(row("client closed", HttpRules.builder(), FailureKind.CLIENT_CLOSED,
        Verdict.NEVER_CLIENT_CLOSED, Verdict.NEVER_CLIENT_CLOSED, true));
    rows.add(row("handler failed", HttpRules.builder(), FailureKind.HANDLER_FAILED,
        Verdict.NEVER_HANDLER_FAILED, Verdict.NEVER_HANDLER_FAILED, true));
    rows.add(row("programming error", HttpRules.builder(), FailureKind.PROGRAMMING_ERROR,
        Verdict.NEVER_PROGRAMMING_ERROR, Verdict.NEVER_PROGRAMMING_ERROR, true));
    // Statuses, with the defaults.
    for (int status : new int[] {500, 502, 503, 504}) {
      rows.add(row(Integer.toString(status), HttpRules.builder(), status,
          Verdict.RETRY_STATUS, Verdict.NEVER_NOT_IDEMPOTENT, false));
    }
    rows.add(row("429", HttpRules.builder(), 429, Verdict.RETRY_RATE_LIMITED, Verdict.RETRY_RATE_LIMITED, false));
    rows.add(row("429, not retried", HttpRules.builder().retryRateLimited(false), 429,
        Verdict.NEVER_RATE_LIMITED, Verdict.NEVER_RATE_LIMITED, true));
    for (int status : new int[] {400, 401, 403, 404, 405, 408, 409, 410, 413, 422, 425, 428, 431, 451, 499}) {
      rows.add(row(Integer.toString(status), HttpRules.builder(), status,
          Verdict.NEVER_CLIENT_ERROR, Verdict.NEVER_CLIENT_ERROR, true));
    }
    for (int status : new int[] {501, 505, 506, 507, 508, 511, 599, 600, 999}) {
      rows.add(row(Integer.toString(status), HttpRules.builder(), status,
          Verdict.NEVER_NOT_RETRY_STATUS, Verdict.NEVER_NOT_RETRY_STATUS, true));
    }
    for (int status : new int[] {-1, 0, 100, 200, 201, 204, 301, 304, 399}) {
      rows.add(row(Integer.toString(status), HttpRules.builder(), status,
          Verdict.NEVER_NOT_A_FAILURE, Verdict.NEVER_NOT_A_FAILURE, true));
    }
    // Statuses, with other retry statuses.
    rows.add(row("507 configured", HttpRules.builder().retryStatuses(503, 507), 507,
        Verdict.RETRY_STATUS, Verdict.NEVER_NOT_IDEMPOTENT, false));
    rows.add(row("500 not configured", HttpRules.builder().retryStatuses(503, 507), 500,
        Verdict.NEVER_NOT_RETRY_STATUS, Verdict.NEVER_NOT_RETRY_STATUS, true));
    rows.add(row("503, none configured", HttpRules.builder().retryStatuses(), 503,
        Verdict.NEVER_NOT_RETRY_STATUS, Verdict.NEVER_NOT_RETRY_STATUS, true));
    return rows.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void everyRequestAndBody(String outcome, HttpRules.Builder settings, Object what, Verdict idempotent,
      Verdict other, boolean always) {
    HttpRules rules = settings.build();
    List<String> wrong = new ArrayList<>();
    int cells = 0;
    for (Request request : requests()) {
      for (BodyKind body : BodyKind.values()) {
        RequestTraits traits = request.traits(body);
        assertThat(traits.idempotent()).as(request.name).isEqualTo(request.idempotent);
        for (boolean bodySent : new boolean[] {false, true}) {
          Verdict expected = always ? idempotent
              : bodySent && body == BodyKind.ONE_SHOT ? Verdict.NEVER_BODY_SENT
              : request.idempotent ? idempotent
              : other;
          Verdict actual = what instanceof FailureKind
              ? rules.classify((FailureKind) what, traits, bodySent)
              : rules.classify((int) what, traits, bodySent);
          if (actual != expected || actual.retry() != actual.name().startsWith("RETRY_")) {
            wrong.add(String.format("%s, %s, %s body%s: %s, expected %s",
                outcome, request, body, bodySent ? " sent" : "", actual, expected));
          }
          cells++;
        }
      }
    }
    assertThat(wrong).as("cells with the wrong verdict").isEmpty();
    assertThat(cells).isEqualTo(12 * 4 * 2);
  }

  @Test
  void everyVerdictIsReachedByTheTable() {
    List<Verdict> reached = new ArrayList<>();
    rows().forEach(row -> {
      Object[] cells = row.get();
      reached.add((Verdict) cells[3]);
      reached.add((Verdict) cells[4]);
    });
    reached.add(Verdict.NEVER_BODY_SENT);

    assertThat(reached).containsAll(List.of(Verdict.values()));
    for (Verdict verdict : Verdict.values()) {
      assertThat(verdict.why()).as(verdict.name()).isNotBlank();
    }
  }

  @Test
  void aBodySentStopsEvenARateLimitedRetryButNotAReplayableOne() {
    RequestTraits oneShot = RequestTraits.of("POST", HeaderLookup.NONE, BodyKind.ONE_SHOT, false, false, DEFAULTS, KEYS);
    RequestTraits file = RequestTraits.of("PUT", HeaderLookup.NONE, BodyKind.REPLAYABLE, false, false, DEFAULTS, KEYS);
    RequestTraits buffered =
        RequestTraits.of("PUT", HeaderLookup.NONE, BodyKind.BUFFERED_REPLAYABLE, false, false, DEFAULTS, KEYS);

    assertThat(DEFAULTS.classify(429, oneShot, true)).isEqualTo(Verdict.NEVER_BODY_SENT);
    assertThat(DEFAULTS.classify(429, oneShot, false)).isEqualTo(Verdict.RETRY_RATE_LIMITED);
    assertThat(DEFAULTS.classify(503, file, true)).isEqualTo(Verdict.RETRY_STATUS);
    assertThat(DEFAULTS.classify(FailureKind.RESET_AFTER_SENT, buffered, true)).isEqualTo(Verdict.RETRY_IDEMPOTENT);
  }
}
