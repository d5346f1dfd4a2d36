package dev.resilienthttp.breaker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The outcomes of the last {@code size} calls, as a lock-free ring of bits (1 = failure) with a
 * running count of the failures in it.
 *
 * <p>Thread-safe, lock-free, allocation-free.
 */
final class OutcomeWindow {

  /*
   * How it stays consistent without a lock.
   *
   * Every call takes a unique, increasing index from one counter (getAndIncrement), and owns
   * the bit of slot index % size. It sets that bit to its outcome with one atomic
   * read-modify-write (getAndBitwiseOr / getAndBitwiseAnd on the word holding it), which
   * returns the bit it replaced, and moves the failure count by exactly the change it made:
   * +1 if it turned a 0 into a 1, -1 for a 1 into a 0, nothing otherwise. Each change to the
   * bits is thus matched by exactly one change to the count, so once the calls in flight have
   * finished, count == number of 1 bits, always. Between those two steps the count can be off
   * by at most the number of calls recording at that moment.
   *
   * The one race the ring does not order: two calls whose indexes are a whole window apart
   * (i and i + size, which needs `size` calls in between while the first is still between
   * taking its index and writing its bit) write the same slot, and the older may win. The
   * window then holds the older outcome for that slot instead of the newer: the rate is still
   * the rate of `size` real, recent outcomes, only not exactly the last `size`. For a breaker
   * that is immaterial; for a window of 20 it takes 20 calls completing inside another call's
   * few nanoseconds of bookkeeping.
   *
   * A success whose slot already holds a success changes nothing, so it only reads the word
   * (no atomic write): in a healthy system the window is all zeros and the success path costs
   * one getAndIncrement and one volatile read. The index is a long: it would take 292 years at
   * a billion calls per second to wrap.
   *
   * Compared with a synchronized ring (Resilience4j's count-based window), two threads never
   * wait for each other here; they only share the counter's cache line.
   */

  private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

  private final int size;
  private final long[] words;
  private final AtomicLong recorded = new AtomicLong();
  private final AtomicInteger failures = new AtomicInteger();

  OutcomeWindow(int size) {
    this.size = size;
    this.words = new long[(size + 63) >>> 6];
  }

  /**
   * Records one outcome.
   *
   * @return the number of calls recorded since the window was created, this one included
   */
  long record(boolean failure) {
    long index = recorded.getAndIncrement();
    int slot = (int) (index % size);
    int word = slot >>> 6;
    long mask = 1L << slot; // the shift uses slot & 63: the bit within its word
    if (failure) {
      long previous = (long) WORDS.getAndBitwiseOr(words, word, mask);
      if ((previous & mask) == 0) {
        failures.incrementAndGet();
      }
    } else if (((long) WORDS.getVolatile(words, word) & mask) != 0) {
      long previous = (long) WORDS.getAndBitwiseAnd(words, word, ~mask);
      if ((previous & mask) != 0) {
        failures.decrementAndGet();
      }
    }
    return index + 1;
  }

  /** Returns the number of failures among the last {@link #size()} calls. */
  int failures() {
    return failures.get();
  }

  /** Returns the number of outcomes in the window: the calls recorded, capped at the size. */
  int calls() {
    return (int) Math.min(recorded.get(), size);
  }

  /** Counts the failure bits one by one: equal to {@link #failures()} when no call is recording. */
  int countFailureBits() {
    int count = 0;
    for (int i = 0; i < words.length; i++) {
      count += Long.bitCount((long) WORDS.getVolatile(words, i));
    }
    return count;
  }

  /** Returns the number of outcomes the window holds when full. */
  int size() {
    return size;
  }
}
