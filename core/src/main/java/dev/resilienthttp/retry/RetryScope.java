package dev.resilienthttp.retry;

import java.util.Objects;
import java.util.Optional;

/**
 * Attaches a {@link Retrier} to every call made inside a block, without passing it through
 * every method.
 *
 * <pre>{@code
 * try (RetryScope scope = RetryScope.open(ExponentialBackoffRetrier.builder().maxAttempts(5).build())) {
 *   repository.fetch(ref);   // its calls through a Retry or a ResilientHttpClient use 5 attempts
 * }
 * }</pre>
 *
 * <p>A scope is bound to the thread that opened it: synchronous calls on that thread see it; an
 * asynchronous call captures the scope current when it starts and keeps it for all its
 * attempts, whichever thread runs them. Scopes nest: closing an inner scope restores the outer
 * one. A scope's retrier takes precedence over any retrier configured elsewhere.
 *
 * <p>A scope must be closed on the thread that opened it, innermost first (use
 * try-with-resources).
 */
public final class RetryScope implements AutoCloseable {

  private static final ThreadLocal<RetryScope> CURRENT = new ThreadLocal<>();

  private final Retrier retrier;
  private final RetryScope outer;
  private final Thread owner;
  private boolean closed;

  private RetryScope(Retrier retrier, RetryScope outer, Thread owner) {
    this.retrier = retrier;
    this.outer = outer;
    this.owner = owner;
  }

  /** Opens a scope in which {@code retrier} applies to calls made on this thread. */
  public static RetryScope open(Retrier retrier) {
    Objects.requireNonNull(retrier, "retrier");
    RetryScope scope = new RetryScope(retrier, CURRENT.get(), Thread.currentThread());
    CURRENT.set(scope);
    return scope;
  }

  /** Returns the retrier of the innermost scope open on this thread, if any. */
  public static Optional<Retrier> current() {
    return Optional.ofNullable(currentRetrier());
  }

  /** The innermost scope's retrier, or {@code null}; allocation-free for the engine's hot path. */
  static Retrier currentRetrier() {
    RetryScope scope = CURRENT.get();
    return scope == null ? null : scope.retrier;
  }

  /** This scope's retrier. */
  public Retrier retrier() {
    return retrier;
  }

  /**
   * Closes this scope and restores the enclosing one. Closing twice does nothing.
   *
   * @throws IllegalStateException if called on another thread than the one that opened it, or
   *     while a scope opened inside this one is still open
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    if (Thread.currentThread() != owner) {
      throw new IllegalStateException(
          "RetryScope must be closed on the thread that opened it (" + owner.getName()
              + ") but was closed on " + Thread.currentThread().getName());
    }
    if (CURRENT.get() != this) {
      throw new IllegalStateException(
          "RetryScope closed while a scope opened inside it is still open; close scopes innermost first");
    }
    closed = true;
    if (outer == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(outer);
    }
  }

  @Override
  public String toString() {
    return "RetryScope{" + retrier + (closed ? ", closed}" : "}");
  }
}
