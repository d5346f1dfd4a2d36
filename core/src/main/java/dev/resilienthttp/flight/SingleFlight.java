package dev.resilienthttp.flight;

import dev.resilienthttp.time.ScheduledTask;
import dev.resilienthttp.internal.DefaultTimeSource;
import dev.resilienthttp.internal.DurationChecks;
import dev.resilienthttp.time.TimeSource;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Coalesces concurrent requests for the same thing into one piece of work: the first caller to
 * {@link #join join} a key starts the work (the <em>flight</em>), every caller that joins the same
 * key while it runs waits for that same work, and all of them get its outcome. A thousand callers
 * whose token expired at once cause one token request.
 *
 * <pre>{@code
 * SingleFlight<String, Token> refreshes = SingleFlight.create(timeSource);
 * CompletableFuture<Token> token = refreshes.join("token", Duration.ofSeconds(2), key -> fetchToken());
 * }</pre>
 *
 * <ul>
 *   <li>At most one flight per key at a time. A flight ends when its work completes, normally or
 *       exceptionally; the next {@code join} of that key starts a new one. Nothing is cached
 *       beyond the flight: a failure is handed to the callers that waited for it, not to later
 *       ones.
 *   <li>Each caller gets a future of its own. Cancelling it, or its own timeout passing, releases
 *       that caller only: the flight goes on for the others, and to completion even when every
 *       caller has left, so that its side effects (filling a cache, say) still happen. The work
 *       is never cancelled by this class.
 *   <li>A caller's timeout is measured on the {@link TimeSource} given to {@link
 *       #create(TimeSource)}: when it passes first, that caller's future fails with a {@link
 *       TimeoutException} reading {@code gave up after 50 ms waiting for a flight in progress}.
 *   <li>The work is started on the thread of the caller that starts the flight, outside any
 *       lock, and should return at once with a stage that completes later: nothing here blocks
 *       a thread while waiting, so asynchronous callers wait for free. {@link #await} is the
 *       blocking form for synchronous callers.
 *   <li>The outcome is delivered unwrapped: a work failing with {@code e} fails every waiting
 *       caller's future with {@code e}, not a {@link CompletionException} around it.
 * </ul>
 *
 * <p>Thread-safe and lock-free: joining is a {@link ConcurrentHashMap} read (and, for the caller
 * starting a flight, one {@code putIfAbsent}), plus one callback registered on the flight.
 *
 * @param <K> the key; keys must have value-based {@code equals} and {@code hashCode}
 * @param <V> the outcome of a flight
 */
public final class SingleFlight<K, V> {

  private final ConcurrentHashMap<K, Flight<V>> flights = new ConcurrentHashMap<>();
  private final TimeSource time;

  private SingleFlight(TimeSource time) {
    this.time = time;
  }

  /**
   * Returns a single flight whose callers' timeouts are measured on {@link TimeSource#system()},
   * or on the time source of a {@link TimeSource#withDefault} this runs in.
   */
  public static <K, V> SingleFlight<K, V> create() {
    return new SingleFlight<>(DefaultTimeSource.get());
  }

  /**
   * Returns a single flight whose callers' timeouts are measured and scheduled on {@code
   * timeSource}.
   *
   * @throws NullPointerException if {@code timeSource} is null
   */
  public static <K, V> SingleFlight<K, V> create(TimeSource timeSource) {
    return new SingleFlight<>(Objects.requireNonNull(timeSource, "timeSource"));
  }

  /**
   * Joins the flight of {@code key}, starting it with {@code work.apply(key)} if none is in
   * flight, and returns this caller's own future of its outcome. Cancelling the returned future
   * releases this caller only.
   *
   * @throws NullPointerException if {@code key} or {@code work} is null
   */
  public CompletableFuture<V> join(
      K key, Function<? super K, ? extends CompletionStage<? extends V>> work) {
    return flightOf(key, work).waiter(false, 0L, time);
  }

  /**
   * As {@link #join(Object, Function)}, but this caller gives up when {@code timeout} passes
   * first: its future then fails with a {@link TimeoutException}, and the flight goes on.
   *
   * @throws NullPointerException if any argument is null
   * @throws IllegalArgumentException if {@code timeout} is not in (0, {@code Long.MAX_VALUE}
   *     nanoseconds] (about 292 years)
   */
  public CompletableFuture<V> join(
      K key, Duration timeout, Function<? super K, ? extends CompletionStage<? extends V>> work) {
    long timeoutNanos = DurationChecks.positiveNanos("timeout", timeout);
    return flightOf(key, work).waiter(true, timeoutNanos, time);
  }

  /**
   * Joins the flight of {@code key} and blocks until its outcome, for synchronous callers.
   *
   * @return the flight's value
   * @throws ExecutionException if the flight failed; its cause is the work's failure
   * @throws InterruptedException if this thread is interrupted while it waits; this caller has
   *     then left the flight, which goes on
   * @throws NullPointerException if {@code key} or {@code work} is null
   */
  public V await(K key, Function<? super K, ? extends CompletionStage<? extends V>> work)
      throws InterruptedException, ExecutionException {
    try {
      return block(join(key, work));
    } catch (TimeoutException impossible) {
      throw new AssertionError("a caller without a timeout timed out", impossible);
    }
  }

  /**
   * As {@link #await(Object, Function)}, giving up when {@code timeout} passes first.
   *
   * @throws TimeoutException if {@code timeout} passed before the flight's outcome; the flight
   *     goes on
   * @throws ExecutionException if the flight failed; its cause is the work's failure
   * @throws InterruptedException if this thread is interrupted while it waits
   * @throws NullPointerException if any argument is null
   * @throws IllegalArgumentException if {@code timeout} is not in (0, {@code Long.MAX_VALUE}
   *     nanoseconds] (about 292 years)
   */
  public V await(
      K key, Duration timeout, Function<? super K, ? extends CompletionStage<? extends V>> work)
      throws InterruptedException, ExecutionException, TimeoutException {
    return block(join(key, timeout, work));
  }

  /** Whether a flight of {@code key} is in progress now. */
  public boolean isInFlight(K key) {
    return flights.containsKey(Objects.requireNonNull(key, "key"));
  }

  /** The number of flights in progress now, across keys. */
  public int inFlight() {
    return flights.size();
  }

  /**
   * The number of callers that joined the flight of {@code key} in progress, the one that
   * started it included; 0 when none is in flight. For tests and diagnostics.
   */
  int joined(K key) {
    Flight<V> flight = flights.get(key);
    return flight == null ? 0 : flight.joined.get();
  }

  @Override
  public String toString() {
    return "SingleFlight[" + flights.size() + " in flight]";
  }

  private Flight<V> flightOf(K key, Function<? super K, ? extends CompletionStage<? extends V>> work) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(work, "work");
    Flight<V> flight = flights.get(key);
    if (flight != null) {
      return flight;
    }
    Flight<V> started = new Flight<>();
    flight = flights.putIfAbsent(key, started);
    if (flight != null) {
      return flight;
    }
    // Outside any lock: the work may take its time to start, or join another flight.
    CompletionStage<? extends V> stage;
    try {
      stage = work.apply(key);
      if (stage == null) {
        throw new NullPointerException("the work of a flight returned null instead of a stage");
      }
    } catch (Throwable failure) {
      land(key, started, null, failure);
      return started;
    }
    stage.whenComplete((value, failure) -> land(key, started, value, failure));
    return started;
  }

  /* The flight leaves the map before its waiters hear the outcome, so that a caller reacting to
   * the outcome (say, by asking again because the value it got was already rejected) starts a
   * new flight instead of joining the finished one. */
  private void land(K key, Flight<V> flight, V value, Throwable failure) {
    flights.remove(key, flight);
    if (failure == null) {
      flight.outcome.complete(value);
    } else {
      flight.outcome.completeExceptionally(unwrap(failure));
    }
  }

  private static <V> V block(CompletableFuture<V> own)
      throws InterruptedException, ExecutionException, TimeoutException {
    try {
      return own.get();
    } catch (InterruptedException interrupted) {
      own.cancel(false);
      throw interrupted;
    } catch (ExecutionException failed) {
      if (failed.getCause() instanceof GaveUpWaiting) {
        throw (GaveUpWaiting) failed.getCause();
      }
      throw failed;
    } catch (CancellationException cancelled) {
      // Only this caller's own future can be cancelled, and only by this caller.
      throw new AssertionError("a blocked caller's own future was cancelled", cancelled);
    }
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable current = failure;
    while ((current instanceof CompletionException || current instanceof ExecutionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }

  /** One flight: the outcome every caller waits for, and how many joined. */
  private static final class Flight<V> {
    final CompletableFuture<V> outcome = new CompletableFuture<>();
    final AtomicInteger joined = new AtomicInteger();

    CompletableFuture<V> waiter(boolean hasTimeout, long timeoutNanos, TimeSource time) {
      joined.incrementAndGet();
      CompletableFuture<V> own = new CompletableFuture<>();
      outcome.whenComplete(
          (value, failure) -> {
            if (failure == null) {
              own.complete(value);
            } else {
              own.completeExceptionally(failure);
            }
          });
      if (hasTimeout && !own.isDone()) {
        ScheduledTask timer =
            time.schedule(() -> own.completeExceptionally(new GaveUpWaiting(timeoutNanos)), timeoutNanos);
        own.whenComplete((value, failure) -> timer.cancel());
      }
      return own;
    }
  }

  /** A caller's own timeout passed before the flight landed. */
  private static final class GaveUpWaiting extends TimeoutException {
    private static final long serialVersionUID = 1L;

    GaveUpWaiting(long timeoutNanos) {
      super("gave up after " + format(timeoutNanos) + " waiting for a flight in progress");
    }

    private static String format(long nanos) {
      long millis = nanos / 1_000_000L;
      if (millis < 1_000) {
        return millis + " ms";
      }
      return millis % 1_000 == 0
          ? (millis / 1_000) + " s"
          : String.format(java.util.Locale.ROOT, "%.1f s", millis / 1_000.0);
    }
  }
}
