package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.retry.ExponentialBackoffRetrier;
import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.retry.Jitter;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.retry.RetryContext;
import dev.resilienthttp.retry.RetryListener;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.InFlightAttempts;
import dev.resilienthttp.testing.VirtualTime;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * What every test of the client needs: a virtual clock, a record of the engine's events, a
 * plain HTTP/1.1 {@link HttpClient} to wrap, and one way to make a call down either path
 * ({@link Path#SYNC} {@code send} or {@link Path#ASYNC} {@code sendAsync}) that hands back a
 * uniform {@link Outcome}. One harness per test (a field of the test instance).
 */
final class Harness {

  /** The two ways to call the client; every scenario runs down both. */
  enum Path {
    SYNC,
    ASYNC
  }

  final VirtualTime time = VirtualTime.create();
  final Events events = new Events();
  final InFlightAttempts inFlight = new InFlightAttempts(time);
  /** HTTP/1.1 so the JDK does not try an h2c upgrade; one connection pool per test. */
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** Deadline timers the engine scheduled: one per asynchronous call with a call timeout. */
  private final AtomicInteger deadlineTimers = new AtomicInteger();
  /** Calls started through this harness, down either path. */
  private final AtomicInteger callsStarted = new AtomicInteger();

  /**
   * A client builder on virtual time, with the event record and the in-flight counter as
   * listeners (in that order: see {@link #mayAdvance()}).
   */
  ResilientHttpClient.Builder client(Retrier retrier) {
    return client(http, retrier);
  }

  /** As {@link #client(Retrier)}, sending every attempt through {@code delegate}. */
  ResilientHttpClient.Builder client(HttpClient delegate, Retrier retrier) {
    return ResilientHttpClient.newBuilder(delegate)
        .retrier(retrier)
        .timeSource(time)
        .listener(events)
        .listener(inFlight);
  }

  /** A retrier without jitter: waits of {@code initial}, x2, ... capped at 60 s. */
  static Retrier backoff(int maxAttempts, Duration initial) {
    return ExponentialBackoffRetrier.builder()
        .maxAttempts(maxAttempts)
        .initialDelay(initial)
        .maxDelay(Duration.ofSeconds(60).compareTo(initial) >= 0 ? Duration.ofSeconds(60) : initial)
        .jitter(Jitter.NONE)
        .build();
  }

  static HttpRequest get(FaultServer server, String pathAndQuery) {
    return HttpRequest.newBuilder(server.uri(pathAndQuery)).build();
  }

  /**
   * Whether virtual time may move: no attempt is in flight, every wait the engine announced has
   * been scheduled, and the engine has not yet reported the end of every call started.
   *
   * <p>{@link InFlightAttempts} alone says "none in flight" from {@code onGiveUp}, a moment
   * <em>before</em> the engine completes the call's future. If a deadline timer is pending in
   * that window, {@code drive} runs it first and fails the call with "deadline passed during
   * attempt N" although no time passed (seen in this suite before this guard). The same window
   * was open after {@code onRetryScheduled} until the engine learnt to queue a retry's wait
   * before reporting it ({@code RetryWaitHandOffTest}); the check on the scheduled delays stays
   * as a second guard. {@link #events} is registered before {@link #inFlight}, so once the
   * latter reads zero the former has counted the event.
   */
  boolean mayAdvance() {
    return inFlight.none()
        && events.successes.size() + events.giveUps.size() < callsStarted.get()
        && time.scheduledDelays().size() >= events.retryDelays.size() + deadlineTimers.get();
  }

  Outcome<String> call(Path path, ResilientHttpClient client, HttpRequest request) {
    return call(path, client, request, BodyHandlers.ofString());
  }

  /**
   * Makes one call down {@code path}; an asynchronous call is driven through virtual time until
   * it completes.
   */
  <T> Outcome<T> call(Path path, ResilientHttpClient client, HttpRequest request, BodyHandler<T> handler) {
    switch (path) {
      case SYNC:
        try {
          return Outcome.of(send(client, request, handler));
        } catch (Throwable failure) {
          return Outcome.failed(failure);
        }
      case ASYNC:
        return await(sendAsync(client, request, handler));
      default:
        throw new AssertionError(path);
    }
  }

  /** Makes a synchronous call, counting it. */
  <T> HttpResponse<T> send(ResilientHttpClient client, HttpRequest request, BodyHandler<T> handler)
      throws java.io.IOException, InterruptedException {
    callsStarted.incrementAndGet();
    return client.send(request, handler);
  }

  /** Starts an asynchronous call, counting the deadline timer the engine schedules for it. */
  <T> CompletableFuture<HttpResponse<T>> sendAsync(
      ResilientHttpClient client, HttpRequest request, BodyHandler<T> handler) {
    if (client.callTimeout().isPresent()) {
      deadlineTimers.incrementAndGet();
    }
    callsStarted.incrementAndGet();
    return client.sendAsync(request, handler);
  }

  /** Drives virtual time until {@code future} completes, and returns what it completed with. */
  <T> Outcome<T> await(CompletableFuture<HttpResponse<T>> future) {
    time.drive(future, this::mayAdvance);
    try {
      return Outcome.of(future.join());
    } catch (CompletionException e) {
      return Outcome.failed(e.getCause() != null ? e.getCause() : e);
    } catch (CancellationException e) {
      return Outcome.failed(e);
    }
  }

  /**
   * Waits until {@code condition} holds: first on {@code latch} (set by the event that makes it
   * nearly true), then in a short yield loop bounded by a count for the last step. Not a timing
   * assertion: the bounds only stop a broken test from hanging.
   */
  static void awaitCondition(CountDownLatch latch, BooleanSupplier condition, String what)
      throws InterruptedException {
    assertThat(latch.await(10, TimeUnit.SECONDS)).as("waiting for " + what).isTrue();
    eventually(condition, what);
  }

  /**
   * Asserts that {@code condition} holds now or within a short yield loop bounded by a count:
   * for a state another thread is a few instructions away from reaching.
   */
  static void eventually(BooleanSupplier condition, String what) {
    for (int i = 0; i < 10_000_000 && !condition.getAsBoolean(); i++) {
      Thread.yield();
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }

  /** What a call gave the caller: a response or the exception thrown (unwrapped). */
  static final class Outcome<T> {
    private final HttpResponse<T> response;
    private final Throwable failure;

    private Outcome(HttpResponse<T> response, Throwable failure) {
      this.response = response;
      this.failure = failure;
    }

    static <T> Outcome<T> of(HttpResponse<T> response) {
      return new Outcome<>(response, null);
    }

    static <T> Outcome<T> failed(Throwable failure) {
      return new Outcome<>(null, failure);
    }

    /** The response; fails the test, showing the exception, if the call threw. */
    HttpResponse<T> response() {
      if (failure != null) {
        throw new AssertionError("expected a response but the call threw " + failure, failure);
      }
      return response;
    }

    /** The exception thrown; fails the test if the call returned a response. */
    Throwable failure() {
      if (failure == null) {
        throw new AssertionError("expected an exception but the call returned " + response
            + " with body " + response.body());
      }
      return failure;
    }

    /** The exception thrown, which must be a {@code type}. */
    <X extends Throwable> X failure(Class<X> type) {
      assertThat(failure()).isInstanceOf(type);
      return type.cast(failure);
    }

    @Override
    public String toString() {
      return failure != null ? "threw " + failure : "returned " + response;
    }
  }

  /** Records the engine's events. Thread-safe. */
  static final class Events implements RetryListener {
    final List<Integer> attemptsStarted = new CopyOnWriteArrayList<>();
    final List<Duration> retryDelays = new CopyOnWriteArrayList<>();
    final List<Throwable> retriedFailures = new CopyOnWriteArrayList<>();
    final List<GiveUpReason> giveUps = new CopyOnWriteArrayList<>();
    final List<Integer> successes = new CopyOnWriteArrayList<>();
    /** Counted down on every scheduled retry. */
    volatile CountDownLatch retryScheduled = new CountDownLatch(1);

    @Override
    public void onAttemptStarted(RetryContext context, int attempt) {
      attemptsStarted.add(attempt);
    }

    @Override
    public void onRetryScheduled(RetryContext context, int attempt, Duration delay, Throwable failure) {
      retryDelays.add(delay);
      retriedFailures.add(failure);
      retryScheduled.countDown();
    }

    @Override
    public void onSuccess(RetryContext context, int attempts) {
      successes.add(attempts);
    }

    @Override
    public void onGiveUp(RetryContext context, GiveUpReason reason, int attempts, Throwable failure) {
      giveUps.add(reason);
    }
  }
}
