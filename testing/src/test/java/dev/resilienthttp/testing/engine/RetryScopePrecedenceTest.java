package dev.resilienthttp.testing.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.retry.Retry;
import dev.resilienthttp.retry.RetryScope;
import dev.resilienthttp.testing.VirtualTime;
import dev.resilienthttp.testing.engine.EnginePath.Attempt;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which retrier a call uses: the scope open when it starts, else the one given to the {@link
 * Retry}, else none. Retriers are told apart by their attempt counts.
 */
class RetryScopePrecedenceTest {

  private static final Retrier GIVEN = FixedDelayRetrier.of(3, Duration.ofSeconds(1));
  private static final Retrier OUTER = FixedDelayRetrier.of(5, Duration.ofSeconds(1));
  private static final Retrier INNER = FixedDelayRetrier.of(2, Duration.ofSeconds(1));

  private final VirtualTime time = VirtualTime.create();

  @AfterEach
  void noScopeLeaks() {
    assertThat(RetryScope.current()).isEmpty();
  }

  private static Attempt<String> alwaysFailing() {
    return attempt -> {
      throw new IOException("boom " + attempt);
    };
  }

  private int attemptsMade(EnginePath path, Retry retry) {
    return path.run(retry, time, alwaysFailing()).attempts();
  }

  @BothPaths
  void withNoRetrierAndNoScopeOneAttemptIsMade(EnginePath path) {
    assertThat(attemptsMade(path, Retry.builder().timeSource(time).build())).isEqualTo(1);
  }

  @BothPaths
  void theRetrierGivenToTheRetryAppliesOutsideAnyScope(EnginePath path) {
    assertThat(attemptsMade(path, Retry.builder().retrier(GIVEN).timeSource(time).build())).isEqualTo(3);
  }

  @BothPaths
  void aScopeTakesPrecedenceOverTheGivenRetrierAndOverNone(EnginePath path) {
    Retry given = Retry.builder().retrier(GIVEN).timeSource(time).build();
    Retry none = Retry.builder().timeSource(time).build();

    try (RetryScope scope = RetryScope.open(OUTER)) {
      assertThat(attemptsMade(path, given)).isEqualTo(5);
      assertThat(attemptsMade(path, none)).isEqualTo(5);
    }
    assertThat(attemptsMade(path, given)).isEqualTo(3);
    assertThat(attemptsMade(path, none)).isEqualTo(1);
  }

  @BothPaths
  void theInnermostScopeAppliesAndClosingItRestoresTheOuter(EnginePath path) {
    Retry given = Retry.builder().retrier(GIVEN).timeSource(time).build();

    try (RetryScope outer = RetryScope.open(OUTER)) {
      try (RetryScope inner = RetryScope.open(INNER)) {
        assertThat(attemptsMade(path, given)).isEqualTo(2);
      }
      assertThat(attemptsMade(path, given)).isEqualTo(5);
    }
  }

  @BothPaths
  void aScopeIsBoundToTheThreadThatOpenedIt(EnginePath path) throws InterruptedException {
    Retry given = Retry.builder().retrier(GIVEN).timeSource(time).build();
    AtomicInteger onOtherThread = new AtomicInteger();

    try (RetryScope scope = RetryScope.open(OUTER)) {
      Thread other = new Thread(() -> onOtherThread.set(attemptsMade(path, given)));
      other.start();
      other.join();
    }

    assertThat(onOtherThread).hasValue(3);
  }

  @Test
  void asyncTheScopeIsCapturedWhenTheCallStartsAndKeptAfterItCloses() {
    Retry none = Retry.builder().timeSource(time).build();
    AtomicInteger attempts = new AtomicInteger();

    CompletableFuture<String> call;
    try (RetryScope scope = RetryScope.open(OUTER)) {
      call = none.callAsync(() -> {
        attempts.incrementAndGet();
        return CompletableFuture.failedFuture(new IOException("boom"));
      });
    }
    assertThat(attempts).as("only the first attempt ran inside the scope").hasValue(1);
    time.drive(call);

    assertThat(attempts).hasValue(5);
    assertThat(time.elapsed()).isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void asyncAScopeOpenedAfterTheCallStartedDoesNotChangeIt() {
    Retry given = Retry.builder().retrier(GIVEN).timeSource(time).build();
    AtomicInteger attempts = new AtomicInteger();

    CompletableFuture<String> call = given.callAsync(() -> {
      attempts.incrementAndGet();
      return CompletableFuture.failedFuture(new IOException("boom"));
    });
    try (RetryScope scope = RetryScope.open(OUTER)) {
      time.drive(call); // later attempts run on this thread, inside the scope
    }

    assertThat(attempts).hasValue(3);
  }
}
