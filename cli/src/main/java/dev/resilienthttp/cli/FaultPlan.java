package dev.resilienthttp.cli;

import dev.resilienthttp.testing.Fault;
import dev.resilienthttp.testing.FaultServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's flaky server, call by call: call {@code i} gets its own path, {@code /items/i},
 * scripted with a short sequence of faults drawn from the seed and {@code i} alone. Replaying
 * the plan (re-scripting every path, which restarts its count) gives the next client exactly the
 * same faults, call by call, whatever order concurrent calls reach the server in.
 *
 * <p>Immutable.
 */
final class FaultPlan {

  /** Both clients' request timeout: an unanswered request fails after this long. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);

  /** How long the server sits on a request it does not answer (longer than the timeout). */
  static final Duration NO_ANSWER_DELAY = Duration.ofSeconds(3);

  /** The Retry-After of a 429, in seconds: small, to keep the demo short. */
  static final int RETRY_AFTER_SECONDS = 1;

  /** What the server does with the requests of one call, in order; the last step repeats. */
  enum Kind {
    FAST(0.0, "200 at once"),
    SLOW(0.10, "200 after 50-150 ms"),
    UNAVAILABLE_ONCE(0.07, "503, then 200"),
    UNAVAILABLE_TWICE(0.03, "503, 503, then 200"),
    OUTAGE(0.01, "503 four times, then 200 (outlasts 3 attempts)"),
    RATE_LIMITED(0.025, "429 with Retry-After: " + RETRY_AFTER_SECONDS + ", then 200"),
    RESET(0.05, "connection reset, then 200"),
    NO_ANSWER(0.02, "no answer for " + NO_ANSWER_DELAY.toSeconds() + " s (timeout), then 200");

    /** The share of calls of this kind; FAST takes what the others leave. */
    final double share;

    final String description;

    Kind(double share, String description) {
      this.share = share;
      this.description = description;
    }
  }

  /** One call's scripted faults. */
  static final class Call {
    final int index;
    final Kind kind;
    final List<Fault> faults;

    Call(int index, Kind kind, List<Fault> faults) {
      this.index = index;
      this.kind = kind;
      this.faults = faults;
    }

    String path() {
      return "/items/" + index;
    }
  }

  private final long seed;
  private final List<Call> calls;

  private FaultPlan(long seed, List<Call> calls) {
    this.seed = seed;
    this.calls = calls;
  }

  /** Draws the faults of {@code calls} calls from {@code seed}: same seed, same plan. */
  static FaultPlan of(long seed, int calls) {
    List<Call> list = new ArrayList<>(calls);
    for (int i = 0; i < calls; i++) {
      Kind kind = kindFor(uniform(seed, 2L * i));
      // A second, independent draw for the slow responses' delay: 50 to 150 ms.
      long slowMillis = 50 + (long) (uniform(seed, 2L * i + 1) * 101);
      list.add(new Call(i, kind, faultsFor(i, kind, slowMillis)));
    }
    return new FaultPlan(seed, Collections.unmodifiableList(list));
  }

  private static Kind kindFor(double u) {
    double upTo = 0.0;
    for (Kind kind : Kind.values()) {
      if (kind == Kind.FAST) {
        continue;
      }
      upTo += kind.share;
      if (u < upTo) {
        return kind;
      }
    }
    return Kind.FAST;
  }

  private static List<Fault> faultsFor(int index, Kind kind, long slowMillis) {
    Fault ok = Fault.ok("{\"item\":" + index + "}").header("Content-Type", "application/json");
    Fault unavailable = Fault.status(503).body("{\"error\":\"unavailable\"}");
    switch (kind) {
      case FAST:
        return List.of(ok);
      case SLOW:
        return List.of(ok.delay(Duration.ofMillis(slowMillis)));
      case UNAVAILABLE_ONCE:
        return List.of(unavailable, ok);
      case UNAVAILABLE_TWICE:
        return List.of(unavailable, unavailable, ok);
      case RATE_LIMITED:
        return List.of(
            Fault.status(429).header("Retry-After", String.valueOf(RETRY_AFTER_SECONDS)), ok);
      case RESET:
        // java.net.http silently resends a GET once when the connection resets before the
        // response starts, so the reset is scripted for that resend too: the caller sees it.
        return List.of(Fault.resetBeforeHeaders(), Fault.resetBeforeHeaders(), ok);
      case NO_ANSWER:
        return List.of(ok.delay(NO_ANSWER_DELAY), ok);
      case OUTAGE:
        return List.of(unavailable, unavailable, unavailable, unavailable, ok);
      default:
        throw new AssertionError(kind);
    }
  }

  /** Scripts every call's path on {@code server}, restarting each path's request count. */
  void scriptOn(FaultServer server) {
    for (Call call : calls) {
      server.script("GET", call.path(), call.faults);
    }
  }

  long seed() {
    return seed;
  }

  List<Call> calls() {
    return calls;
  }

  /** How many calls of each kind, every kind present, in declaration order. */
  Map<Kind, Integer> countByKind() {
    Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
    for (Kind kind : Kind.values()) {
      counts.put(kind, 0);
    }
    for (Call call : calls) {
      counts.merge(call.kind, 1, Integer::sum);
    }
    return counts;
  }

  /*
   * A uniform double in [0, 1) from (seed, index) alone (the SplitMix64 finaliser), so a call's
   * faults depend on nothing but the seed and the call's number.
   */
  static double uniform(long seed, long index) {
    long z = seed + (index + 1L) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    return (z >>> 11) * 0x1.0p-53;
  }
}
