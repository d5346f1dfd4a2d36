package dev.resilienthttp.cli.simulate;

import dev.resilienthttp.retry.ExponentialBackoffRetrier;
import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.retry.Jitter;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.retry.Retry;
import dev.resilienthttp.testing.VirtualTime;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * N clients contending for one resource, in virtual time: the optimistic-concurrency model of
 * Marc Brooker's "Exponential Backoff And Jitter" (AWS Architecture Blog, 2015), whose
 * simulator (aws-samples/aws-arch-backoff-simulator) produced BENCHMARKS.md's reference CSV.
 *
 * <p>The model: one row with a version number. At time 0 every client reads the row's version,
 * then writes with that version; the write succeeds only if the version has not changed since
 * the read (no other write got in between), and bumps it. A client whose write failed waits its
 * backoff and starts over with a new read; it stops once its write succeeded. Every message
 * (read, its reply, write, its reply) crosses the network in |N(10 ms, 2 ms)|. The study counts
 * writes as "calls" and reports the mean over runs of the total calls and of the time the last
 * client finished.
 *
 * <p>What is the library's here: each client is one {@link Retry#callAsync} on a {@link
 * VirtualTime}, each attempt a read then a write, and the waits between attempts are the ones
 * {@link ExponentialBackoffRetrier} (with each {@link Jitter} mode) or {@link FixedDelayRetrier}
 * (no backoff) computes. Only the row, the network and the counting are the simulator's.
 */
/* Mapping the study's backoff onto the library's retriers. The study's exponential backoff
 * after the n-th failed write is min(cap, base * 2^n): 10, 20, 40 ms ... for base 5 ms; the
 * library's is min(maxDelay, initialDelay * 2^(n-1)), so initialDelay = 2 * base gives the same
 * sequence. Its decorrelated jitter is min(cap, uniform(base, 3 * previous)) starting from
 * previous = base, which is the library's DECORRELATED with initialDelay = base (the library
 * caps the upper bound rather than the draw: the same until 3 * previous passes the cap).
 * "No backoff" retries at once: FixedDelayRetrier with a zero delay. Every client retries until
 * it succeeds, as in the study: maxAttempts is Integer.MAX_VALUE. */
final class ContentionSimulation {

  private static final long NETWORK_STREAM = 0x0CC_0E7L;
  private static final long JITTER_STREAM = 0x0CC_71E2L;

  /** The study's network: each message takes |N(10 ms, 2 ms)|. */
  static final double NET_MEAN_MS = 10;
  static final double NET_SD_MS = 2;

  /** The backoff modes the study compared, in the order BENCHMARKS.md lists them. */
  enum Mode {
    NO_BACKOFF("no backoff", "None"),
    NO_JITTER("exponential, no jitter", "Exponential"),
    EQUAL("equal jitter", "EqualJitter"),
    FULL("full jitter", "FullJitter"),
    DECORRELATED("decorrelated jitter", "Decorr");

    final String label;
    /** The name of this mode in the study's CSV ("Algorithm" column). */
    final String studyName;

    Mode(String label, String studyName) {
      this.label = label;
      this.studyName = studyName;
    }

    /** This mode's retrier: the library's, set up as the study's backoff (see the notes). */
    Retrier retrier(Duration base, Duration cap, SplittableRandom jitter) {
      if (this == NO_BACKOFF) {
        return FixedDelayRetrier.of(Integer.MAX_VALUE, Duration.ZERO);
      }
      Jitter mode = this == NO_JITTER ? Jitter.NONE
          : this == EQUAL ? Jitter.EQUAL
          : this == FULL ? Jitter.FULL
          : Jitter.DECORRELATED;
      return ExponentialBackoffRetrier.builder()
          .maxAttempts(Integer.MAX_VALUE)
          .initialDelay(this == DECORRELATED ? base : base.multipliedBy(2))
          .maxDelay(cap)
          .multiplier(2.0)
          .jitter(mode)
          .random(jitter::nextDouble)
          .build();
    }

    /** The retrier's settings, as the report shows them. */
    String settings(Duration base, Duration cap) {
      if (this == NO_BACKOFF) {
        return "FixedDelayRetrier, 0 ms";
      }
      Duration initial = this == DECORRELATED ? base : base.multipliedBy(2);
      return "ExponentialBackoffRetrier, initial " + Units.option(initial) + ", cap "
          + Units.option(cap) + ", jitter " + (this == NO_JITTER ? "NONE" : name());
    }
  }

  private ContentionSimulation() {}

  /** Runs {@code runs} independent races of {@code clients} clients under {@code mode}. */
  static Result run(Mode mode, int clients, int runs, Duration base, Duration cap, long seed) {
    Timeline writes = new Timeline();
    Timeline retries = new Timeline();
    long[] completion = new long[clients * runs];
    long totalWrites = 0;
    long totalRunNanos = 0;
    for (int r = 0; r < runs; r++) {
      // The same network for every mode in run r; each mode its own jitter draws.
      long runSeed = seed * 1_000_003L + r;
      Race race = new Race(clients, new SplittableRandom(runSeed ^ NETWORK_STREAM), writes, retries);
      Retrier retrier = mode.retrier(base, cap,
          new SplittableRandom(runSeed ^ JITTER_STREAM ^ ((long) mode.ordinal() << 40)));
      long end = race.run(retrier, completion, r * clients);
      totalWrites += race.writes;
      totalRunNanos += end;
    }
    writes.runs(runs);
    retries.runs(runs);
    long[] sorted = completion.clone();
    Arrays.sort(sorted);
    return new Result(mode, clients, runs, totalWrites, totalRunNanos, sorted, writes, retries);
  }

  /** One race: the row, the clients, the network. */
  private static final class Race {
    private final int clients;
    private final SplittableRandom network;
    private final Timeline writeLoad;
    private final Timeline retryLoad;
    private final int[] writesByClient;
    private final VirtualTime time = VirtualTime.create();
    private final long origin = time.nanoTime();
    private long version;
    long writes;

    Race(int clients, SplittableRandom network, Timeline writeLoad, Timeline retryLoad) {
      this.clients = clients;
      this.network = network;
      this.writeLoad = writeLoad;
      this.retryLoad = retryLoad;
      this.writesByClient = new int[clients];
    }

    /** Runs the race to the end; returns when the last client finished, from the start. */
    long run(Retrier retrier, long[] completion, int offset) {
      Retry retry = Retry.builder().name("occ").retrier(retrier).timeSource(time).useScope(false).build();
      int[] finished = new int[1];
      long[] last = new long[1];
      for (int c = 0; c < clients; c++) {
        int client = c;
        retry.callAsync(() -> attempt(client)).whenComplete((ignored, failure) -> {
          if (failure != null) {
            throw new IllegalStateException("client " + client + " gave up", failure);
          }
          long now = time.nanoTime() - origin;
          completion[offset + client] = now;
          last[0] = Math.max(last[0], now);
          finished[0]++;
        });
      }
      while (time.runNext()) {
        // Each task queues the next message of its client.
      }
      if (finished[0] != clients) {
        throw new IllegalStateException((clients - finished[0]) + " clients never finished");
      }
      return last[0];
    }

    /** One attempt: read the version, write with it, learn whether the write won. */
    private CompletableFuture<Void> attempt(int client) {
      CompletableFuture<Void> outcome = new CompletableFuture<>();
      time.schedule(() -> {
        long read = version; // The read reaches the row.
        time.schedule(() -> // Its reply reaches the client, which sends the write at once.
            time.schedule(() -> write(client, read, outcome), network()), network());
      }, network());
      return outcome;
    }

    private void write(int client, long read, CompletableFuture<Void> outcome) {
      long now = time.nanoTime() - origin;
      writes++;
      writeLoad.add(now);
      if (writesByClient[client]++ > 0) {
        retryLoad.add(now);
      }
      boolean won = version == read;
      if (won) {
        version++;
      }
      time.schedule(() -> {
        if (won) {
          outcome.complete(null);
        } else {
          outcome.completeExceptionally(new Conflict());
        }
      }, network());
    }

    /** One message's trip: |N(10 ms, 2 ms)|, as the study's. */
    private long network() {
      double u = 1.0 - network.nextDouble();
      double v = network.nextDouble();
      double gaussian = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      return Math.round(Math.abs(NET_MEAN_MS + NET_SD_MS * gaussian) * 1e6);
    }
  }

  /** A write that lost the race. No stack trace: it is an outcome, not a bug. */
  static final class Conflict extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Conflict() {
      super("the row changed since it was read", null, false, false);
    }
  }

  /**
   * What a mode gave over all runs.
   *
   * @param writes writes (the study's "calls") over all runs
   * @param runNanos the sum over runs of the time the last client finished
   * @param sortedCompletionNanos each client's time to success, every run, ascending
   */
  record Result(
      Mode mode,
      int clients,
      int runs,
      long writes,
      long runNanos,
      long[] sortedCompletionNanos,
      Timeline load,
      Timeline retries) {

    /** Mean writes per run: what the study calls "calls". */
    double callsPerRun() {
      return writes / (double) runs;
    }

    double callsPerClient() {
      return callsPerRun() / clients;
    }

    /** Mean over runs of the time the last client finished: the study's "time". */
    long meanRunNanos() {
      return runNanos / runs;
    }

    long completionPercentileNanos(double percentile) {
      return Percentiles.of(sortedCompletionNanos, percentile);
    }

    /** The peak of the run-averaged retry writes, per second, in 100 ms windows. */
    double peakRetriesPerSecond() {
      return retries.peakPerSecond(100_000_000L);
    }
  }
}
