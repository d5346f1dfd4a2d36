package dev.resilienthttp.cli.simulate;

import dev.resilienthttp.breaker.CallNotPermittedException;
import dev.resilienthttp.http.CallRejectedException;
import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.http.ResilientHttpClient;
import dev.resilienthttp.retry.ExponentialBackoffRetrier;
import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.retry.Retry;
import dev.resilienthttp.retry.RetryContext;
import dev.resilienthttp.retry.RetryExhaustedException;
import dev.resilienthttp.retry.RetryListener;
import dev.resilienthttp.testing.VirtualTime;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import picocli.CommandLine;

/**
 * A way of calling the backend. Every policy runs the library's own code on virtual time: the
 * first three through {@link ResilientHttpClient} (its HTTP rules, its per-backend retry budget,
 * its circuit breaker, its Retry-After handling), the peer-like one through the bare {@link
 * Retry} engine, as a generic retry library would wrap the call.
 */
enum Policy {
  DEFAULT("default",
      "ResilientHttpClient, ExponentialBackoffRetrier defaults (3 attempts, 100 ms, x2, 5 s cap,"
          + " full jitter); retry budget on (500 tokens, a retry costs 5); Retry-After honoured"),
  NO_BUDGET("no-budget", "the same, with .noRetryBudget()"),
  BREAKER("breaker",
      "default plus .circuitBreakers(CircuitBreaker defaults: opens after 5 failures in a row or"
          + " 50 % of 20 calls, 30 s open, 1 probe)"),
  PEER_LIKE("peer-like",
      "a generic retry loop as peers ship it (Resilience4j's defaults: 3 attempts, fixed 500 ms):"
          + " every failure retried, no budget, no breaker, Retry-After ignored");

  /** Resilience4j's RetryConfig defaults: maxAttempts 3, waitDuration 500 ms. */
  static final int PEER_ATTEMPTS = 3;

  static final Duration PEER_WAIT = Duration.ofMillis(500);

  final String cliName;
  final String description;

  Policy(String cliName, String description) {
    this.cliName = cliName;
    this.description = description;
  }

  /** Makes calls under this policy; each returns the final status, or fails without one. */
  interface Caller {
    CompletableFuture<Integer> call(HttpRequest request);
  }

  /**
   * Builds this policy's caller on {@code time}, sending through {@code backend}, drawing its
   * jitter from {@code jitter} and reporting give-ups to {@code giveUps}.
   */
  Caller caller(VirtualTime time, SimulatedBackend backend, SplittableRandom jitter,
      GiveUps giveUps) {
    if (this == PEER_LIKE) {
      Retry retry = Retry.builder()
          .name("peer-like")
          .retrier(FixedDelayRetrier.of(PEER_ATTEMPTS, PEER_WAIT))
          .timeSource(time)
          .useScope(false)
          .listener(giveUps)
          .build();
      return request -> retry
          .callAsync(() -> backend.sendAsync(request, BodyHandlers.discarding())
              .thenApply(Policy::statusOrThrow))
          .handle((status, failure) -> {
            if (failure == null) {
              return status;
            }
            Throwable cause = unwrap(failure);
            if (cause instanceof RetryExhaustedException
                && cause.getCause() instanceof StatusFailure) {
              return ((StatusFailure) cause.getCause()).status;
            }
            throw new CompletionException(cause);
          });
    }
    ResilientHttpClient.Builder builder = ResilientHttpClient.newBuilder(backend)
        .timeSource(time)
        .retrier(ExponentialBackoffRetrier.ofDefaults().toBuilder().random(jitter::nextDouble).build())
        .random(jitter::nextDouble) // the Retry-After gate's release spread
        .listener(giveUps);
    if (this == NO_BUDGET) {
      builder.noRetryBudget();
    }
    if (this == BREAKER) {
      builder.circuitBreakers(key -> CircuitBreaker.builder(key).timeSource(time).build());
    }
    ResilientHttpClient client = builder.build();
    return request -> client.sendAsync(request, BodyHandlers.discarding())
        .thenApply(HttpResponse::statusCode);
  }

  /** What a generic retry library sees: a non-2xx response is a failure to retry. */
  private static int statusOrThrow(HttpResponse<?> response) {
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return status;
    }
    throw new CompletionException(new StatusFailure(status));
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable current = failure;
    while (current instanceof CompletionException && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }

  static String names() {
    return Arrays.stream(values()).map(p -> p.cliName).collect(Collectors.joining(", "));
  }

  /** A failed status, as the peer-like retry loop throws it. No stack trace: it is data. */
  static final class StatusFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    StatusFailure(int status) {
      super("status code " + status, null, false, false);
      this.status = status;
    }
  }

  /** Counts why calls stopped retrying early: the budget, or the breaker. */
  static final class GiveUps implements RetryListener {
    int budgetExhausted;
    int breakerRejected;

    @Override
    public void onGiveUp(RetryContext context, GiveUpReason reason, int attempts, Throwable failure) {
      if (reason == GiveUpReason.BUDGET_EXHAUSTED) {
        budgetExhausted++;
      } else if (reason == GiveUpReason.CIRCUIT_OPEN
          || (failure instanceof CallRejectedException && failure.getCause() instanceof CallNotPermittedException)) {
        breakerRejected++;
      }
    }
  }

  /** Reads a comma-separated list of policies by their command-line names. */
  static final class Converter implements CommandLine.ITypeConverter<Policy> {
    @Override
    public Policy convert(String value) {
      String name = value.strip().toLowerCase(Locale.ROOT);
      for (Policy policy : values()) {
        if (policy.cliName.equals(name)) {
          return policy;
        }
      }
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a policy; expected one of: " + names());
    }
  }
}
