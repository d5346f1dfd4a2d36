package dev.resilienthttp.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OutcomeWindowTest {

  @Test
  void countsTheFailuresAmongTheLastSizeOutcomes() {
    OutcomeWindow window = new OutcomeWindow(3);
    assertThat(window.calls()).isZero();
    assertThat(window.record(true)).isEqualTo(1);
    window.record(true);
    window.record(false);
    assertThat(window.failures()).isEqualTo(2);
    assertThat(window.calls()).isEqualTo(3);
    window.record(false); // replaces the first failure
    assertThat(window.failures()).isEqualTo(1);
    window.record(true); // replaces the second failure
    assertThat(window.failures()).isEqualTo(1);
    assertThat(window.record(false)).isEqualTo(6);
    assertThat(window.failures()).isEqualTo(1);
    assertThat(window.calls()).isEqualTo(3);
  }

  @Test
  void agreesWithASimpleModelAcrossWordBoundaries() {
    for (int size : new int[] {1, 63, 64, 65, 100, 128, 1000}) {
      OutcomeWindow window = new OutcomeWindow(size);
      Deque<Boolean> model = new ArrayDeque<>();
      Random random = new Random(size);
      for (int i = 0; i < 5_000; i++) {
        boolean failure = random.nextInt(3) == 0;
        window.record(failure);
        model.addLast(failure);
        if (model.size() > size) {
          model.removeFirst();
        }
        long expected = model.stream().filter(f -> f).count();
        assertThat(window.failures()).as("size %d after %d", size, i + 1).isEqualTo(expected);
        assertThat(window.calls()).isEqualTo(model.size());
      }
      assertThat(window.countFailureBits()).isEqualTo(window.failures());
    }
  }

  @Test
  void concurrentRecordingKeepsTheCountEqualToTheBits() throws Exception {
    for (int size : new int[] {1, 20, 64, 100}) {
      OutcomeWindow window = new OutcomeWindow(size);
      CyclicBarrier start = new CyclicBarrier(2);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          int seed = t;
          futures.add(pool.submit(() -> {
            Random random = new Random(seed);
            start.await();
            for (int i = 0; i < 10_000; i++) {
              window.record(random.nextBoolean());
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
      assertThat(window.failures()).as("size %d", size).isEqualTo(window.countFailureBits());
      assertThat(window.calls()).isEqualTo(size);
      assertThat(window.record(false)).isEqualTo(20_001);
    }
  }
}
