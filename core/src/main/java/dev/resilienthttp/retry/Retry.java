package dev.resilienthttp.retry;

import dev.resilienthttp.budget.RetryBudget;
import dev.resilienthttp.internal.DefaultTimeSource;
import dev.resilienthttp.time.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The retry engine: runs a call, and after a failure asks a {@link Retrier} whether and when to
 * try again, then waits through a {@link TimeSource} and tries again.
 *
 * <pre>{@code
 * ToolResult result = Retry.with(retrier).call(() -> backend.callTool(name, arguments));
 * CompletableFuture<Page> page = Retry.with(retrier).callAsync(() -> client.fetchAsync(ref));
 * }</pre>
 *
 * <h2>One contract, synchronous and asynchronous</h2>
 *
 * <ul>
 *   <li>The retrier is, most specific first: the {@link RetryScope} open when the call starts,
 *       else the one this {@code Retry} was built with, else {@link Retrier#none()}.
 *   <li>A failure the retrier declines is rethrown (or completes the future) unwrapped, with
 *       earlier failures of the call added as suppressed.
 *   <li>When the retrier allows no more attempts, or a {@link Retrier#decide decision} gives up,
 *       the call fails with a {@link RetryExhaustedException}: {@code max retry attempts (3)
 *       reached: <last failure's message>}, the last failure as cause, earlier ones suppressed.
 *   <li>Never retried, whatever the retrier says: an {@link InterruptedException}, a {@link
 *       java.util.concurrent.CancellationException}, a failure after the deadline passed.
 *   <li>With a timeout, the call has a deadline: no wait starts that would end at or after it (the
 *       call gives up at once with {@link GiveUpReason#DEADLINE}). An asynchronous call also
 *       fails when the deadline passes during an attempt, and cancels that attempt.
 *   <li>Synchronous waits block the calling thread in {@link TimeSource#sleep}; an interrupt
 *       during a wait ends the call with a {@link RetryCancelledException} and the interrupt
 *       flag set. Asynchronous waits are scheduled with {@link TimeSource#schedule}, never a
 *       blocked thread; cancelling the returned future cancels a pending wait and the attempt
 *       in flight, and no further attempt starts.
 * </ul>
 *
 * <p>A call that succeeds on its first attempt, with no listener and no timeout, allocates
 * nothing of the engine's own and takes no lock.
 *
 * <p>Immutable and thread-safe; share one instance.
 */
public final class Retry {

  private static final RetryListener[] NO_LISTENERS = {};

  final String name;
  final Retrier retrier;
  final TimeSource time;
  final RetryListener[] listeners;
  final boolean useScope;
  /** The budget every retry is paid from, or {@code null}. */
  final RetryBudget budget;

  private Retry(
      String name, Retrier retrier, TimeSource time, RetryListener[] listeners, boolean useScope,
      RetryBudget budget) {
    this.name = name;
    this.retrier = retrier;
    this.time = time;
    this.listeners = listeners;
    this.useScope = useScope;
    this.budget = budget;
  }

  /**
   * Returns an engine using {@code retrier}, {@link TimeSource#system()} (or the time source of a
   * {@link TimeSource#withDefault} this runs in) and no listener.
   */
  public static Retry with(Retrier retrier) {
    return new Retry(
        "retry", Objects.requireNonNull(retrier, "retrier"), DefaultTimeSource.get(), NO_LISTENERS, true,
        null);
  }

  /** Returns a builder; by default the retrier is {@link Retrier#none()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** The retrier this engine was built with (a {@link RetryScope} may override it per call). */
  public Retrier retrier() {
    return retrier;
  }

  /** This engine's name, reported by {@link RetryContext#name()}. */
  public String name() {
    return name;
  }

  /** The time source every wait goes through. */
  public TimeSource timeSource() {
    return time;
  }

  /** The retry budget every retry is paid from, if this engine has one. */
  public Optional<RetryBudget> retryBudget() {
    return Optional.ofNullable(budget);
  }

  /** Returns a copy of this engine using {@code retrier}. */
  public Retry withRetrier(Retrier retrier) {
    return new Retry(
        name, Objects.requireNonNull(retrier, "retrier"), time, listeners, useScope, budget);
  }

  /** The retrier that applies to a call starting now on this thread. */
  Retrier effectiveRetrier() {
    if (!useScope) {
      return retrier;
    }
    Retrier scoped = RetryScope.currentRetrier();
    return scoped != null ? scoped : retrier;
  }

  /**
   * Runs {@code call}, retrying it as the effective retrier says.
   *
   * @return the result of the first successful attempt
   * @throws E the failure of the last attempt when the retrier declined it
   * @throws RetryExhaustedException when the engine gave up on a retryable failure
   * @throws RetryCancelledException when the thread was interrupted during a wait
   */
  public <T, E extends Exception> T call(CheckedSupplier<T, E> call) throws E {
    Objects.requireNonNull(call, "call");
    Retrier effective = effectiveRetrier();
    long start = time.nanoTime();
    if (listeners.length == 0) {
      T result;
      try {
        result = call.get();
      } catch (Throwable failure) {
        return new SyncExecution<>(this, effective, budget, start, false, 0L, call).afterFailure(failure);
      }
      if (budget != null) {
        budget.onFirstAttemptSuccess();
      }
      return result;
    }
    return new SyncExecution<>(this, effective, budget, start, false, 0L, call).run();
  }

  /**
   * Runs {@code call} within {@code timeout}: as {@link #call(CheckedSupplier)}, but no wait
   * starts that would end at or after the deadline, and a failure after it is not retried. A
   * synchronous attempt in flight is not interrupted; bound it by its own timeout.
   *
   * @throws IllegalArgumentException if {@code timeout} is not in (0, {@code Long.MAX_VALUE}
   *     nanoseconds] (about 292 years)
   */
  public <T, E extends Exception> T call(Duration timeout, CheckedSupplier<T, E> call) throws E {
    long timeoutNanos = Checks.positive("timeout", timeout).toNanos();
    Objects.requireNonNull(call, "call");
    long start = time.nanoTime();
    return new SyncExecution<>(this, effectiveRetrier(), budget, start, true, start + timeoutNanos, call).run();
  }

  /**
   * Runs the asynchronous {@code call}, retrying it as the effective retrier (captured now)
   * says. The returned future completes with the first successful result, or exceptionally as
   * {@link #call(CheckedSupplier)} would throw. Cancelling it cancels a pending wait and the
   * attempt in flight.
   */
  public <T> CompletableFuture<T> callAsync(Supplier<? extends CompletionStage<T>> call) {
    Objects.requireNonNull(call, "call");
    return new AsyncExecution<T>(this, effectiveRetrier(), budget, time.nanoTime(), false, 0L, call, null)
        .start();
  }

  /**
   * As {@link #callAsync(Supplier)} within {@code timeout}: when the deadline passes the future
   * fails with a {@link RetryExhaustedException} ({@link GiveUpReason#DEADLINE}) and the attempt
   * in flight is cancelled.
   *
   * @throws IllegalArgumentException if {@code timeout} is not in (0, {@code Long.MAX_VALUE}
   *     nanoseconds] (about 292 years)
   */
  public <T> CompletableFuture<T> callAsync(Duration timeout, Supplier<? extends CompletionStage<T>> call) {
    long timeoutNanos = Checks.positive("timeout", timeout).toNanos();
    Objects.requireNonNull(call, "call");
    long start = time.nanoTime();
    return new AsyncExecution<T>(
        this, effectiveRetrier(), budget, start, true, start + timeoutNanos, call, null).start();
  }

  /**
   * Runs the asynchronous {@code attempt} for a layer that resolved the call's policy itself:
   * {@code decider} decides after every failed attempt and {@code budget} pays every retry, in
   * place of this engine's retrier and budget; no {@link RetryScope} is consulted. This engine's
   * time source, name and listeners apply. Otherwise it behaves exactly as {@link
   * #callAsync(Duration, Supplier)}: the same deadline timer, the same events, the budget paid
   * only once the decider and the deadline allowed a retry and credited on success, and
   * cancelling the returned future cancels a pending wait and the attempt in flight.
   *
   * <p>Each attempt receives the call's {@link AttemptContext}, through which a transport may
   * learn, before the attempt's stage completes, what its failure will lead to ({@link
   * AttemptContext#decideNow}).
   *
   * @param decider decides after each failed attempt
   * @param budget the budget every retry is paid from, or {@code null} for none
   * @param timeout the time the whole call may take, or {@code null} for no deadline
   * @param attempt starts one attempt; called once per attempt
   * @throws IllegalArgumentException if {@code timeout} is zero, negative, or longer than
   *     {@code Long.MAX_VALUE} nanoseconds
   */
  public <T> CompletableFuture<T> callAsync(
      RetryDecider decider, RetryBudget budget, Duration timeout,
      Function<? super AttemptContext, ? extends CompletionStage<T>> attempt) {
    Objects.requireNonNull(decider, "decider");
    Objects.requireNonNull(attempt, "attempt");
    long timeoutNanos = timeout == null ? 0L : Checks.positive("timeout", timeout).toNanos();
    long start = time.nanoTime();
    return new AsyncExecution<T>(
        this, decider, budget, start, timeout != null, start + timeoutNanos, null, attempt).start();
  }

  /**
   * The synchronous counterpart of {@link #callAsync(RetryDecider, RetryBudget, Duration,
   * Function)}: runs {@code attempt} on the calling thread, retrying it as {@code decider} says,
   * paying every retry from {@code budget}, and waiting in {@link TimeSource#sleep} between
   * attempts, exactly as {@link #call(Duration, CheckedSupplier)} does. Each attempt receives
   * the call's {@link AttemptContext}: an early decision may be made from another thread while
   * this one waits for the attempt.
   *
   * @param decider decides after each failed attempt
   * @param budget the budget every retry is paid from, or {@code null} for none
   * @param timeout the time the whole call may take, or {@code null} for no deadline
   * @param attempt makes one attempt; called once per attempt
   * @throws E the failure of the last attempt when the decider declined it
   * @throws RetryExhaustedException when the engine gave up on a retryable failure
   * @throws RetryCancelledException when the thread was interrupted during a wait
   * @throws IllegalArgumentException if {@code timeout} is zero, negative, or longer than
   *     {@code Long.MAX_VALUE} nanoseconds
   */
  public <T, E extends Exception> T call(
      RetryDecider decider, RetryBudget budget, Duration timeout, CheckedAttempt<T, E> attempt) throws E {
    Objects.requireNonNull(decider, "decider");
    Objects.requireNonNull(attempt, "attempt");
    long timeoutNanos = timeout == null ? 0L : Checks.positive("timeout", timeout).toNanos();
    long start = time.nanoTime();
    return new SyncExecution<T, E>(
        this, decider, budget, start, timeout != null, start + timeoutNanos, null, attempt).run();
  }

  @Override
  public String toString() {
    return "Retry{name=" + name + ", retrier=" + retrier + '}';
  }

  /** Builds a {@link Retry}. Not thread-safe. */
  public static final class Builder {
    private String name = "retry";
    private Retrier retrier = Retrier.none();
    /** Set explicitly, or {@code null} for the default read at build(). */
    private TimeSource time;
    private final List<RetryListener> listeners = new ArrayList<>();
    private boolean useScope = true;
    private RetryBudget budget;

    private Builder() {}

    /**
     * Sets whether the retrier of an open {@link RetryScope} overrides this engine's retrier
     * (default {@code true}). A layer that resolves the scope itself, such as an HTTP client
     * wrapping the scope's retrier in its own classification, turns this off.
     */
    public Builder useScope(boolean useScope) {
      this.useScope = useScope;
      return this;
    }

    /**
     * Names the engine in contexts and listener events (default {@code "retry"}).
     *
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank but was '" + name + "'");
      }
      this.name = name;
      return this;
    }

    /** Sets the retrier (default {@link Retrier#none()}). */
    public Builder retrier(Retrier retrier) {
      this.retrier = Objects.requireNonNull(retrier, "retrier");
      return this;
    }

    /**
     * Sets the time source every wait goes through. Default: {@link TimeSource#system()}, or the
     * time source of a {@link TimeSource#withDefault} that {@link #build()} runs in.
     */
    public Builder timeSource(TimeSource timeSource) {
      this.time = Objects.requireNonNull(timeSource, "timeSource");
      return this;
    }

    /**
     * Pays every retry from {@code budget} (default: none), shared with the other engines and
     * calls to the same backend: before a retry the engine asks {@link
     * RetryBudget#tryAcquireRetry(boolean)} (a retry after a {@link
     * java.util.concurrent.TimeoutException} or {@link java.net.SocketTimeoutException} counts
     * as one after a timeout), and gives up with {@link GiveUpReason#BUDGET_EXHAUSTED} when it
     * is refused; a call that succeeds on its first attempt earns the budget back ({@link
     * RetryBudget#onFirstAttemptSuccess()}), one that succeeds on a paid retry is refunded
     * ({@link RetryBudget#onRetrySuccess(boolean)}). The budget is asked only once the retrier
     * and the deadline have allowed the retry, so a refused retry is never paid for. A call
     * succeeding on its first attempt still allocates nothing of the engine's own.
     */
    public Builder retryBudget(RetryBudget budget) {
      this.budget = Objects.requireNonNull(budget, "retryBudget");
      return this;
    }

    /** Adds a listener; listeners are called in the order added. */
    public Builder listener(RetryListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** Returns a new engine with these settings. */
    public Retry build() {
      return new Retry(
          name, retrier, time != null ? time : DefaultTimeSource.get(), listeners.toArray(NO_LISTENERS),
          useScope, budget);
    }
  }
}
