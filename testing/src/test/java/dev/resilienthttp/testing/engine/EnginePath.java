package dev.resilienthttp.testing.engine;

import dev.resilienthttp.retry.CheckedSupplier;
import dev.resilienthttp.retry.Retry;
import dev.resilienthttp.testing.VirtualTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The two ways through the engine. A behaviour test takes one as its parameter ({@link
 * BothPaths}) and runs its scenario through {@link #run}, so the same assertions prove that
 * {@link Retry#call} and {@link Retry#callAsync} keep one contract.
 *
 * <p>An {@link Attempt} is written once; the synchronous path calls it inside {@code
 * retry.call(...)}, the asynchronous one turns its result or failure into an already completed
 * future inside {@code retry.callAsync(...)} and drives the virtual clock until the call ends.
 */
enum EnginePath {
  SYNC {
    @Override
    <T> Outcome<T> run(Retry retry, VirtualTime time, Duration timeout, Attempt<T> attempt) {
      AtomicInteger attempts = new AtomicInteger();
      CheckedSupplier<T, Exception> call = () -> attempt.run(attempts.incrementAndGet());
      try {
        T value = timeout == null ? retry.call(call) : retry.call(timeout, call);
        return Outcome.value(value, attempts.get());
      } catch (Throwable failure) {
        return Outcome.failure(failure, attempts.get());
      }
    }

    @Override
    List<Duration> waits(VirtualTime time) {
      return time.sleeps();
    }
  },

  ASYNC {
    @Override
    <T> Outcome<T> run(Retry retry, VirtualTime time, Duration timeout, Attempt<T> attempt) {
      AtomicInteger attempts = new AtomicInteger();
      Supplier<CompletionStage<T>> call =
          () -> {
            try {
              return CompletableFuture.completedFuture(attempt.run(attempts.incrementAndGet()));
            } catch (Throwable failure) {
              return CompletableFuture.failedFuture(failure);
            }
          };
      CompletableFuture<T> future;
      try {
        future = timeout == null ? retry.callAsync(call) : retry.callAsync(timeout, call);
      } catch (RuntimeException rejected) {
        return Outcome.failure(rejected, attempts.get());
      }
      time.drive(future);
      // handle() sees the exception the engine completed the future with, not a wrapper, so
      // a CompletionException here would be the engine's, and a test would catch it.
      return future
          .handle((value, failure) ->
              failure == null ? Outcome.value(value, attempts.get()) : Outcome.<T>failure(failure, attempts.get()))
          .join();
    }

    @Override
    List<Duration> waits(VirtualTime time) {
      return time.scheduledDelays();
    }
  };

  /** Runs {@code attempt} through {@code retry} on this path, with no deadline. */
  <T> Outcome<T> run(Retry retry, VirtualTime time, Attempt<T> attempt) {
    return run(retry, time, null, attempt);
  }

  /**
   * Runs {@code attempt} through {@code retry} on this path, within {@code timeout} when it is
   * not null, and returns how the call ended once it has.
   */
  abstract <T> Outcome<T> run(Retry retry, VirtualTime time, Duration timeout, Attempt<T> attempt);

  /**
   * The waits this path asked the clock for: sleeps when synchronous, scheduled tasks when
   * asynchronous (which also holds the deadline timer of a call with a timeout).
   */
  abstract List<Duration> waits(VirtualTime time);

  /** One attempt of a scenario. */
  @FunctionalInterface
  interface Attempt<T> {
    /**
     * @param attempt 1 for the first attempt
     */
    T run(int attempt) throws Exception;
  }

  /** How a call ended: a value or a failure, after some number of attempts. */
  record Outcome<T>(T value, Throwable failure, int attempts) {
    static <T> Outcome<T> value(T value, int attempts) {
      return new Outcome<>(value, null, attempts);
    }

    static <T> Outcome<T> failure(Throwable failure, int attempts) {
      return new Outcome<>(null, failure, attempts);
    }

    boolean succeeded() {
      return failure == null;
    }
  }
}
