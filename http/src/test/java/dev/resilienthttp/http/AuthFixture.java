package dev.resilienthttp.http;

import dev.resilienthttp.http.internal.auth.BearerTokens;
import dev.resilienthttp.http.auth.TokenSource;
import dev.resilienthttp.http.auth.AccessToken;
import dev.resilienthttp.http.auth.AuthListener;
import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.http.Harness.Outcome;
import dev.resilienthttp.http.Harness.Path;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.VirtualTime;
import dev.resilienthttp.time.ScheduledTask;
import dev.resilienthttp.time.TimeSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * What the bearer-token tests share: a virtual clock, a plain HTTP/1.1 client, records of the
 * engine's and the auth listener's events, a token source fetching {@code POST /auth/token}
 * through the client under test, and calls down either path that virtual time is driven for.
 *
 * <p>A synchronous call runs on a thread of its own so that the test thread can move virtual
 * time for what it waits on (a token fetch's retries run on timers). Close it after the test.
 */
final class AuthFixture implements AutoCloseable {

  static final String TOKEN_PATH = "/auth/token";

  final VirtualTime time;
  /** The clients' time: {@link #time}, counting the token refresh timers apart from the calls' own. */
  final TokenTimers clientTime;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  final Harness.Events events = new Harness.Events();
  final AuthEvents auth = new AuthEvents();
  final FaultServer server;
  private final ExecutorService syncCallers = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "sync-caller");
    thread.setDaemon(true);
    return thread;
  });

  AuthFixture(FaultServer server) {
    this(server, VirtualTime.create());
  }

  AuthFixture(FaultServer server, VirtualTime time) {
    this.server = server;
    this.time = time;
    this.clientTime = new TokenTimers(time);
  }

  /** A client on virtual time with a token source on the server's token endpoint (1 h tokens). */
  ResilientHttpClient.Builder client(Retrier retrier) {
    return client(retrier, tokenEndpoint(Duration.ofHours(1)));
  }

  ResilientHttpClient.Builder client(Retrier retrier, TokenSource tokens) {
    return client(http, retrier, tokens);
  }

  /** As {@link #client(Retrier, TokenSource)}, sending every attempt through {@code delegate}. */
  ResilientHttpClient.Builder client(HttpClient delegate, Retrier retrier, TokenSource tokens) {
    return ResilientHttpClient.newBuilder(delegate)
        .retrier(retrier)
        .timeSource(clientTime)
        .listener(events)
        .authListener(auth)
        .bearerTokens(tokens, "127.0.0.1", "localhost");
  }

  /**
   * Fetches {@code POST /auth/token} on the server; the body is the token, valid for {@code
   * lifetime} ({@code null}: without expiry).
   */
  TokenSource tokenEndpoint(Duration lifetime) {
    return tokenEndpoint(server.uri(TOKEN_PATH), lifetime);
  }

  static TokenSource tokenEndpoint(URI uri, Duration lifetime) {
    return client -> client
        .sendAsync(HttpRequest.newBuilder(uri)
                .POST(BodyPublishers.ofString("grant_type=client_credentials")).build(),
            BodyHandlers.ofString())
        .thenApply(response -> {
          if (response.statusCode() != 200) {
            throw new CompletionException(
                new IOException("token endpoint answered " + response.statusCode()));
          }
          return lifetime == null
              ? AccessToken.withoutExpiry(response.body())
              : AccessToken.of(response.body(), lifetime);
        });
  }

  HttpRequest get(String path) {
    return HttpRequest.newBuilder(server.uri(path)).build();
  }

  /** Starts a call down {@code path}; a synchronous one on a thread of its own. */
  CompletableFuture<HttpResponse<String>> start(Path path, ResilientHttpClient client, HttpRequest request) {
    if (path == Path.ASYNC) {
      return client.sendAsync(request, BodyHandlers.ofString());
    }
    return CompletableFuture.supplyAsync(() -> {
      try {
        return client.send(request, BodyHandlers.ofString());
      } catch (IOException | InterruptedException e) {
        throw new CompletionException(e);
      }
    }, syncCallers);
  }

  /**
   * Makes one call and moves virtual time whenever a timer is due until it completes: for calls
   * whose timers are only their own waits, one at a time. A cached token's refresh timer alone
   * does not move the clock (the call would jump to it while its request is on the wire); it runs
   * when the clock passes it.
   */
  Outcome<String> call(Path path, ResilientHttpClient client, HttpRequest request) {
    return outcome(time.drive(start(path, client, request), () -> pendingCallTimers() > 0));
  }

  /**
   * Drives virtual time while {@code mayAdvance} says so and a timer other than a token refresh
   * is pending, until {@code calls} complete; each call's completion wakes the driver to look at
   * {@code mayAdvance} again.
   */
  void drive(BooleanSupplier mayAdvance, CompletableFuture<?>... calls) {
    for (CompletableFuture<?> call : calls) {
      call.whenComplete((result, failure) -> time.wake());
    }
    time.drive(CompletableFuture.allOf(calls), () -> pendingCallTimers() > 0 && mayAdvance.getAsBoolean());
  }

  /** The tasks pending on {@link #time} other than the clients' token refresh timers. */
  int pendingCallTimers() {
    return time.pendingTasks() - clientTime.pendingRefreshes();
  }

  static Outcome<String> outcome(CompletableFuture<HttpResponse<String>> future) {
    try {
      return Outcome.of(future.get(30, TimeUnit.SECONDS));
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      while (cause instanceof CompletionException && cause.getCause() != null) {
        cause = cause.getCause();
      }
      return Outcome.failed(cause);
    } catch (CancellationException e) {
      return Outcome.failed(e);
    } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the call did not complete", e);
    }
  }

  /**
   * Waits until {@code condition} holds, for other threads doing real I/O. The bound (30 s of
   * real time) only stops a broken test from hanging; it is not a timing assertion.
   */
  static void awaitTrue(BooleanSupplier condition, String what) {
    awaitTrue(condition, () -> what);
  }

  /** As {@link #awaitTrue(BooleanSupplier, String)}, describing the state it waited in. */
  static void awaitTrue(BooleanSupplier condition, java.util.function.Supplier<String> what) {
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean() && System.nanoTime() - giveUp < 0) {
      java.util.concurrent.locks.LockSupport.parkNanos(100_000L);
    }
    if (!condition.getAsBoolean()) {
      throw new AssertionError("still waiting, after 30 s of real time, for: " + what.get());
    }
  }

  /** The Authorization header of each request the server read on {@code path}, in order. */
  List<String> authorizations(String path) {
    return server.requests().stream()
        .filter(call -> call.path().equals(path))
        .map(call -> call.header("Authorization").orElse("(none)"))
        .collect(Collectors.toList());
  }

  int tokenRequests() {
    return server.requestCount("POST", TOKEN_PATH);
  }

  @Override
  public void close() {
    syncCallers.shutdownNow();
  }

  /**
   * The virtual clock as the clients see it, counting the bearer-token refresh timers pending on
   * it. The count is raised before such a timer is queued and lowered after it left the queue,
   * so {@code time.pendingTasks() - pendingRefreshes()} never counts a refresh timer as a call's
   * (for a moment it may miss a call's timer instead; a driver that looked then is woken to look
   * again).
   */
  static final class TokenTimers implements TimeSource {
    private final VirtualTime time;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger scheduled = new AtomicInteger();

    TokenTimers(VirtualTime time) {
      this.time = time;
    }

    int pendingRefreshes() {
      return pending.get();
    }

    /** How many refresh timers were ever scheduled. */
    int scheduledRefreshes() {
      return scheduled.get();
    }

    @Override
    public long nanoTime() {
      return time.nanoTime();
    }

    @Override
    public void sleep(long nanos) throws InterruptedException {
      time.sleep(nanos);
    }

    @Override
    public ScheduledTask schedule(Runnable task, long delayNanos) {
      boolean fetchTimeout = task instanceof BearerTokens.FetchTimeout;
      if (!(task instanceof BearerTokens.RefreshDue) && !fetchTimeout) {
        return time.schedule(task, delayNanos);
      }
      if (!fetchTimeout) {
        scheduled.incrementAndGet();
      }
      pending.incrementAndGet();
      ScheduledTask timer = time.schedule(() -> {
        left();
        task.run();
      }, delayNanos);
      return () -> {
        boolean cancelled = timer.cancel();
        if (cancelled) {
          left();
        }
        return cancelled;
      };
    }

    /** A refresh timer left the queue: a driver that looked meanwhile looks again. */
    private void left() {
      pending.decrementAndGet();
      time.wake();
    }
  }

  /** Records the auth listener's events. Thread-safe. */
  static final class AuthEvents implements AuthListener {
    final List<Optional<Duration>> refreshed = new CopyOnWriteArrayList<>();
    final List<Throwable> refreshFailures = new CopyOnWriteArrayList<>();
    final List<String> rejected = new CopyOnWriteArrayList<>();
    final List<String> transitions = new CopyOnWriteArrayList<>();

    @Override
    public void onTokenRefreshed(Optional<Duration> lifetime) {
      refreshed.add(lifetime);
    }

    @Override
    public void onTokenRefreshFailed(Throwable failure) {
      refreshFailures.add(failure);
    }

    @Override
    public void onTokenRejected(String backend) {
      rejected.add(backend);
    }

    @Override
    public void onAuthBreakerTransition(String backend, CircuitBreaker.State from, CircuitBreaker.State to) {
      transitions.add(from + " -> " + to);
    }
  }
}
