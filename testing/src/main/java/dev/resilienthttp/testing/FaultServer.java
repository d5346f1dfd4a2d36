package dev.resilienthttp.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.HttpUrl;
import okio.Buffer;

/**
 * A real HTTP/1.1 server on the loopback interface that answers each request with a scripted
 * {@link Fault} and records every request it reads, for testing how a client survives faults.
 * Built on OkHttp's MockWebServer.
 *
 * <pre>{@code
 * try (FaultServer server = FaultServer.start()) {
 *   server.script("GET", "/items", Fault.status(503).header("Retry-After", "1"), Fault.ok("[]"));
 *   HttpResponse<String> response = client.send(
 *       HttpRequest.newBuilder(server.uri("/items")).build(), BodyHandlers.ofString());
 *   assertThat(server.requestCount("GET", "/items")).isEqualTo(2);
 * }
 * }</pre>
 *
 * <h2>Scripts</h2>
 * A script is the sequence of faults that answers the requests of one method and path, the
 * first request getting the first fault, and so on; <b>once the sequence is exhausted its last
 * fault answers every further request</b>. A script can also be a function of the request's
 * index (see {@link #script(String, String, IntFunction)}). A request is answered by the first
 * script that matches it, in this order:
 * <ol>
 *   <li>the script for its method and path;
 *   <li>the script for {@link #ANY_METHOD} and its path;
 *   <li>the fallback script set by {@link #scriptAll(Fault, Fault...)};
 *   <li>when nothing was scripted, {@link Fault#ok()}: <b>200 with an empty body</b>.
 * </ol>
 * Paths are matched exactly, without the query string, as sent on the wire (percent-encoded).
 * Setting a script replaces the one for the same method and path and restarts its count.
 *
 * <h2>Recording</h2>
 * Every request the server reads in full is recorded, and counted, before its fault is
 * applied, so requests answered with a reset or a close are counted too. A connection that
 * fails before a whole request was read records nothing. Note that
 * {@code java.net.http.HttpClient} silently resends a GET or HEAD once when a connection closes
 * or resets before the response starts: one {@code send} may then be two recorded requests.
 *
 * <h2>Thread-safety</h2>
 * All methods are thread-safe. Requests are served concurrently, one thread per connection;
 * scripts may be changed while requests are in flight, and each request sees either the old or
 * the new scripts in full.
 */
public final class FaultServer implements AutoCloseable {

  /** The method that matches every method in {@link #script} and {@link #requestCount}. */
  public static final String ANY_METHOD = "ANY";

  private static final System.Logger LOGGER = System.getLogger(FaultServer.class.getName());
  private static final Script DEFAULT_SCRIPT = new Script(index -> Fault.ok());

  private final MockWebServer server;
  private final FaultSockets sockets = new FaultSockets();
  private final CountDownLatch closing = new CountDownLatch(1);
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object scriptsLock = new Object();
  private volatile Scripts scripts = new Scripts(Map.of(), DEFAULT_SCRIPT);
  private final Object callsLock = new Object();
  /** Guarded by {@code callsLock}; index = sequence number. */
  private final List<RecordedCall> calls = new ArrayList<>();

  private FaultServer() {
    server = new MockWebServer();
    server.setServerSocketFactory(sockets);
    server.setDispatcher(new FaultDispatcher());
  }

  /**
   * Starts a server bound to 127.0.0.1 on a free port. Close it when done, or let
   * {@link FaultServerExtension} do it.
   *
   * @throws UncheckedIOException if no port could be bound
   */
  public static FaultServer start() {
    FaultServer faultServer = new FaultServer();
    try {
      faultServer.server.start(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0);
    } catch (IOException e) {
      faultServer.close();
      throw new UncheckedIOException("could not start FaultServer on 127.0.0.1", e);
    }
    return faultServer;
  }

  /** Returns the port the server listens on. */
  public int port() {
    return server.getPort();
  }

  /**
   * Returns the full URI of {@code pathAndQuery} on this server, such as
   * {@code http://127.0.0.1:40123/items?page=2}.
   *
   * @throws IllegalArgumentException if {@code pathAndQuery} does not start with {@code /} or
   *     is not a valid URI path and query
   */
  public URI uri(String pathAndQuery) {
    Objects.requireNonNull(pathAndQuery, "pathAndQuery");
    if (!pathAndQuery.startsWith("/")) {
      throw new IllegalArgumentException(
          "pathAndQuery must start with '/' but was '" + pathAndQuery + "'");
    }
    return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
  }

  /**
   * Scripts the requests of {@code method} on {@code path}: the n-th such request gets the n-th
   * fault, and once the faults are used up the last one answers every further request.
   * Replaces any script for the same method and path.
   *
   * @param method an HTTP method such as {@code GET}, matched case-sensitively, or
   *     {@link #ANY_METHOD} (in any case) for every method
   * @param path the path to match, starting with {@code /}, without query
   * @return this server
   * @throws IllegalArgumentException if {@code method} is not an HTTP token or {@code path}
   *     does not start with {@code /} or has a query or fragment
   */
  public FaultServer script(String method, String path, Fault first, Fault... then) {
    return script(method, path, sequence(first, then));
  }

  /**
   * Scripts the requests of {@code method} on {@code path} with a non-empty sequence of faults,
   * as {@link #script(String, String, Fault, Fault...)} does.
   *
   * @return this server
   * @throws IllegalArgumentException if {@code faults} is empty, or as for
   *     {@link #script(String, String, Fault, Fault...)}
   */
  public FaultServer script(String method, String path, List<Fault> faults) {
    return script(method, path, sequence(faults));
  }

  /**
   * Scripts the requests of {@code method} on {@code path} with a function of the request's
   * index: 0 for the first request this script answers, 1 for the next, and so on. Combine with
   * {@link Fault#randomly(long, double, Fault, Fault)} for a seeded random mix. The function is
   * called on server threads, perhaps concurrently, and must be thread-safe; if it throws or
   * returns null, the server answers {@code 500} with the error in the body and logs a warning.
   *
   * @return this server
   * @throws IllegalArgumentException as for {@link #script(String, String, Fault, Fault...)}
   */
  public FaultServer script(String method, String path, IntFunction<Fault> faultForIndex) {
    RouteKey key = new RouteKey(checkMethod(method), checkPath(path));
    Script script = new Script(Objects.requireNonNull(faultForIndex, "faultForIndex"));
    synchronized (scriptsLock) {
      Map<RouteKey, Script> routes = new HashMap<>(scripts.routes);
      routes.put(key, script);
      scripts = new Scripts(Map.copyOf(routes), scripts.fallback);
    }
    return this;
  }

  /**
   * Makes every request, whatever its method and path, answered by this sequence of faults
   * (the last one repeating): removes every per-path script and sets the fallback.
   *
   * @return this server
   */
  public FaultServer scriptAll(Fault first, Fault... then) {
    return scriptAll(sequence(first, then));
  }

  /**
   * Makes every request answered by this non-empty sequence of faults, as
   * {@link #scriptAll(Fault, Fault...)} does.
   *
   * @return this server
   * @throws IllegalArgumentException if {@code faults} is empty
   */
  public FaultServer scriptAll(List<Fault> faults) {
    return scriptAll(sequence(faults));
  }

  /**
   * Makes every request answered by a function of its index among the requests this script
   * answers, as {@link #scriptAll(Fault, Fault...)} and
   * {@link #script(String, String, IntFunction)} describe.
   *
   * @return this server
   */
  public FaultServer scriptAll(IntFunction<Fault> faultForIndex) {
    Script script = new Script(Objects.requireNonNull(faultForIndex, "faultForIndex"));
    synchronized (scriptsLock) {
      scripts = new Scripts(Map.of(), script);
    }
    return this;
  }

  /** Returns how many requests the server has read, whatever it answered. */
  public int requestCount() {
    synchronized (callsLock) {
      return calls.size();
    }
  }

  /**
   * Returns how many requests of {@code method} (or {@link #ANY_METHOD}) on {@code path}
   * (without query) the server has read, whatever it answered.
   *
   * @throws IllegalArgumentException as for {@link #script(String, String, Fault, Fault...)}
   */
  public int requestCount(String method, String path) {
    String m = checkMethod(method);
    String p = checkPath(path);
    int count = 0;
    for (RecordedCall call : requests()) {
      if ((m.equals(ANY_METHOD) || m.equals(call.method)) && p.equals(call.path())) {
        count++;
      }
    }
    return count;
  }

  /**
   * Waits until the server has read at least {@code count} requests, for a client that gave up
   * on a request (a timeout) before the server got round to reading it.
   *
   * @return the number of requests read, which is below {@code count} only if {@code timeout}
   *     passed first
   * @throws InterruptedException if interrupted while waiting
   */
  public int awaitRequestCount(int count, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    synchronized (callsLock) {
      while (calls.size() < count) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          break;
        }
        TimeUnit.NANOSECONDS.timedWait(callsLock, left);
      }
      return calls.size();
    }
  }

  /** Returns a snapshot of the requests read so far, in the order they were read. */
  public List<RecordedCall> requests() {
    synchronized (callsLock) {
      return List.copyOf(calls);
    }
  }

  /**
   * Stops the server: stops accepting, ends delays and stalls, closes every connection and
   * waits (up to a few seconds) for the server's threads to finish. Idempotent.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      closing.countDown();
      server.close();
    }
  }

  @Override
  public String toString() {
    return closed.get() ? "FaultServer{closed}" : "FaultServer{" + uri("/") + "}";
  }

  private static IntFunction<Fault> sequence(Fault first, Fault... then) {
    Objects.requireNonNull(then, "then");
    List<Fault> faults = new ArrayList<>(then.length + 1);
    faults.add(first);
    Collections.addAll(faults, then);
    return sequence(faults);
  }

  private static IntFunction<Fault> sequence(List<Fault> faults) {
    List<Fault> copy = List.copyOf(faults); // Rejects null elements.
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("faults must hold at least 1 fault but was empty");
    }
    return index -> copy.get(Math.min(index, copy.size() - 1));
  }

  private static String checkMethod(String method) {
    Objects.requireNonNull(method, "method");
    if (method.equalsIgnoreCase(ANY_METHOD)) {
      return ANY_METHOD;
    }
    boolean token = !method.isEmpty() && method.chars().allMatch(
        c -> (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
            || "!#$%&'*+-.^_`|~".indexOf(c) >= 0);
    if (!token) {
      throw new IllegalArgumentException(
          "method must be an HTTP token such as GET, or ANY, but was '" + method + "'");
    }
    return method;
  }

  private static String checkPath(String path) {
    Objects.requireNonNull(path, "path");
    if (!path.startsWith("/") || path.indexOf('?') >= 0 || path.indexOf('#') >= 0) {
      throw new IllegalArgumentException(
          "path must start with '/' and have no query or fragment but was '" + path + "'");
    }
    return path;
  }

  private RecordedCall record(RecordedRequest request, Fault fault) {
    synchronized (callsLock) {
      RecordedCall call = new RecordedCall(calls.size(), request, fault);
      calls.add(call);
      callsLock.notifyAll();
      return call;
    }
  }

  /** The scripts in force: replaced as a whole, so a request sees one consistent set. */
  private static final class Scripts {
    final Map<RouteKey, Script> routes;
    final Script fallback;

    Scripts(Map<RouteKey, Script> routes, Script fallback) {
      this.routes = routes;
      this.fallback = fallback;
    }

    Script find(String method, String path) {
      Script script = routes.get(new RouteKey(method, path));
      if (script == null) {
        script = routes.get(new RouteKey(ANY_METHOD, path));
      }
      return script != null ? script : fallback;
    }
  }

  /** One script and the index of the next request it answers. */
  private static final class Script {
    final IntFunction<Fault> faultForIndex;
    final AtomicInteger nextIndex = new AtomicInteger();

    Script(IntFunction<Fault> faultForIndex) {
      this.faultForIndex = faultForIndex;
    }
  }

  private static final class RouteKey {
    final String method;
    final String path;

    RouteKey(String method, String path) {
      this.method = method;
      this.path = path;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof RouteKey
          && ((RouteKey) o).method.equals(method) && ((RouteKey) o).path.equals(path);
    }

    @Override
    public int hashCode() {
      return method.hashCode() * 31 + path.hashCode();
    }
  }

  /** Turns each request into its fault, on the connection's own MockWebServer thread. */
  private final class FaultDispatcher extends Dispatcher {

    @Override
    public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
      String method = request.getMethod();
      String path = request.getUrl().encodedPath();
      Script script = scripts.find(method, path);
      int index = script.nextIndex.getAndIncrement();
      Fault fault = faultFor(script, index, method, path);
      record(request, fault);

      Duration delay = fault.delay();
      if (!delay.isZero() && closing.await(saturatedNanos(delay), TimeUnit.NANOSECONDS)) {
        return closeConnection(); // The server is closing: stop waiting.
      }
      if (closing.getCount() == 0) {
        return closeConnection();
      }
      return toResponse(fault, request);
    }

    @Override
    public void close() {
      closing.countDown();
    }

    private Fault faultFor(Script script, int index, String method, String path) {
      String failure;
      try {
        Fault fault = script.faultForIndex.apply(index);
        if (fault != null) {
          return fault;
        }
        failure = "the script returned null";
        LOGGER.log(System.Logger.Level.WARNING, describe(method, path, index, failure));
      } catch (RuntimeException e) {
        failure = e.toString();
        LOGGER.log(System.Logger.Level.WARNING, describe(method, path, index, failure), e);
      }
      return Fault.status(500).body(describe(method, path, index, failure));
    }

    private String describe(String method, String path, int index, String failure) {
      return "FaultServer: the script for " + method + " " + path + " failed for request index "
          + index + ": " + failure;
    }

    private MockResponse closeConnection() {
      return new MockResponse.Builder()
          .onResponseStart(new SocketEffect.CloseSocket(true, false, false))
          .build();
    }

    private MockResponse toResponse(Fault fault, RecordedRequest request) {
      MockResponse.Builder builder = new MockResponse.Builder();
      switch (fault.kind()) {
        case RESET_BEFORE_HEADERS:
          sockets.resetOnClose(request.getConnectionIndex());
          return builder.onResponseStart(new SocketEffect.CloseSocket(true, false, false))
              .build();
        case CLOSE_WITHOUT_RESPONSE:
          return builder.onResponseStart(new SocketEffect.CloseSocket(true, false, true))
              .build();
        default:
          break;
      }

      builder.code(fault.statusCode());
      for (String[] header : fault.headerPairs()) {
        builder.addHeader(header[0], header[1]);
      }
      if (fault.throttleBytesPerPeriod() > 0) {
        builder.throttleBody(fault.throttleBytesPerPeriod(), saturatedNanos(fault.throttlePeriod()),
            TimeUnit.NANOSECONDS);
      }
      byte[] body = fault.bodyBytes();
      // A response to HEAD announces its body's length but must not carry it.
      boolean head = request.getMethod().equals("HEAD");
      if (head) {
        builder.setHeader("Content-Length", body.length);
      } else {
        builder.body(new Buffer().write(body));
      }

      if (fault.kind() == Fault.Kind.RESET_MID_BODY) {
        sockets.resetOnClose(request.getConnectionIndex());
      }
      // Mid-body effects trigger after the first half of the body; with no body (HEAD), after
      // the headers.
      SocketEffect effect = fault.kind() == Fault.Kind.STALL_MID_BODY ? SocketEffect.Stall.INSTANCE
          : fault.kind() == Fault.Kind.RESET_MID_BODY ? new SocketEffect.CloseSocket(true, false,
              false)
          : null;
      if (effect != null) {
        if (head) {
          builder.onResponseEnd(effect);
        } else {
          builder.onResponseBody(effect);
        }
      }
      return builder.build();
    }
  }

  private static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * One request as the server read it, and the fault it was answered with. Immutable and
   * thread-safe.
   */
  public static final class RecordedCall {
    private final int sequence;
    private final int connection;
    private final String method;
    private final String path;
    private final String target;
    private final Map<String, List<String>> headers;
    private final byte[] body;
    private final Fault fault;

    RecordedCall(int sequence, RecordedRequest request, Fault fault) {
      this.sequence = sequence;
      this.connection = request.getConnectionIndex();
      this.method = request.getMethod();
      HttpUrl url = request.getUrl();
      this.path = url.encodedPath();
      String query = url.encodedQuery();
      this.target = query == null ? path : path + "?" + query;
      Map<String, List<String>> map = new LinkedHashMap<>();
      for (int i = 0; i < request.getHeaders().size(); i++) {
        map.computeIfAbsent(request.getHeaders().name(i).toLowerCase(Locale.ROOT),
            k -> new ArrayList<>()).add(request.getHeaders().value(i));
      }
      map.replaceAll((k, v) -> List.copyOf(v));
      this.headers = Collections.unmodifiableMap(map);
      this.body = request.getBody() == null ? new byte[0] : request.getBody().toByteArray();
      this.fault = fault;
    }

    /** Returns the 0-based position of this request among all the server has read. */
    public int sequence() {
      return sequence;
    }

    /**
     * Returns the 0-based index of the connection this request came on, in the order the
     * server accepted connections: requests with the same index shared a connection.
     */
    public int connection() {
      return connection;
    }

    /** Returns the request method, such as {@code GET}. */
    public String method() {
      return method;
    }

    /** Returns the path, percent-encoded as sent, without query: {@code /items}. */
    public String path() {
      return path;
    }

    /** Returns the path and the query, if any, as sent: {@code /items?page=2}. */
    public String target() {
      return target;
    }

    /**
     * Returns the request headers: names in lower case, values in the order received. The map
     * is unmodifiable.
     */
    public Map<String, List<String>> headers() {
      return headers;
    }

    /** Returns the first value of the header {@code name} (any case), if it was sent. */
    public Optional<String> header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null ? Optional.empty() : Optional.of(values.get(0));
    }

    /** Returns a copy of the request body; empty if there was none. */
    public byte[] body() {
      return body.clone();
    }

    /** Returns the request body decoded as UTF-8. */
    public String bodyAsString() {
      return new String(body, StandardCharsets.UTF_8);
    }

    /** Returns the fault the server answered this request with. */
    public Fault fault() {
      return fault;
    }

    @Override
    public String toString() {
      return "RecordedCall[#" + sequence + " " + method + " " + target + " -> " + fault + "]";
    }
  }
}
