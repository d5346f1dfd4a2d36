package dev.resilienthttp.cli.simulate;

import java.util.Arrays;

/**
 * Counts events (attempts reaching the server, retries) over virtual time, in buckets of 10 ms
 * from the start of a run. Several runs may add to one timeline; {@link #runs} says how many,
 * and rates are then averages per run. Not thread-safe: a simulation runs on one thread.
 */
final class Timeline {

  static final long BUCKET_NANOS = 10_000_000L;

  private long[] counts = new long[1024];
  private int used;
  private long total;
  private int runs = 1;

  /** Counts one event {@code atNanos} after the start of the run. */
  void add(long atNanos) {
    int bucket = (int) Math.max(0, atNanos / BUCKET_NANOS);
    if (bucket >= counts.length) {
      counts = Arrays.copyOf(counts, Math.max(bucket + 1, counts.length * 2));
    }
    counts[bucket]++;
    used = Math.max(used, bucket + 1);
    total++;
  }

  /** Says that the events of {@code runs} runs were added, so rates are averaged over them. */
  void runs(int runs) {
    this.runs = runs;
  }

  long total() {
    return total;
  }

  /** The end of the last bucket holding an event, in nanoseconds from the start of a run. */
  long endNanos() {
    return used * BUCKET_NANOS;
  }

  /**
   * The highest rate, in events per second averaged over the runs, over consecutive windows of
   * {@code windowNanos} (rounded to whole buckets) from the start of the run.
   */
  double peakPerSecond(long windowNanos) {
    int width = (int) Math.max(1, windowNanos / BUCKET_NANOS);
    long peak = 0;
    for (int start = 0; start < used; start += width) {
      long sum = 0;
      for (int i = start; i < Math.min(used, start + width); i++) {
        sum += counts[i];
      }
      peak = Math.max(peak, sum);
    }
    return peak / (double) runs / (width * BUCKET_NANOS / 1e9);
  }

  /**
   * The rate, in events per second averaged over the runs, in each of {@code columns} equal
   * slices of {@code [0, spanNanos)}. A bucket counts in the slice holding its start.
   */
  double[] perSecond(int columns, long spanNanos) {
    double[] rates = new double[columns];
    double sliceNanos = (double) spanNanos / columns;
    for (int i = 0; i < used; i++) {
      int column = (int) (i * BUCKET_NANOS / sliceNanos);
      if (column >= columns) {
        break;
      }
      rates[column] += counts[i];
    }
    for (int c = 0; c < columns; c++) {
      // The slice's real width in buckets: slices are not whole buckets when span/columns is not.
      long first = (long) Math.ceil(c * sliceNanos / BUCKET_NANOS);
      long last = (long) Math.ceil((c + 1) * sliceNanos / BUCKET_NANOS);
      long buckets = Math.max(1, last - first);
      rates[c] = rates[c] / runs / (buckets * BUCKET_NANOS / 1e9);
    }
    return rates;
  }
}
