package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.budget.RetryBudget;
import dev.resilienthttp.http.Harness.Outcome;
import dev.resilienthttp.http.Harness.Path;
import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServerExtension;
import java.time.Duration;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Regression (issue failure 9): a retry that the call's deadline refuses is never paid for, so
 * calls with short deadlines against a failing backend leave its retry budget full. Against a
 * real server, in virtual time, down both paths.
 */
@ExtendWith(FaultServerExtension.class)
@Timeout(60) // a hang guard for the whole class, not a timing assertion
class DeadlineRefusedRetryBudgetTest {

  private final Harness h = new Harness();

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void retriesTheDeadlineRefusesDoNotDrainTheBackendsRetryBudget(Path path, FaultServer server) {
    server.script("GET", "/api", Fault.status(503).body("down"));
    // Each call has less time than the first wait: 5 s against 10 s. (Virtual seconds; the
    // synchronous path also bounds its wait for an attempt by the time left in real time, so a
    // deadline of a few milliseconds would race the loopback exchange.)
    ResilientHttpClient client = h.client(Harness.backoff(3, Duration.ofSeconds(10))).build();

    for (int i = 0; i < 20; i++) {
      Outcome<String> outcome = h.call(path, client,
          ResilientRequests.callTimeout(Harness.get(server, "/api"), Duration.ofSeconds(5)));
      assertThat(outcome.response().statusCode()).as("call " + i).isEqualTo(503);
    }

    RetryBudget budget = client.retryBudget(server.uri("/")).orElseThrow();
    assertThat(budget.available()).as("tokens left in the backend's budget").isEqualTo(500.0);
    assertThat(server.requestCount("GET", "/api")).isEqualTo(20);
    assertThat(h.events.giveUps).hasSize(20).containsOnly(GiveUpReason.DEADLINE);
    assertThat(h.events.retryDelays).isEmpty();
    assertThat(h.time.elapsed()).isZero();
  }
}
