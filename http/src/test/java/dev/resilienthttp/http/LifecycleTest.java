package dev.resilienthttp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.http.Harness.Outcome;
import dev.resilienthttp.http.Harness.Path;
import dev.resilienthttp.http.internal.jdk.Lifecycle;
import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import dev.resilienthttp.testing.FaultServerExtension;
import dev.resilienthttp.testing.VirtualTime;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * close, shutdown and shutdownNow: calls after them fail with an IOException, waiting calls stop,
 * and on JDK 21 and later (CI's Temurin 25 leg) they reach the wrapped client.
 */
@ExtendWith(FaultServerExtension.class)
class LifecycleTest {

  private final Harness h = new Harness();

  private static HttpClient plainClient() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  private static boolean terminated(HttpClient delegate) throws Exception {
    return (boolean) HttpClient.class.getMethod("isTerminated").invoke(delegate);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void afterCloseACallFailsWithAnIOExceptionAndTheDelegateIsClosedToo(Path path, FaultServer server)
      throws Exception {
    HttpClient delegate = plainClient();
    ResilientHttpClient client = h.client(delegate, Harness.backoff(3, Duration.ofMillis(100))).build();
    server.scriptAll(Fault.ok("fine"));
    assertThat(h.call(path, client, Harness.get(server, "/a")).response().body()).isEqualTo("fine");

    client.close();

    Outcome<String> after = h.call(path, client, Harness.get(server, "/a"));
    assertThat(after.failure(CallRejectedException.class)).hasMessage("the client was shut down");
    assertThat(server.requestCount()).as("nothing sent after close").isEqualTo(1);
    assertThat(client.isTerminated()).isTrue();
    if (Lifecycle.supported()) {
      assertThat(terminated(delegate)).as("JDK 21+: close reached the delegate").isTrue();
    }
  }

  @Test
  void shutdownNowDuringAnAsyncRetryWaitFailsTheCallAtOnceAndNoRetryGoesOut(FaultServer server)
      throws Exception {
    HttpClient delegate = plainClient();
    ResilientHttpClient client = h.client(delegate, FixedDelayRetrier.of(3, Duration.ofSeconds(10))).build();
    server.scriptAll(Fault.status(503));
    CompletableFuture<HttpResponse<String>> call =
        h.sendAsync(client, Harness.get(server, "/w"), BodyHandlers.ofString());
    Harness.awaitCondition(h.events.retryScheduled, () -> h.time.pendingTasks() == 1, "the retry wait");

    client.shutdownNow();

    assertThat(call).isCompletedExceptionally();
    assertThat(h.await(call).failure(CallRejectedException.class)).hasMessage("the client was shut down");
    h.time.advance(Duration.ofMinutes(1));
    assertThat(server.requestCount()).as("the retry never went out").isEqualTo(1);
    assertThat(h.time.pendingTasks()).as("its wait was cancelled").isZero();
    if (Lifecycle.supported()) {
      assertThat(client.awaitTermination(Duration.ofSeconds(10))).isTrue();
      assertThat(terminated(delegate)).as("JDK 21+: shutdownNow reached the delegate").isTrue();
    }
  }

  @Test
  void shutdownNowDuringASyncRetryWaitFailsTheCallAtOnceAndNoRetryGoesOut(FaultServer server)
      throws Exception {
    VirtualTime time = VirtualTime.withBlockingSleeps();
    ResilientHttpClient client = ResilientHttpClient.newBuilder(plainClient())
        .retrier(FixedDelayRetrier.of(3, Duration.ofSeconds(10)))
        .timeSource(time)
        .build();
    server.scriptAll(Fault.status(503));
    CompletableFuture<Throwable> thrown = CompletableFuture.supplyAsync(() -> {
      try {
        client.send(Harness.get(server, "/w"), BodyHandlers.ofString());
        return null;
      } catch (Throwable failure) {
        return failure;
      }
    });
    Harness.eventually(() -> time.pendingTasks() == 1, "the caller sleeps in its retry wait");

    client.shutdownNow();

    assertThat(thrown.get(10, TimeUnit.SECONDS))
        .isInstanceOf(CallRejectedException.class)
        .hasMessage("the client was shut down");
    time.advance(Duration.ofMinutes(1));
    assertThat(server.requestCount()).as("the retry never went out").isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Path.class)
  void aShutDownDelegatesIOExceptionIsNeverRetried(Path path, FaultServer server) throws Exception {
    HttpClient delegate = plainClient();
    ResilientHttpClient client = h.client(delegate, Harness.backoff(3, Duration.ofMillis(100))).build();
    server.scriptAll(Fault.ok("fine"));
    if (!Lifecycle.supported()) {
      // JDK 17 cannot shut a client down; the wrapper's own shutdown is what stops calls there.
      client.shutdown();
      assertThat(h.call(path, client, Harness.get(server, "/a")).failure()).isInstanceOf(IOException.class);
      assertThat(server.requestCount()).isZero();
      return;
    }
    HttpClient.class.getMethod("shutdownNow").invoke(delegate);

    Outcome<String> outcome = h.call(path, client, Harness.get(server, "/a"));

    assertThat(outcome.failure()).isInstanceOf(IOException.class);
    assertThat(h.events.attemptsStarted).as("one attempt, not retried").containsExactly(1);
    assertThat(server.requestCount()).isZero();
  }
}
