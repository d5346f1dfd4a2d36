package dev.resilienthttp.cli.simulate;

/** Nearest-rank percentiles of sorted samples. */
final class Percentiles {

  private Percentiles() {}

  /** The nearest-rank {@code percentile} (0 to 100) of {@code sorted}; 0 when it is empty. */
  static long of(long[] sorted, double percentile) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(rank, sorted.length) - 1)];
  }
}
