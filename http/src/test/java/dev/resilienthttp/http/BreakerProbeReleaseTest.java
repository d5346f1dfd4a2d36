package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.breaker.CircuitBreakerListener;
import dev.resilienthttp.http.Harness.Outcome;
import dev.resilienthttp.http.Harness.Path;
import dev.resilienthttp.http.MisbehavingHttpClient.Act;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServerExtension;
import dev.resilienthttp.testing.VirtualTime;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Regression (issue failure 6): a half-open circuit breaker always learns what became of its
 * probe, so it never stays half-open with no probe in flight and every call refused: not when
 * the probe's delegate throws from {@code sendAsync}, and not when many threads' attempts are
 * cancelled, throw or fail at random. Against a real server, in virtual time.
 */
@ExtendWith(FaultServerExtension.class)
@Timeout(60) // a hang guard for the whole class, not a timing assertion
class BreakerProbeReleaseTest {

  private final Harness h = new Harness();

  private static Function<String, CircuitBreaker> breakers(VirtualTime time, int probes, CircuitBreakerListener listener) {
    return name -> CircuitBreaker.builder(name)
        .consecutiveFailureThreshold(1)
        .openDuration(Duration.ofSeconds(1))
        .halfOpenProbes(probes)
        .timeSource(time)
        .listener(listener)
        .build();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aProbeWhoseDelegateThrowsFromSendAsyncFreesTheProbeForTheNextCall(Path path, FaultServer server) {
    server.script("GET", "/api", Fault.status(503), Fault.ok("back"));
    MisbehavingHttpClient delegate = new MisbehavingHttpClient(h.http);
    ResilientHttpClient client = h.client(delegate, Retrier.none())
        .circuitBreakers(breakers(h.time, 1, new CircuitBreakerListener() {}))
        .build();

    assertThat(h.call(path, client, Harness.get(server, "/api")).response().statusCode()).isEqualTo(503);
    CircuitBreaker breaker = client.circuitBreaker(server.uri("/")).orElseThrow();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);

    h.time.advance(Duration.ofSeconds(1));
    delegate.plan = request -> Act.throwNow(new IllegalStateException("delegate refuses the probe"));
    Outcome<String> probe = h.call(path, client, Harness.get(server, "/api"));
    assertThat(probe.failure()).isNotNull();
    assertThat(delegate.thrown).as("the probe reached the delegate").hasValue(1);

    delegate.plan = request -> Act.forward();
    Outcome<String> next = h.call(path, client, Harness.get(server, "/api"));

    assertThat(next.response().statusCode()).as("the call after the failed probe was let through").isEqualTo(200);
    assertThat(next.response().body()).isEqualTo("back");
    assertThat(server.requestCount("GET", "/api")).isEqualTo(2);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  private static final int THREADS = 8;
  private static final int CALLS_PER_THREAD = 200;

  @Test
  @Timeout(120)
  void underConcurrentCancelledThrowingAndFailingAttemptsTheBreakerNeverKeepsALostProbe(FaultServer server)
      throws Exception {
    VirtualTime time = VirtualTime.create();
    server.script("GET", "/api", Fault.randomly(20260601L, 0.5, Fault.status(503), Fault.ok("ok")));
    MisbehavingHttpClient delegate = new MisbehavingHttpClient(h.http);
    AtomicLong attempts = new AtomicLong();
    delegate.plan = request -> {
      // Seeded by the attempt's number: which attempt gets what does not depend on the threads.
      switch (new SplittableRandom(attempts.getAndIncrement()).nextInt(5)) {
        case 0:
          return Act.throwNow(new IllegalStateException("delegate throws"));
        case 1:
          return Act.fail(new IOException("delegate fails"));
        case 2:
          return Act.cancelled();
        default:
          return Act.forward();
      }
    };
    AtomicInteger halfOpened = new AtomicInteger();
    ResilientHttpClient client = ResilientHttpClient.newBuilder(delegate)
        .timeSource(time)
        .circuitBreakers(name -> CircuitBreaker.builder(name)
            .consecutiveFailureThreshold(3)
            .openDuration(Duration.ofMillis(300))
            .halfOpenProbes(1)
            .timeSource(time)
            .listener(new CircuitBreakerListener() {
          @Override
          public void onStateTransition(String name, CircuitBreaker.State from, CircuitBreaker.State to) {
            if (to == CircuitBreaker.State.HALF_OPEN) {
              halfOpened.incrementAndGet();
            }
          }
        })
            .build())
        .build();
    HttpRequest get = Harness.get(server, "/api");
    AtomicInteger hung = new AtomicInteger();
    AtomicInteger rejected = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      boolean async = t % 2 == 0;
      SplittableRandom random = new SplittableRandom(1_000 + t);
      Thread thread = new Thread(() -> {
        for (int i = 0; i < CALLS_PER_THREAD; i++) {
          if (async) {
            CompletableFuture<HttpResponse<String>> call = client.sendAsync(get, BodyHandlers.ofString());
            int what = random.nextInt(3);
            if (what == 0) {
              call.cancel(true);
            } else if (what == 1) {
              for (int spin = random.nextInt(200); spin > 0 && !call.isDone(); spin--) {
                Thread.onSpinWait();
              }
              call.cancel(true);
            }
            try {
              call.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
              if (e.getCause() instanceof CallRejectedException) {
                rejected.incrementAndGet();
              }
            } catch (CancellationException e) {
              // cancelled by this caller
            } catch (TimeoutException e) {
              hung.incrementAndGet();
              call.cancel(true);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return;
            }
          } else {
            try {
              client.send(get, BodyHandlers.ofString());
            } catch (CallRejectedException e) {
              rejected.incrementAndGet();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return;
            } catch (Exception e) {
              // the delegate's misbehaviour, as the caller sees it
            }
          }
          time.advance(Duration.ofMillis(10));
        }
      }, (async ? "async" : "sync") + "-caller-" + t);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join(60_000);
      assertThat(thread.isAlive()).as(thread.getName() + " finished its calls").isFalse();
    }
    assertThat(hung).as("calls that had not ended 10 s after they started").hasValue(0);
    assertThat(halfOpened.get()).as("the breaker went half-open during the run").isGreaterThan(0);
    assertThat(rejected.get()).as("calls the breaker refused during the run").isGreaterThan(0);

    // Every call has ended. Whatever state the run left the breaker in, it must let a call
    // through once its open duration has passed: no probe slot may be held by a call that is over.
    CircuitBreaker breaker = client.circuitBreaker(server.uri("/")).orElseThrow();
    CircuitBreaker.State after = breaker.state();
    delegate.plan = request -> Act.forward();
    server.script("GET", "/api", Fault.ok("final"));
    time.advance(Duration.ofMillis(300));
    int before = server.requestCount("GET", "/api");

    HttpResponse<String> last;
    try {
      last = client.send(get, BodyHandlers.ofString());
    } catch (CallRejectedException refused) {
      throw new AssertionError("the breaker, " + after + " when every call had ended, refused a call"
          + " after its open duration: " + refused.getMessage(), refused);
    }

    assertThat(last.body()).isEqualTo("final");
    assertThat(server.requestCount("GET", "/api")).isEqualTo(before + 1);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }
}
