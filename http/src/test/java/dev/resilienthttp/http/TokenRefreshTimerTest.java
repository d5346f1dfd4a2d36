package dev.resilienthttp.http;

import dev.resilienthttp.http.internal.auth.BearerTokens;
import dev.resilienthttp.http.auth.TokenSource;
import dev.resilienthttp.http.auth.AccessToken;
import dev.resilienthttp.http.auth.AuthListener;
import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.testing.VirtualTime;
import dev.resilienthttp.time.ScheduledTask;
import dev.resilienthttp.time.TimeSource;
import java.lang.ref.WeakReference;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * White-box: a cached token goes stale by a task scheduled at its refresh point, not by its
 * readers comparing clocks (BENCHMARKS.md B6, a valid-token read within 1.2x a volatile read).
 * The same behaviour against a real server, down both paths, is in {@link BearerTokenTest}.
 */
class TokenRefreshTimerTest {

  private static final Duration SKEW = Duration.ofSeconds(30);

  private final AtomicInteger fetches = new AtomicInteger();

  private TokenSource tokens(Supplier<Duration> lifetime) {
    return client -> {
      int n = fetches.incrementAndGet();
      Duration life = lifetime.get();
      return CompletableFuture.completedFuture(
          life == null ? AccessToken.withoutExpiry("t" + n) : AccessToken.of("t" + n, life));
    };
  }

  private BearerTokens bearerTokens(TimeSource time, Duration lifetime) {
    return new BearerTokens(tokens(() -> lifetime), request -> true, SKEW, Duration.ofSeconds(30), time, new AuthListener() {});
  }

  @Test
  void aTokenIsFreshUntilItsRefreshPointAndDroppedByItsTimerThere() throws Exception {
    VirtualTime time = VirtualTime.create();
    BearerTokens tokens = bearerTokens(time, Duration.ofMinutes(10));

    BearerTokens.Cached t1 = tokens.refresh(null).get();

    assertThat(time.scheduledDelays()).as("one timer, at 10 min - 30 s").containsExactly(Duration.ofSeconds(570));
    time.advance(Duration.ofSeconds(570).minusNanos(1));
    assertThat(tokens.fresh()).isSameAs(t1);
    time.advance(Duration.ofNanos(1));
    assertThat(tokens.fresh()).as("dropped at its refresh point, with no caller reading the clock").isNull();
    assertThat(time.pendingTasks()).isZero();

    BearerTokens.Cached t2 = tokens.refresh(null).get();
    assertThat(t2.header).isEqualTo("Bearer t2");
    assertThat(fetches).hasValue(2);
    assertThat(time.pendingTasks()).as("the new token's timer").isEqualTo(1);
  }

  @Test
  void aTokenWithoutALifetimeSchedulesNothingAndNeverGoesStale() throws Exception {
    VirtualTime time = VirtualTime.create();
    BearerTokens tokens = bearerTokens(time, null);

    BearerTokens.Cached t1 = tokens.refresh(null).get();
    time.advance(Duration.ofDays(3_650));

    assertThat(time.scheduledDelays()).isEmpty();
    assertThat(tokens.fresh()).isSameAs(t1);
    assertThat(tokens.refresh(null).get()).as("a flight finds it fresh too").isSameAs(t1);
    assertThat(fetches).hasValue(1);
  }

  @Test
  void aRejectedTokensTaskIsCancelledAndCannotKnockOutItsSuccessorEvenIfItRuns() throws Exception {
    HeldTimers time = new HeldTimers();
    BearerTokens tokens = bearerTokens(time, Duration.ofMinutes(10));
    BearerTokens.Cached t1 = tokens.refresh(null).get();

    tokens.reject(t1, "http://api");
    BearerTokens.Cached t2 = tokens.refresh(null).get();

    assertThat(time.held).hasSize(2);
    assertThat(time.held.get(0).cancelled).as("t1's task cancelled when t1 was dropped").isTrue();
    assertThat(time.held.get(1).cancelled).isFalse();
    time.held.get(0).task.run(); // as if the cancellation had come too late
    assertThat(tokens.fresh()).isSameAs(t2);
    time.held.get(1).task.run();
    assertThat(tokens.fresh()).isNull();
  }

  @Test
  void aTokenReplacedBecauseItsTimerIsLateHasItsTaskCancelledAndThatTaskCannotKnockOutTheNewToken()
      throws Exception {
    HeldTimers time = new HeldTimers();
    BearerTokens tokens = bearerTokens(time, Duration.ofMinutes(10));
    BearerTokens.Cached t1 = tokens.refresh(null).get();

    time.now += Duration.ofSeconds(570).toNanos(); // t1's refresh point: its timer has not run
    assertThat(tokens.fresh()).as("readers do not look at the clock").isSameAs(t1);
    BearerTokens.Cached t2 = tokens.refresh(null).get();

    assertThat(t2).as("a flight does look at the clock: t1 is due, so it fetches").isNotSameAs(t1);
    assertThat(fetches).hasValue(2);
    assertThat(tokens.fresh()).isSameAs(t2);
    assertThat(time.held.get(0).cancelled).as("t1's task cancelled when t1 was replaced").isTrue();
    time.held.get(0).task.run();
    assertThat(tokens.fresh()).as("t1's late task leaves t2 alone").isSameAs(t2);
  }

  @Test
  void aDroppedClientIsNotKeptAliveByItsPendingRefreshTimer() throws Exception {
    VirtualTime time = VirtualTime.create();
    HttpClient plain = HttpClient.newHttpClient();
    ResilientHttpClient client = ResilientHttpClient.newBuilder(plain)
        .timeSource(time)
        .bearerTokens(tokens(() -> Duration.ofHours(8)), "127.0.0.1")
        .build();
    client.tokens().refresh(null).get();
    assertThat(time.pendingTasks()).isEqualTo(1);
    WeakReference<ResilientHttpClient> clientRef = new WeakReference<>(client);
    WeakReference<BearerTokens.Cached> tokenRef = new WeakReference<>(client.tokens().fresh());
    client = null;

    for (int i = 0; i < 50 && (clientRef.get() != null || tokenRef.get() != null); i++) {
      System.gc();
    }

    assertThat(clientRef.get()).as("the client, with its refresh timer still pending").isNull();
    assertThat(tokenRef.get()).as("its token").isNull();
    assertThat(time.pendingTasks()).isEqualTo(1);
    time.advance(Duration.ofHours(8)); // the orphaned task runs and does nothing
    assertThat(time.pendingTasks()).isZero();
  }

  /**
   * A clock moved by hand whose scheduled tasks run only when the test runs them, and whose
   * cancellations are only recorded: a timer as late as the test likes.
   */
  private static final class HeldTimers implements TimeSource {
    final List<Held> held = new CopyOnWriteArrayList<>();
    volatile long now = VirtualTime.START_NANOS;

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleep(long nanos) {
      throw new UnsupportedOperationException("no sleeps here");
    }

    @Override
    public ScheduledTask schedule(Runnable task, long delayNanos) {
      Held timer = new Held(task);
      held.add(timer);
      return () -> {
        timer.cancelled = true;
        return true;
      };
    }
  }

  private static final class Held {
    final Runnable task;
    volatile boolean cancelled;

    Held(Runnable task) {
      this.task = task;
    }
  }
}
