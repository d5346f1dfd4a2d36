package dev.resilienthttp.breaker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The closed phase of a breaker whose whole record (the last {@code size} outcomes, how many
 * calls were recorded, and the current run of failures) fits in one {@code long}, changed by
 * one compare-and-set per outcome. Used when {@link #fits(int, int)}; otherwise the breaker
 * keeps an {@link OutcomeWindow} and a separate run counter ({@code LocalCircuitBreaker.RingClosed}).
 *
 * <p>Thread-safe, lock-free, allocation-free. A success into a full window of successes with
 * no run of failures writes nothing.
 */
final class PackedClosed extends LocalCircuitBreaker.Closed {

  /*
   * Layout of `record`, for a window of `size` outcomes (S = size) and a consecutive-failure
   * threshold T that needs R = 32 - numberOfLeadingZeros(T) bits:
   *
   *   bit 63 ...            S+1+R | S+R ... S+1 | S      | S-1 ...  0
   *   unused (zero)               | run         | marker | outcomes (1 = failure, bit 0 newest)
   *
   * - The outcomes are a shift register, not a ring: each outcome shifts the bits up by one
   *   and enters at bit 0, and the one that was S outcomes ago leaves at the top. There is no
   *   write position to keep, so an outcome that changes nothing (a success shifted into a
   *   window that holds only successes) leaves the long exactly as it was.
   * - A 1 bit marks how many calls the window holds: a fresh window is 1 (the marker at bit 0,
   *   no outcomes); each outcome shifts it up one place, until it reaches bit S, where it
   *   stays: the window is full. So calls = 63 - numberOfLeadingZeros(outcomes and marker),
   *   saturating at S, and failures = bitCount(outcomes and marker) - 1.
   * - The run of consecutive failures saturates at T: the breaker opens when it reaches T,
   *   and once it is there it cannot grow (failures reported late into this phase after it
   *   opened), so it never carries out of its R bits. Any int threshold has a field wide
   *   enough (T = Integer.MAX_VALUE takes 31 bits); a configuration fits when
   *   S + 1 + R <= 64: a window of up to 32 for any threshold, 53 for T = 1000, 60 for the
   *   default T = 5, 62 for T = 1. A larger one takes the ring (no threshold is ever clipped).
   *
   * Why it is consistent: each outcome's whole effect (window, calls, run) is one CAS from the
   * value it read to the value it computed, retried from the witness if another outcome got
   * there first; an outcome whose value would not change needs no CAS, its volatile read is
   * the step. So the outcomes are totally ordered by their steps, and the window is always
   * exactly the last S outcomes in that order, its counts exact at every instant. The ring
   * (OutcomeWindow) gives only "S recent outcomes": its index, bit and count are separate
   * atomics, two calls a whole window apart can write one slot in the wrong order, and its
   * count lags its bits by the calls in flight.
   *
   * Whether to open is computed from the value this outcome's CAS installed, never from a
   * second read: the outcome that took the rate or the run to its threshold sees it; the
   * breaker's phase CAS then makes the single transition. As before, only a failure can open
   * the breaker (a success never raises the rate; it can only bring the calls up to the
   * minimum, and the next failure decides).
   *
   * Why one word: with 2 threads recording, every atomic write moves a cache line between
   * the cores. The ring made 3 to 4 read-modify-writes on different lines per outcome (run,
   * index, bit word, count); this makes one CAS. Measured (BENCHMARKS.md B3: 2 threads, 50 %
   * failures, a 2-core AMD EPYC KVM guest): about 40 ops/us while both threads run, against
   * about 19 for the ring; the benchmark's floor, 1.5 increments per outcome that cannot fail,
   * makes 75 to 85. What is left is the CAS itself: with two threads in a tight loop about
   * half the attempts fail and each failure moves the line once more (the same loop alone:
   * about 45 ops/us, against about 95 for one getAndAdd per op). Tried and dropped, as none
   * moved the contended figure out of the noise: reading with getAndAdd(0) to fetch the line
   * for writing before the CAS, Thread.onSpinWait() after a failed CAS, and padding the record
   * onto a cache line of its own.
   */

  private static final VarHandle RECORD;

  static {
    try {
      RECORD = MethodHandles.lookup().findVarHandle(PackedClosed.class, "record", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** A fresh window: the marker at bit 0, no outcomes, no run. */
  private static final long EMPTY = 1;

  private final long full; // the marker's bit once the window has filled
  private final long window; // the outcome bits and the marker
  private final int runShift;
  private final long runLimit;
  private final int minimumNumberOfCalls;
  private final double failureRatePercent;

  private volatile long record = EMPTY; // changed only through RECORD.compareAndExchange

  /**
   * Returns whether a window of {@code size} outcomes and a run counted up to {@code
   * consecutiveFailureThreshold} fit in one long (see the layout above).
   */
  static boolean fits(int size, int consecutiveFailureThreshold) {
    return size >= 1
        && consecutiveFailureThreshold >= 1
        && size + 1 + runBits(consecutiveFailureThreshold) <= Long.SIZE;
  }

  private static int runBits(int threshold) {
    return Integer.SIZE - Integer.numberOfLeadingZeros(threshold);
  }

  /**
   * Creates an empty closed phase.
   *
   * @throws IllegalArgumentException if the configuration does not {@link #fits fit}
   */
  PackedClosed(
      int size, int minimumNumberOfCalls, double failureRatePercent,
      int consecutiveFailureThreshold) {
    if (!fits(size, consecutiveFailureThreshold)) {
      throw new IllegalArgumentException("a window of " + size + " and a run up to "
          + consecutiveFailureThreshold + " do not fit in 64 bits");
    }
    this.full = 1L << size;
    this.window = (full << 1) - 1;
    this.runShift = size + 1;
    this.runLimit = consecutiveFailureThreshold;
    this.minimumNumberOfCalls = minimumNumberOfCalls;
    this.failureRatePercent = failureRatePercent;
  }

  @Override
  void recordSuccess() {
    long current = record;
    while (true) {
      long bits = current & window;
      long next = ((bits << 1) & window) | (bits & full); // the run drops to 0
      if (next == current) {
        return; // a full window of successes: this success changes nothing
      }
      long witness = (long) RECORD.compareAndExchange(this, current, next);
      if (witness == current) {
        return;
      }
      current = witness;
    }
  }

  @Override
  boolean recordFailure() {
    long current = record;
    while (true) {
      long bits = current & window;
      long run = Math.min((current >>> runShift) + 1, runLimit);
      long next = (((bits << 1) | 1) & window) | (bits & full) | (run << runShift);
      if (next == current) {
        return opens(next); // a full window of failures, run at the limit: nothing changes
      }
      long witness = (long) RECORD.compareAndExchange(this, current, next);
      if (witness == current) {
        return opens(next);
      }
      current = witness;
    }
  }

  /** Returns whether the breaker should open with this record in place. */
  private boolean opens(long record) {
    if (record >>> runShift >= runLimit) {
      return true;
    }
    long bits = record & window;
    int calls = calls(bits);
    return calls >= minimumNumberOfCalls
        && LocalCircuitBreaker.rateReached(failures(bits), calls, failureRatePercent);
  }

  private static int calls(long bits) {
    return 63 - Long.numberOfLeadingZeros(bits);
  }

  private static int failures(long bits) {
    return Long.bitCount(bits) - 1;
  }

  @Override
  int[] counts() {
    long current = record; // one read: the three counts belong together
    long bits = current & window;
    return new int[] {failures(bits), calls(bits), (int) (current >>> runShift)};
  }
}
