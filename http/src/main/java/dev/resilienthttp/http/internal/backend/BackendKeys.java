package dev.resilienthttp.http.internal.backend;

import java.net.URI;

/**
 * The default backend key of a request ({@link Backend#keyOf}: {@code scheme://host:port}),
 * remembered per scheme, host and port as the URI spells them, so that a call to a backend seen
 * recently builds no string and hands the backend registry a key whose hash is already known.
 *
 * <p>Bounded: a direct-mapped table of {@value #SLOTS} slots, where a new authority replaces the
 * one in its slot. A miss costs what computing the key always cost, plus one small entry.
 * Thread-safe: slots hold immutable entries and are written without a lock; a racing writer may
 * replace another's entry, which only costs a later miss.
 */
public final class BackendKeys {

  /*
   * Why: Backend.keyOf lower-cases the scheme and the host and concatenates a new String for
   * every call, which the registry's ConcurrentHashMap then hashes and compares character by
   * character (ClientOverheadBenchmark, `-prof stack`: String.hashCode under
   * ConcurrentHashMap.get, toLowerCase under keyOf). A hit here compares the port and two short
   * strings, often the very instances seen before, and returns a key whose hash the String has
   * cached and which the registry finds by identity.
   */

  static final int SLOTS = 64;

  private final Entry[] slots = new Entry[SLOTS];

  /** The key of {@code uri}'s backend: equal to {@link Backend#keyOf}{@code (uri)}. */
  public String keyOf(URI uri) {
    String scheme = uri.getScheme();
    String host = uri.getHost();
    if (scheme == null || host == null) {
      return Backend.keyOf(uri);
    }
    int port = uri.getPort();
    int hash = host.hashCode() * 31 + port;
    int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
    Entry entry = slots[slot];
    if (entry != null && entry.port == port && entry.host.equals(host) && entry.scheme.equals(scheme)) {
      return entry.key;
    }
    String key = Backend.keyOf(uri);
    slots[slot] = new Entry(scheme, host, port, key);
    return key;
  }

  /** How many slots hold a key. */
  public int size() {
    int size = 0;
    for (Entry entry : slots) {
      if (entry != null) {
        size++;
      }
    }
    return size;
  }

  @Override
  public String toString() {
    return "BackendKeys[" + size() + "/" + SLOTS + "]";
  }

  /** An authority as a URI spells it, and its key. Immutable, so it may be published racily. */
  private static final class Entry {
    final String scheme;
    final String host;
    final int port;
    final String key;

    Entry(String scheme, String host, int port, String key) {
      this.scheme = scheme;
      this.host = host;
      this.port = port;
      this.key = key;
    }
  }
}
