package dev.resilienthttp.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.resilienthttp.budget.RetryBudget;
import dev.resilienthttp.time.ScheduledTask;
import dev.resilienthttp.time.TimeSource;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Guards the promise that a call succeeding on its first attempt allocates nothing of the
 * engine's own. It counts the bytes the current thread allocates
 * ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}), not time, so it is
 * deterministic: with nothing allocated per call the average stays far below one byte.
 */
/* The MXBean is reached through method handles because these tests are compiled inside the
 * dev.resilienthttp.core module, which reads no management module (and must not, to keep core
 * dependency-free); at run time the tests are on the class path and see every module. */
class RetryHotPathTest {

  private static final int WARM_UP_CALLS = 200_000;
  private static final int MEASURED_CALLS = 100_000;
  private static final String RESULT = "ok";

  private static volatile Object sink;

  @Test
  void aCallSucceedingOnItsFirstAttemptAllocatesNothing() throws Throwable {
    assertFirstAttemptSuccessesAllocateNothing(Retry.with(ExponentialBackoffRetrier.ofDefaults()));
  }

  @Test
  void soDoesOneWhoseEnginePaysRetriesFromABudget() throws Throwable {
    RetryBudget budget = RetryBudget.ofDefaults();
    assertFirstAttemptSuccessesAllocateNothing(
        Retry.builder().retrier(ExponentialBackoffRetrier.ofDefaults()).retryBudget(budget).build());
    assertThat(budget.available()).isEqualTo(500.0);
  }

  private static void assertFirstAttemptSuccessesAllocateNothing(Retry retry) throws Throwable {
    AllocationCounter counter = AllocationCounter.forCurrentThread();
    CheckedSupplier<String, RuntimeException> constant = () -> RESULT; // non-capturing: one instance
    for (int i = 0; i < WARM_UP_CALLS; i++) {
      sink = retry.call(constant);
    }
    counter.bytes(); // warms the counter's own call path

    long before = counter.bytes();
    for (int i = 0; i < MEASURED_CALLS; i++) {
      sink = retry.call(constant);
    }
    long allocated = counter.bytes() - before;

    assertThat(sink).isSameAs(RESULT);
    assertThat((double) allocated / MEASURED_CALLS)
        .as("bytes allocated per call (%d in all over %d calls)", allocated, MEASURED_CALLS)
        .isLessThan(1.0);
  }

  /*
   * An outage makes every call give up, so giving up must stay cheap. What a give-up needs is
   * the call's own state and the RetryExhaustedException the caller gets (message, cause,
   * attempts): the exception is about 56 bytes with compressed references, and the JIT can keep
   * the call state off the heap (the bound leaves room for a JVM that does not: JDK 25 allocates
   * it, 80 bytes since a call carries its own budget and a handle on an early decision, 136 in
   * all, against 128 before those). Everything else
   * (decisions, the message text, the list of earlier failures when they are all one instance)
   * is built once or not at all; before that, this path allocated about 450 bytes per call.
   */
  @Test
  void givingUpOnACallRethrowingOnePreallocatedFailureAllocatesOnlyTheExhaustionException()
      throws Throwable {
    AllocationCounter counter = AllocationCounter.forCurrentThread();
    Retry retry = Retry.builder()
        .retrier(FixedDelayRetrier.of(3, Duration.ZERO))
        .timeSource(NoWaits.INSTANCE)
        .build();
    UncheckedIOException preallocated = new UncheckedIOException("backend failed", new IOException());
    CheckedSupplier<String, RuntimeException> failing = () -> {
      throw preallocated;
    };
    for (int i = 0; i < WARM_UP_CALLS; i++) {
      sink = giveUp(retry, failing);
    }
    counter.bytes();

    /* The fewest bytes of a few rounds: a round that ran partly before the JIT had compiled the
     * loop (late on a loaded machine) counts the call state it could not yet keep off the heap,
     * which says nothing about the code once compiled. */
    long allocated = Long.MAX_VALUE;
    for (int round = 0; round < 5; round++) {
      long before = counter.bytes();
      for (int i = 0; i < MEASURED_CALLS; i++) {
        sink = giveUp(retry, failing);
      }
      allocated = Math.min(allocated, counter.bytes() - before);
    }

    RetryExhaustedException last = (RetryExhaustedException) sink;
    assertThat(last.getCause()).isSameAs(preallocated);
    assertThat(last.attempts()).isEqualTo(3);
    assertThat((double) allocated / MEASURED_CALLS)
        .as("bytes allocated per call (%d in all over %d calls)", allocated, MEASURED_CALLS)
        .isLessThanOrEqualTo(MAX_BYTES_PER_GIVE_UP);
  }

  private static final double MAX_BYTES_PER_GIVE_UP = 136;

  private static Object giveUp(Retry retry, CheckedSupplier<String, RuntimeException> failing) {
    try {
      return retry.call(failing);
    } catch (RetryExhaustedException exhausted) {
      return exhausted;
    }
  }

  /** Skips every wait; the clock reads the JVM's own (a give-up does not depend on it). */
  private enum NoWaits implements TimeSource {
    INSTANCE;

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public void sleep(long nanos) {}

    @Override
    public ScheduledTask schedule(Runnable task, long delayNanos) {
      throw new UnsupportedOperationException("a synchronous call schedules nothing");
    }
  }

  /** Reads the bytes allocated so far by one thread; skips the test where that is unsupported. */
  private static final class AllocationCounter {
    private final Object threads;
    private final MethodHandle allocatedBytes;
    private final long threadId;

    private AllocationCounter(Object threads, MethodHandle allocatedBytes, long threadId) {
      this.threads = threads;
      this.allocatedBytes = allocatedBytes;
      this.threadId = threadId;
    }

    static AllocationCounter forCurrentThread() throws Throwable {
      Class<?> sunThreadMxBean;
      try {
        sunThreadMxBean = Class.forName("com.sun.management.ThreadMXBean");
      } catch (ClassNotFoundException e) {
        assumeTrue(false, "no com.sun.management.ThreadMXBean on this JVM");
        throw e;
      }
      Object threads =
          Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
      assumeTrue(sunThreadMxBean.isInstance(threads), "the ThreadMXBean cannot count allocations");
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      boolean supported = (boolean) lookup
          .findVirtual(sunThreadMxBean, "isThreadAllocatedMemorySupported", MethodType.methodType(boolean.class))
          .invoke(threads);
      assumeTrue(supported, "allocation measurement is not supported on this JVM");
      boolean enabled = (boolean) lookup
          .findVirtual(sunThreadMxBean, "isThreadAllocatedMemoryEnabled", MethodType.methodType(boolean.class))
          .invoke(threads);
      if (!enabled) {
        lookup.findVirtual(sunThreadMxBean, "setThreadAllocatedMemoryEnabled",
                MethodType.methodType(void.class, boolean.class))
            .invoke(threads, true);
      }
      MethodHandle allocatedBytes = lookup
          .findVirtual(sunThreadMxBean, "getThreadAllocatedBytes", MethodType.methodType(long.class, long.class))
          .asType(MethodType.methodType(long.class, Object.class, long.class));
      return new AllocationCounter(threads, allocatedBytes, Thread.currentThread().getId());
    }

    long bytes() throws Throwable {
      return (long) allocatedBytes.invokeExact(threads, threadId);
    }
  }
}
