package dev.resilienthttp.backend;

import dev.resilienthttp.time.ManualTimeSource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BackendRegistryTest {

  /** A value that remembers its key and the how-manieth it was created. */
  record State(String key, int serial) {}

  private final ManualTimeSource time = new ManualTimeSource();
  private final AtomicInteger created = new AtomicInteger();

  private BackendRegistry.Builder<String, State> builder() {
    return BackendRegistry.<String, State>builder(key -> new State(key, created.incrementAndGet()))
        .timeSource(time);
  }

  @Test
  void createsEachValueLazilyOnceAndThenReturnsIt() {
    BackendRegistry<String, State> registry = builder().build();
    assertThat(registry.size()).isZero();
    assertThat(registry.getIfPresent("a")).isEmpty();
    assertThat(created.get()).isZero();

    State a = registry.get("a");
    assertThat(a.key()).isEqualTo("a");
    assertThat(registry.get("a")).isSameAs(a);
    assertThat(registry.getIfPresent("a")).containsSame(a);
    assertThat(registry.get("b")).isNotSameAs(a);
    assertThat(created.get()).isEqualTo(2);
    assertThat(registry.size()).isEqualTo(2);
    assertThat(registry.toString()).isEqualTo("BackendRegistry[2/1000 backends]");
  }

  @Test
  void concurrentCallersCreateEachValueOnce() throws Exception {
    BackendRegistry<String, State> registry = builder().build();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      keys.add("host-" + i + ":443");
    }
    int threads = 4;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    Map<String, State> seen = new ConcurrentHashMap<>();
    AtomicInteger disagreements = new AtomicInteger();
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(() -> {
          start.await();
          for (int round = 0; round < 50; round++) {
            for (String key : keys) {
              State state = registry.get(key);
              if (seen.putIfAbsent(key, state) != null && seen.get(key) != state) {
                disagreements.incrementAndGet();
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> future : futures) {
        future.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(created.get()).isEqualTo(200);
    assertThat(disagreements.get()).isZero();
    assertThat(registry.size()).isEqualTo(200);
  }

  @Test
  void anIdleValueIsEvictedOnlyOnceUnusedForTheIdleTimeout() {
    // idleTimeout 64 s: last-use times are recorded to 4 s (1/16), and an entry is evicted
    // once its recorded time is 68 s old.
    BackendRegistry<String, State> registry =
        builder().idleTimeout(Duration.ofSeconds(64)).build();
    State a = registry.get("a");
    time.advance(Duration.ofSeconds(3));
    registry.get("a"); // used at 3 s: within the 4 s resolution, the recorded time stays 0 s

    time.advance(Duration.ofSeconds(65).minusNanos(1)); // 68 s - 1 ns after 0, 65 s after use
    registry.cleanUp();
    assertThat(registry.getIfPresent("a")).containsSame(a);

    time.advance(1);
    registry.cleanUp();
    assertThat(registry.getIfPresent("a")).isEmpty();
    assertThat(registry.get("a")).isNotSameAs(a).extracting(State::serial).isEqualTo(2);
  }

  @Test
  void usingAValueKeepsItAlive() {
    BackendRegistry<String, State> registry =
        builder().idleTimeout(Duration.ofSeconds(64)).build();
    State a = registry.get("a");
    registry.get("b");
    for (int i = 0; i < 10; i++) {
      time.advance(Duration.ofSeconds(30));
      assertThat(registry.get("a")).isSameAs(a);
    }
    registry.cleanUp();
    assertThat(registry.getIfPresent("a")).containsSame(a);
    assertThat(registry.getIfPresent("b")).isEmpty();
  }

  @Test
  void callsEvictIdleValuesWithoutAnExplicitCleanUp() {
    BackendRegistry<String, State> registry =
        builder().idleTimeout(Duration.ofSeconds(64)).build();
    for (int i = 0; i < 100; i++) {
      registry.get("idle-" + i);
    }
    State busy = registry.get("busy");
    for (int i = 0; i < 30; i++) {
      time.advance(Duration.ofSeconds(3));
      assertThat(registry.get("busy")).isSameAs(busy);
    }
    // 90 s on: each idle entry is past 68 s; a sweep runs at most every 16 s, so by now one has.
    assertThat(registry.size()).isEqualTo(1);
  }

  @Test
  void theLeastRecentlyUsedValueIsEvictedOverTheCap() {
    BackendRegistry<String, State> registry = builder().maxSize(3).build();
    registry.get("a");
    time.advance(Duration.ofSeconds(60));
    registry.get("b");
    time.advance(Duration.ofSeconds(60));
    registry.get("c");
    time.advance(Duration.ofSeconds(60));
    registry.get("a"); // a is now the most recently used; b the least
    time.advance(Duration.ofSeconds(60));

    registry.get("d");

    assertThat(registry.size()).isEqualTo(3);
    assertThat(registry.getIfPresent("b")).isEmpty();
    assertThat(registry.getIfPresent("a")).isPresent();
    assertThat(registry.getIfPresent("c")).isPresent();
    assertThat(registry.getIfPresent("d")).isPresent();
  }

  @Test
  void aStreamOfNewBackendsNeverGrowsBeyondTheCap() {
    BackendRegistry<String, State> registry =
        builder().maxSize(100).idleTimeout(Duration.ofHours(1)).build();
    Map<State, Boolean> returned = new IdentityHashMap<>();
    for (int i = 0; i < 10_000; i++) {
      time.advance(Duration.ofSeconds(1)); // crosses the clock's overflow after an hour
      State state = registry.get("host-" + i);
      returned.put(state, true);
      assertThat(registry.size()).isLessThanOrEqualTo(100);
      assertThat(registry.getIfPresent("host-" + i)).containsSame(state);
    }
    assertThat(returned).hasSize(10_000);
    // Over the cap it evicts the oldest, down to 100 - 100 / 32 = 97: the newest are kept.
    int size = registry.size();
    assertThat(size).isBetween(97, 100);
    for (int i = 0; i < 10_000; i++) {
      assertThat(registry.getIfPresent("host-" + i).isPresent()).as("host-%d", i)
          .isEqualTo(i >= 10_000 - size);
    }
  }

  @Test
  void aValueTheFactoryCannotMakeIsNotStored() {
    BackendRegistry<String, State> nulls = BackendRegistry.<String, State>builder(key -> null)
        .timeSource(time).build();
    assertThatThrownBy(() -> nulls.get("a"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("factory returned null for key a");
    assertThat(nulls.size()).isZero();

    BackendRegistry<String, State> failing = BackendRegistry.<String, State>builder(key -> {
      throw new IllegalStateException("cannot make " + key);
    }).timeSource(time).build();
    assertThatThrownBy(() -> failing.get("a")).hasMessage("cannot make a");
    assertThat(failing.size()).isZero();
  }

  @Test
  void invalidSettingsAreRejectedWithTheirValue() {
    assertThatThrownBy(() -> BackendRegistry.builder(null))
        .isInstanceOf(NullPointerException.class).hasMessage("factory");
    assertThatThrownBy(() -> builder().maxSize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxSize must be >= 1 but was 0");
    assertThatThrownBy(() -> builder().idleTimeout(Duration.ZERO))
        .hasMessageStartingWith("idleTimeout must be in (0, PT")
        .hasMessageEndingWith("] but was PT0S");
    assertThatThrownBy(() -> builder().idleTimeout(Duration.ofDays(365L * 280)))
        .hasMessageEndingWith("but was PT2452800H");
    assertThatThrownBy(() -> builder().idleTimeout(null))
        .isInstanceOf(NullPointerException.class).hasMessage("idleTimeout");
    assertThatThrownBy(() -> builder().timeSource(null))
        .isInstanceOf(NullPointerException.class).hasMessage("timeSource");
    assertThatThrownBy(() -> builder().build().get(null))
        .isInstanceOf(NullPointerException.class).hasMessage("key");
  }
}
