package dev.resilienthttp.breaker;

import dev.resilienthttp.time.TimeSource;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link CircuitBreaker} whose state lives in this JVM.
 *
 * <p>Thread-safe and lock-free. The closed-state path ({@code tryAcquirePermission}, then
 * {@code onSuccess}) takes no lock, reads no clock and allocates nothing; only transitions
 * allocate (one small object each). When the window and the consecutive-failure threshold fit
 * in one {@code long} ({@link PackedClosed#fits}: a window of up to 32 for any threshold, up
 * to 60 for the default threshold of 5), each closed-state outcome is one compare-and-set,
 * and a success into a healthy full window writes nothing; otherwise it takes a few atomic
 * steps on an {@link OutcomeWindow}.
 */
final class LocalCircuitBreaker implements CircuitBreaker {

  /*
   * The state machine is one volatile reference to an immutable-shape "phase" object, replaced
   * by compare-and-set on every transition. Each phase object carries the mutable counters of
   * its own state (the closed phase its window and run of failures; the half-open phase its
   * probe counts), created fresh with the phase. This buys three things without a lock:
   *
   * - Exactly one thread makes each transition: the one whose CAS from the phase it saw
   *   succeeds. Only that thread calls the listener, so each transition is reported once.
   * - Counters cannot leak between periods: a late outcome recorded into a replaced phase
   *   object touches only that dead object, so a fresh closed window or a fresh set of probes
   *   is never polluted by calls from the period before.
   * - The half-open limit is a CAS loop on one long in the half-open phase object, packing
   *   the probes admitted (high 32 bits) and the successes seen (low 32 bits). A probe is
   *   admitted only by a CAS from a value whose admitted count is below the limit, so however
   *   many threads race, at most `halfOpenProbes` CASes can succeed per half-open phase (less
   *   any released). Resilience4j's and Failsafe's half-open states have had bugs letting extra
   *   probes through when a permission check and a state check were two separate steps; here
   *   they are one CAS.
   *
   * The closed phase has two implementations, chosen once when the breaker is built:
   * PackedClosed keeps its whole record in one long changed by one CAS per outcome (see its
   * comment for the layout, the limits and why it is exact); RingClosed, for configurations
   * that do not fit, keeps an OutcomeWindow and a separate run counter. Both make the same
   * decisions for the same sequence of outcomes (CircuitBreakerParityTest).
   *
   * Closing needs `halfOpenProbes` successes, and a success only counts while it does not
   * outnumber the probes admitted, so the breaker never closes before every probe it let
   * through could have reported.
   */

  static final CircuitBreakerListener NO_LISTENER = new CircuitBreakerListener() {};

  /** What {@link #admit()} returns when a call may go ahead. */
  private static final long PERMITTED = -1;

  private static final System.Logger LOG = System.getLogger("dev.resilienthttp.breaker");
  private static final VarHandle PHASE;

  static {
    try {
      PHASE =
          MethodHandles.lookup().findVarHandle(LocalCircuitBreaker.class, "phase", Phase.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final String name;
  private final int consecutiveFailureThreshold;
  private final double failureRatePercent;
  private final int slidingWindowSize;
  private final int minimumNumberOfCalls;
  private final long openDurationNanos;
  private final int halfOpenProbes;
  private final TimeSource time;
  private final CircuitBreakerListener listener;
  private final boolean packed; // whether the closed phase is a PackedClosed

  private volatile Phase phase; // replaced only through PHASE.compareAndSet

  LocalCircuitBreaker(CircuitBreaker.Builder builder) {
    this(builder, true);
  }

  /**
   * Creates a closed breaker; with {@code packIfItFits} false it keeps the ring even when the
   * configuration fits in one long (for tests that compare the two).
   */
  LocalCircuitBreaker(CircuitBreaker.Builder builder, boolean packIfItFits) {
    this.name = builder.name;
    this.consecutiveFailureThreshold = builder.consecutiveFailureThreshold;
    this.failureRatePercent = builder.failureRateThreshold;
    this.slidingWindowSize = builder.slidingWindowSize;
    this.minimumNumberOfCalls = builder.minimumNumberOfCalls;
    this.openDurationNanos = builder.openDurationNanos;
    this.halfOpenProbes = builder.halfOpenProbes;
    this.time = builder.timeSourceOrDefault();
    this.listener = builder.listener;
    this.packed =
        packIfItFits && PackedClosed.fits(slidingWindowSize, consecutiveFailureThreshold);
    this.phase = newClosed();
  }

  private Closed newClosed() {
    return packed
        ? new PackedClosed(slidingWindowSize, minimumNumberOfCalls, failureRatePercent,
            consecutiveFailureThreshold)
        : new RingClosed(slidingWindowSize, minimumNumberOfCalls, failureRatePercent,
            consecutiveFailureThreshold);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public State state() {
    Phase current = phase;
    if (current instanceof Open open && isProbeDue(open)) {
      transition(current, new HalfOpen());
      return phase.state;
    }
    return current.state;
  }

  @Override
  public boolean tryAcquirePermission() {
    return admit() == PERMITTED;
  }

  @Override
  public void acquirePermission() {
    long untilNextProbe = admit();
    if (untilNextProbe == PERMITTED) {
      return;
    }
    // An open breaker refuses with the time left (always > 0), a half-open one with 0.
    State refusing = untilNextProbe > 0 ? State.OPEN : State.HALF_OPEN;
    throw new CallNotPermittedException(name, refusing, untilNextProbe);
  }

  @Override
  public void onSuccess() {
    Phase current = phase;
    if (current instanceof Closed closed) {
      closed.recordSuccess();
    } else if (current instanceof HalfOpen halfOpen && halfOpen.recordSuccess(halfOpenProbes)) {
      transition(current, newClosed());
    }
  }

  @Override
  public void onFailure() {
    Phase current = phase;
    if (current instanceof Closed closed) {
      if (closed.recordFailure()) {
        transition(current, new Open(time.nanoTime() + openDurationNanos));
      }
    } else if (current instanceof HalfOpen) {
      transition(current, new Open(time.nanoTime() + openDurationNanos));
    }
  }

  @Override
  public void releasePermission() {
    Phase current = phase;
    if (current instanceof HalfOpen halfOpen) {
      halfOpen.release();
    }
  }

  /**
   * Decides whether a call may go ahead: returns {@link #PERMITTED}, or else the nanoseconds
   * until the next probe: more than 0 when the open breaker refused the call, 0 when the
   * half-open one did. Reads the clock once per look at an open phase; a rejection reuses
   * that reading rather than reading the clock again.
   */
  private long admit() {
    while (true) {
      Phase current = phase;
      if (current instanceof Closed) {
        return PERMITTED;
      }
      if (current instanceof Open open) {
        long untilProbe = open.probeAtNanos - time.nanoTime();
        if (untilProbe > 0) {
          rejected(State.OPEN);
          return untilProbe;
        }
        transition(current, new HalfOpen());
        continue; // whoever won, look again
      }
      if (((HalfOpen) current).tryAdmit(halfOpenProbes)) {
        return PERMITTED;
      }
      rejected(State.HALF_OPEN);
      return 0;
    }
  }

  private boolean isProbeDue(Open open) {
    return time.nanoTime() - open.probeAtNanos >= 0;
  }

  private void transition(Phase from, Phase to) {
    if (!PHASE.compareAndSet(this, from, to)) {
      return; // another thread moved it first, and reports its own transition
    }
    if (LOG.isLoggable(Level.DEBUG)) {
      LOG.log(Level.DEBUG, "circuit breaker ''{0}'' {1} -> {2}", name, from.state, to.state);
    }
    try {
      listener.onStateTransition(name, from.state, to.state);
    } catch (RuntimeException | LinkageError e) {
      listenerFailed("onStateTransition", e);
    }
  }

  private void rejected(State state) {
    try {
      listener.onCallRejected(name, state);
    } catch (RuntimeException | LinkageError e) {
      listenerFailed("onCallRejected", e);
    }
  }

  private void listenerFailed(String method, Throwable e) {
    LOG.log(Level.WARNING, () -> "circuit breaker listener " + listener.getClass().getName()
        + "." + method + " threw " + e.getClass().getName() + " for '" + name
        + "'; the call goes on", e);
  }

  /** Returns the failures and calls in the current closed window, for tests. */
  int[] closedWindowCounts() {
    int[] counts = closedCounts();
    return new int[] {counts[0], counts[1]};
  }

  /**
   * Returns the failures and calls in the current closed window and the current run of
   * failures (saturated at the threshold), all 0 when not closed, for tests.
   */
  int[] closedCounts() {
    Phase current = phase;
    return current instanceof Closed closed ? closed.counts() : new int[] {0, 0, 0};
  }

  /** Returns whether the closed phase keeps its record in one long, for tests. */
  boolean isPacked() {
    return packed;
  }

  /**
   * Returns whether {@code failures} of {@code calls} reach {@code percent}. Integer-valued
   * products compare exactly: 3 failures of 10 calls reach 30 %.
   */
  static boolean rateReached(int failures, int calls, double percent) {
    return failures * 100.0 >= percent * calls;
  }

  @Override
  public String toString() {
    return "CircuitBreaker[" + name + ", " + phase.state + "]";
  }

  /** The state the breaker is in, with that state's own counters. */
  abstract static class Phase {
    final State state;

    Phase(State state) {
      this.state = state;
    }
  }

  /**
   * Closed: the outcomes of the last calls and the current run of failures. Opens after
   * {@code consecutiveFailureThreshold} failures in a row, or when a failure leaves the rate
   * over the window at {@code failureRatePercent} or more with at least {@code
   * minimumNumberOfCalls} calls in it.
   */
  abstract static class Closed extends Phase {

    Closed() {
      super(State.CLOSED);
    }

    /** Records a success; a success never opens the breaker. */
    abstract void recordSuccess();

    /** Records a failure; returns whether the breaker should now open. */
    abstract boolean recordFailure();

    /**
     * Returns the failures and calls in the window and the run of failures (saturated at
     * the threshold), for tests.
     */
    abstract int[] counts();
  }

  /** Closed, for any configuration: an {@link OutcomeWindow} and a separate run counter. */
  static final class RingClosed extends Closed {
    private final OutcomeWindow window;
    private final AtomicInteger failuresInARow = new AtomicInteger();
    private final int minimumNumberOfCalls;
    private final double failureRatePercent;
    private final int consecutiveFailureThreshold;

    RingClosed(
        int size, int minimumNumberOfCalls, double failureRatePercent,
        int consecutiveFailureThreshold) {
      this.window = new OutcomeWindow(size);
      this.minimumNumberOfCalls = minimumNumberOfCalls;
      this.failureRatePercent = failureRatePercent;
      this.consecutiveFailureThreshold = consecutiveFailureThreshold;
    }

    @Override
    void recordSuccess() {
      // Read before writing: in a healthy system the run is 0 and the line stays shared.
      if (failuresInARow.get() != 0) {
        failuresInARow.set(0);
      }
      window.record(false);
    }

    @Override
    boolean recordFailure() {
      int inARow = failuresInARow.incrementAndGet();
      int calls = (int) Math.min(window.record(true), window.size());
      if (inARow >= consecutiveFailureThreshold) {
        return true;
      }
      return calls >= minimumNumberOfCalls
          && rateReached(window.failures(), calls, failureRatePercent);
    }

    @Override
    int[] counts() {
      return new int[] {window.failures(), window.calls(), failuresInARow.get()};
    }
  }

  /** Open until {@code probeAtNanos}, on the breaker's time source. */
  static final class Open extends Phase {
    final long probeAtNanos;

    Open(long probeAtNanos) {
      super(State.OPEN);
      this.probeAtNanos = probeAtNanos;
    }
  }

  /** Half-open: probes admitted (high 32 bits) and probe successes (low 32 bits), in one long. */
  static final class HalfOpen extends Phase {
    private static final long ONE_ADMITTED = 1L << 32;
    private final AtomicLong probes = new AtomicLong();

    HalfOpen() {
      super(State.HALF_OPEN);
    }

    boolean tryAdmit(int limit) {
      long current = probes.get();
      while (admitted(current) < limit) {
        long witness = probes.compareAndExchange(current, current + ONE_ADMITTED);
        if (witness == current) {
          return true;
        }
        current = witness;
      }
      return false;
    }

    /** Counts a success if a probe is outstanding; returns whether it was the last needed. */
    boolean recordSuccess(int required) {
      long current = probes.get();
      while (succeeded(current) < admitted(current)) {
        long witness = probes.compareAndExchange(current, current + 1);
        if (witness == current) {
          return succeeded(current) + 1 == required;
        }
        current = witness;
      }
      return false;
    }

    /** Frees the slot of an outstanding probe, if there is one. */
    void release() {
      long current = probes.get();
      while (succeeded(current) < admitted(current)) {
        long witness = probes.compareAndExchange(current, current - ONE_ADMITTED);
        if (witness == current) {
          return;
        }
        current = witness;
      }
    }

    /** Returns the probes admitted and not released, for tests. */
    int admitted() {
      return admitted(probes.get());
    }

    private static int admitted(long packed) {
      return (int) (packed >>> 32);
    }

    private static int succeeded(long packed) {
      return (int) packed;
    }
  }
}
