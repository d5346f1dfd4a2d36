package dev.resilienthttp.http;

import dev.resilienthttp.http.internal.auth.BearerTokens;
import dev.resilienthttp.http.auth.AccessToken;
import dev.resilienthttp.http.auth.AuthListener;
import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.testing.VirtualTime;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Regression (BENCHMARKS.md B6): a caller that saw the token stale and reached the refresh just
 * after another caller's fetch landed started a second token request for the same expiry.
 */
class BearerTokensRaceTest {

  @Test
  void aCallerJoiningJustAfterAFetchLandedUsesItsTokenInsteadOfFetchingAgain() throws Exception {
    VirtualTime time = VirtualTime.create();
    AtomicInteger fetches = new AtomicInteger();
    BearerTokens tokens =
        new BearerTokens(
            client -> CompletableFuture.completedFuture(
                AccessToken.of("t" + fetches.incrementAndGet(), Duration.ofMinutes(10))),
            request -> true, Duration.ofSeconds(30), Duration.ofSeconds(30), time, new AuthListener() {});

    assertThat(tokens.fresh()).as("nothing cached yet: both callers see it stale").isNull();
    BearerTokens.Cached first = tokens.refresh(null).get();
    BearerTokens.Cached second = tokens.refresh(null).get();

    assertThat(fetches.get()).isEqualTo(1);
    assertThat(second).isSameAs(first);
  }
}
