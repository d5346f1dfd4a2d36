package dev.resilienthttp.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.time.TimeSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** {@link VirtualTime#hold()}: a driven clock does not move forward while it is held. */
class VirtualTimeHoldTest {

  private final VirtualTime time = VirtualTime.create();
  /** "name at elapsed" for each task run, in the order run. */
  private final List<String> ran = new CopyOnWriteArrayList<>();

  private void schedule(String name, Duration delay, Runnable then) {
    time.schedule(() -> {
      ran.add(name + " at " + time.elapsed());
      then.run();
    }, delay.toNanos());
  }

  @Test
  void aDrivenClockRunsTasksDueNowButMovesOnlyOnceTheHoldIsReleased() throws Exception {
    CompletableFuture<String> done = new CompletableFuture<>();
    TimeSource.Hold hold = time.hold();
    schedule("now", Duration.ZERO, () -> {});
    schedule("later", Duration.ofSeconds(1), () -> done.complete("ok"));

    Thread driver = new Thread(() -> time.drive(done), "driver");
    driver.start();
    awaitParkedOrEnded(driver);

    assertThat(driver.isAlive()).as("the driver waits for the hold").isTrue();
    assertThat(ran).containsExactly("now at PT0S");
    assertThat(time.elapsed()).isZero();
    assertThat(done).isNotDone();
    assertThat(time.isHeld()).isTrue();

    hold.close();
    driver.join(30_000);

    assertThat(done).isCompletedWithValue("ok");
    assertThat(ran).containsExactly("now at PT0S", "later at PT1S");
    assertThat(time.isHeld()).isFalse();
  }

  @Test
  void eachHoldIsReleasedOnceHoweverOftenItIsClosed() {
    TimeSource.Hold first = time.hold();
    TimeSource.Hold second = time.hold();

    first.close();
    first.close();
    assertThat(time.isHeld()).as("the second hold remains").isTrue();

    second.close();
    assertThat(time.isHeld()).isFalse();
  }

  @Test
  void explicitMovesAreNotHeldBack() {
    time.hold();
    schedule("first", Duration.ofSeconds(1), () -> {});
    schedule("second", Duration.ofSeconds(2), () -> {});

    assertThat(time.runNext()).isTrue();
    time.advance(Duration.ofSeconds(5));

    assertThat(ran).containsExactly("first at PT1S", "second at PT2S");
    assertThat(time.elapsed()).isEqualTo(Duration.ofSeconds(6));
  }

  @Test
  void theSystemClockCannotBeHeld() {
    assertThat(TimeSource.system().hold()).isSameAs(TimeSource.Hold.NONE);
  }

  /**
   * Waits (a bound against hanging, not a timing assertion) until {@code driver} has nothing it
   * may run and parks in {@code drive}, or has returned.
   */
  private static void awaitParkedOrEnded(Thread driver) {
    for (int i = 0; i < 10_000_000; i++) {
      Thread.State state = driver.getState();
      if (state == Thread.State.TIMED_WAITING || state == Thread.State.TERMINATED) {
        return;
      }
      Thread.yield();
    }
    throw new AssertionError("the driver neither parked nor ended: " + driver.getState());
  }
}
