package dev.resilienthttp.backend;

import dev.resilienthttp.internal.DefaultTimeSource;
import dev.resilienthttp.internal.DurationChecks;
import dev.resilienthttp.time.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Keeps one state object per backend (a circuit breaker, a retry budget, or a holder of
 * several), created on first use and forgotten when the backend is no longer called, so a
 * client that calls thousands of hosts does not keep state for all of them forever.
 *
 * <pre>{@code
 * BackendRegistry<String, CircuitBreaker> breakers =
 *     BackendRegistry.builder((String host) -> CircuitBreaker.ofDefaults(host)).build();
 * CircuitBreaker breaker = breakers.get(request.uri().getAuthority());
 * }</pre>
 *
 * <ul>
 *   <li>{@link #get(Object)} returns the backend's value, creating it with the factory on the
 *       first call for that key. The factory runs at most once per key while its value is held,
 *       even when many threads ask for a new key at once.
 *   <li>A value not asked for during {@code idleTimeout} is evicted; the next {@code get}
 *       creates a fresh one.
 *   <li>When more than {@code maxSize} values are held, the least recently used are evicted.
 * </ul>
 *
 * <p>Eviction only forgets: a caller that obtained a value before it was evicted may go on
 * using it, but it is no longer returned. An evicted breaker or budget thus starts over
 * (closed, full) if its backend is called again, which is the point for an idle backend and
 * an acceptable loss for the least-recently-used one when the cap is reached.
 *
 * <p>Thread-safe. {@link #get(Object)} for a known key takes no lock and allocates nothing: a
 * {@link ConcurrentHashMap} read, one clock read, and now and then a write of the entry's
 * last-use time. Eviction runs on the calling thread, at most once per quarter of the idle
 * timeout, or when a new entry takes the registry over its cap; it costs a scan of the
 * entries (and a sort, when over the cap). Nothing runs in the background.
 *
 * @param <K> the key, usually the backend's authority ({@code "api.example.com:443"}); keys
 *     must have value-based {@code equals} and {@code hashCode}
 * @param <V> the state kept per backend; it should be thread-safe, as callers share it
 */
public final class BackendRegistry<K, V> {

  /*
   * Why no LinkedHashMap or access-ordered list: keeping an exact LRU order means writing a
   * shared structure on every read, which is a lock or a contended CAS on the hot path.
   * Instead each entry has a volatile "last used" time, written only when it has moved by
   * more than 1/16 of the idle timeout (so a busy backend's entry is written a few times per
   * idle period, not per call, and its cache line stays shared between cores). Eviction reads
   * those times: an approximate LRU, accurate to that resolution, which is all a cap on idle
   * backends needs. Idle entries are removed by a sweep at most every idleTimeout / 4,
   * triggered by a call; and an entry only counts as idle once its recorded time is older than
   * idleTimeout + resolution, so it has really been unused for at least idleTimeout.
   *
   * Over the cap, we evict down to 1/32 below it rather than to the cap itself, so that a
   * stream of new keys (a crawler) pays for one scan-and-sort per maxSize/32 new keys rather
   * than one per key.
   */

  private final Function<? super K, ? extends V> factory;
  private final int maxSize;
  private final int sizeAfterEviction;
  private final long idleTimeoutNanos;
  private final long touchResolutionNanos;
  private final long sweepIntervalNanos;
  private final TimeSource time;
  private final ConcurrentHashMap<K, Entry<V>> entries = new ConcurrentHashMap<>();
  private final AtomicBoolean evicting = new AtomicBoolean();
  private volatile long nextSweepNanos;

  private BackendRegistry(Builder<K, V> builder) {
    this.factory = builder.factory;
    this.maxSize = builder.maxSize;
    this.sizeAfterEviction = maxSize - maxSize / 32;
    this.idleTimeoutNanos = builder.idleTimeoutNanos;
    this.touchResolutionNanos = idleTimeoutNanos / 16;
    this.sweepIntervalNanos = Math.max(1, idleTimeoutNanos / 4);
    this.time = builder.timeSource != null ? builder.timeSource : DefaultTimeSource.get();
    this.nextSweepNanos = time.nanoTime() + sweepIntervalNanos;
  }

  /**
   * Returns a builder of a registry whose values {@code factory} creates. Defaults: at most
   * 1,000 backends, evicted after 10 minutes unused, {@link TimeSource#system()}. The factory
   * runs inside {@link TimeSource#withDefault} with the registry's time source, so a breaker it
   * builds with {@code CircuitBreaker::ofDefaults} follows the registry's clock.
   *
   * @param factory creates the value of a key on its first use; it runs while that key's bin
   *     of the map is locked, so it must be quick and must not use this registry; it must not
   *     return null
   * @throws NullPointerException if {@code factory} is null
   */
  public static <K, V> Builder<K, V> builder(Function<? super K, ? extends V> factory) {
    return new Builder<>(factory);
  }

  /**
   * Returns the value of {@code key}, creating it with the factory if there is none, and marks
   * it used.
   *
   * @throws NullPointerException if {@code key} is null, or the factory returned null
   * @throws RuntimeException whatever the factory throws; nothing is then stored
   */
  public V get(K key) {
    Objects.requireNonNull(key, "key");
    long now = time.nanoTime();
    Entry<V> entry = entries.get(key);
    if (entry == null) {
      entry = entries.computeIfAbsent(key, k -> new Entry<>(create(k), now));
      if (entries.size() > maxSize || now - nextSweepNanos >= 0) {
        evict(now, entry);
      }
      return entry.value;
    }
    if (now - entry.lastUsedNanos > touchResolutionNanos) {
      entry.lastUsedNanos = now;
    }
    if (now - nextSweepNanos >= 0) {
      evict(now, entry);
    }
    return entry.value;
  }

  /**
   * Returns the value of {@code key} if there is one, without creating it or marking it used.
   *
   * @throws NullPointerException if {@code key} is null
   */
  public Optional<V> getIfPresent(K key) {
    Entry<V> entry = entries.get(Objects.requireNonNull(key, "key"));
    return entry == null ? Optional.empty() : Optional.of(entry.value);
  }

  /**
   * Returns the number of values held. While other threads create values it may exceed the
   * cap by the number of them, until the next creation evicts the excess.
   */
  public int size() {
    return entries.size();
  }

  /**
   * Evicts now the values that are idle, and the least recently used ones if over the cap,
   * instead of waiting for a call to do it. Does nothing if another thread is evicting.
   */
  public void cleanUp() {
    long now = time.nanoTime();
    if (evicting.compareAndSet(false, true)) {
      try {
        evictIdle(now);
        evictOverCap(now, null);
      } finally {
        evicting.set(false);
      }
    }
  }

  /** Runs the factory with this registry's clock as the default of what it builds. */
  private V create(K key) {
    V value = DefaultTimeSource.with(time, () -> factory.apply(key));
    if (value == null) {
      throw new NullPointerException("factory returned null for key " + key);
    }
    return value;
  }

  private void evict(long now, Entry<V> keep) {
    if (!evicting.compareAndSet(false, true)) {
      return; // another thread is at it
    }
    try {
      if (now - nextSweepNanos >= 0) {
        nextSweepNanos = now + sweepIntervalNanos;
        evictIdle(now);
      }
      evictOverCap(now, keep);
    } finally {
      evicting.set(false);
    }
  }

  private void evictIdle(long now) {
    long idleAfter = idleTimeoutNanos + touchResolutionNanos;
    for (Map.Entry<K, Entry<V>> e : entries.entrySet()) {
      Entry<V> entry = e.getValue();
      if (now - entry.lastUsedNanos >= idleAfter) {
        entries.remove(e.getKey(), entry);
      }
    }
  }

  private void evictOverCap(long now, Entry<V> keep) {
    int size = entries.size();
    if (size <= maxSize) {
      return;
    }
    int excess = size - sizeAfterEviction;
    // Ages are read once: sorting on volatile fields that change under the sort would break
    // the comparator's contract.
    List<Candidate<K, V>> candidates = new ArrayList<>(size);
    for (Map.Entry<K, Entry<V>> e : entries.entrySet()) {
      if (e.getValue() != keep) {
        candidates.add(new Candidate<>(e.getKey(), e.getValue(), now - e.getValue().lastUsedNanos));
      }
    }
    candidates.sort(Comparator.comparingLong((Candidate<K, V> c) -> c.age).reversed());
    for (int i = 0; i < candidates.size() && excess > 0; i++) {
      Candidate<K, V> c = candidates.get(i);
      if (entries.remove(c.key, c.entry)) {
        excess--;
      }
    }
  }

  @Override
  public String toString() {
    return "BackendRegistry[" + entries.size() + "/" + maxSize + " backends]";
  }

  /** A value and when it was last used; the time is written racily, which is fine. */
  private static final class Entry<V> {
    final V value;
    volatile long lastUsedNanos;

    Entry(V value, long now) {
      this.value = value;
      this.lastUsedNanos = now;
    }
  }

  private static final class Candidate<K, V> {
    final K key;
    final Entry<V> entry;
    final long age;

    Candidate(K key, Entry<V> entry, long age) {
      this.key = key;
      this.entry = entry;
      this.age = age;
    }
  }

  /**
   * Builds a {@link BackendRegistry}. Mutable and not thread-safe; {@link #build()} copies the
   * settings.
   *
   * @param <K> the key type
   * @param <V> the value type
   */
  public static final class Builder<K, V> {

    private final Function<? super K, ? extends V> factory;
    private int maxSize = 1_000;
    private long idleTimeoutNanos = Duration.ofMinutes(10).toNanos();
    /** Set explicitly, or {@code null} for the default read at build(). */
    private TimeSource timeSource;

    private Builder(Function<? super K, ? extends V> factory) {
      this.factory = Objects.requireNonNull(factory, "factory");
    }

    /**
     * Sets how many values may be held; beyond it the least recently used are evicted (down
     * to 1/32 below the cap). Default 1,000.
     *
     * @throws IllegalArgumentException if {@code maxSize} is less than 1
     */
    public Builder<K, V> maxSize(int maxSize) {
      if (maxSize < 1) {
        throw new IllegalArgumentException("maxSize must be >= 1 but was " + maxSize);
      }
      this.maxSize = maxSize;
      return this;
    }

    /**
     * Sets how long a value may go unused before it is evicted. A value is never evicted as
     * idle before it has been unused this long, and is evicted by the first call made once it
     * has been unused for about 1.3 times this long. Default 10 minutes.
     *
     * @throws NullPointerException if {@code idleTimeout} is null
     * @throws IllegalArgumentException if {@code idleTimeout} is not in (0, about 275 years]
     */
    public Builder<K, V> idleTimeout(Duration idleTimeout) {
      // Leaves room for idleTimeout + idleTimeout / 16 in a long of nanoseconds.
      long nanos = DurationChecks.positiveNanosAtMost("idleTimeout", idleTimeout, Long.MAX_VALUE / 17 * 16);
      this.idleTimeoutNanos = nanos;
      return this;
    }

    /**
     * Sets where time comes from, for the registry and, by default, for the objects the factory
     * builds (see {@link TimeSource#withDefault}). Default: {@link TimeSource#system()}, or the
     * time source of a {@link TimeSource#withDefault} that {@link #build()} runs in.
     *
     * @throws NullPointerException if {@code timeSource} is null
     */
    public Builder<K, V> timeSource(TimeSource timeSource) {
      this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
      return this;
    }

    /** Builds an empty registry from the current settings. */
    public BackendRegistry<K, V> build() {
      return new BackendRegistry<>(this);
    }
  }
}
