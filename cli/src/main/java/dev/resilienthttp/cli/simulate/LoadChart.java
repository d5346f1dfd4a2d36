package dev.resilienthttp.cli.simulate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The server's load over time, one series per policy: a sparkline per series for the terminal,
 * and the same chart as a hand-written SVG document.
 */
final class LoadChart {

  private static final String BLOCKS = " ▁▂▃▄▅▆▇█";
  private static final String ASCII = " .:-=+*#%@";
  private static final String[] COLOURS = {
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2"
  };
  /** Dash patterns, so that series drawn over one another (equal results) stay visible. */
  private static final String[] DASHES = {"none", "7 3", "2 3", "10 3 2 3", "4 4", "1 2", "12 4"};

  private record Series(String label, Timeline timeline) {}

  private final String title;
  private final String unit;
  private final long spanNanos;
  private final long faultStartNanos;
  private final long faultEndNanos;
  private final List<Series> series = new ArrayList<>();

  /**
   * A chart of {@code [0, spanNanos)}, shading the fault window {@code [faultStart, faultEnd)}
   * (none when they are equal).
   *
   * @param unit what is counted, per second: {@code "attempts"}, {@code "writes"}
   */
  LoadChart(String title, String unit, long spanNanos, long faultStartNanos, long faultEndNanos) {
    this.title = title;
    this.unit = unit;
    this.spanNanos = spanNanos;
    this.faultStartNanos = faultStartNanos;
    this.faultEndNanos = Math.min(faultEndNanos, spanNanos);
  }

  LoadChart add(String label, Timeline timeline) {
    series.add(new Series(label, timeline));
    return this;
  }

  /** The chart as text, {@code columns} wide, in block characters or plain ASCII. */
  String text(int columns, boolean ascii) {
    String glyphs = ascii ? ASCII : BLOCKS;
    List<double[]> rates = new ArrayList<>();
    double max = 0;
    for (Series s : series) {
      double[] r = s.timeline.perSecond(columns, spanNanos);
      rates.add(r);
      for (double v : r) {
        max = Math.max(max, v);
      }
    }
    int labelWidth = 6;
    for (Series s : series) {
      labelWidth = Math.max(labelWidth, s.label.length());
    }
    String nl = System.lineSeparator();
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%s (%s/s; one column = %s; full %s = %s/s)",
        title, unit, Units.time(spanNanos / columns), glyphs.charAt(glyphs.length() - 1),
        Units.rate(max))).append(nl);
    for (int i = 0; i < series.size(); i++) {
      double[] r = rates.get(i);
      double peak = 0;
      StringBuilder line = new StringBuilder();
      for (double v : r) {
        peak = Math.max(peak, v);
        int level = v <= 0 || max <= 0 ? 0
            : Math.max(1, (int) Math.ceil(v / max * (glyphs.length() - 1)));
        line.append(glyphs.charAt(level));
      }
      out.append(String.format(Locale.ROOT, "  %-" + labelWidth + "s %s  peak %s/s",
          series.get(i).label, line, Units.rate(peak))).append(nl);
    }
    if (faultEndNanos > faultStartNanos) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < columns; c++) {
        long from = spanNanos * c / columns;
        long to = spanNanos * (c + 1) / columns;
        boolean on = from < faultEndNanos && to > faultStartNanos;
        line.append(on ? (ascii ? '#' : '━') : (ascii ? '.' : '·'));
      }
      out.append(String.format(Locale.ROOT, "  %-" + labelWidth + "s %s", "fault", line)).append(nl);
    }
    String start = "0 s";
    String end = Units.time(spanNanos);
    int gap = Math.max(1, columns - start.length() - end.length());
    out.append("  ").append(" ".repeat(labelWidth + 1)).append(start).append(" ".repeat(gap))
        .append(end).append(nl);
    return out.toString();
  }

  /** The chart as a standalone SVG document, drawn from {@code points} samples per series. */
  String svg(int points) {
    int width = 900;
    int height = 380;
    int left = 70;
    int right = 190;
    int top = 50;
    int bottom = 55;
    double plotWidth = width - left - right;
    double plotHeight = height - top - bottom;
    List<double[]> rates = new ArrayList<>();
    double max = 0;
    for (Series s : series) {
      double[] r = s.timeline.perSecond(points, spanNanos);
      rates.add(r);
      for (double v : r) {
        max = Math.max(max, v);
      }
    }
    double yStep = niceStep(max <= 0 ? 1 : max / 5);
    double yMax = Math.max(yStep, Math.ceil(max / yStep) * yStep);
    double seconds = spanNanos / 1e9;
    double xStep = niceStep(seconds / 8);

    StringBuilder svg = new StringBuilder();
    svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    svg.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
            + " font-family=\"sans-serif\" font-size=\"12\">%n", width, height, width, height));
    svg.append(String.format(Locale.ROOT, "  <title>%s</title>%n", escape(title)));
    svg.append(String.format(Locale.ROOT,
        "  <rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
    svg.append(String.format(Locale.ROOT,
        "  <text x=\"%d\" y=\"24\" font-size=\"15\" font-weight=\"bold\">%s</text>%n",
        left, escape(title)));
    if (faultEndNanos > faultStartNanos) {
      double x0 = left + plotWidth * faultStartNanos / spanNanos;
      double x1 = left + plotWidth * faultEndNanos / spanNanos;
      svg.append(String.format(Locale.ROOT,
          "  <rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"#f4cccc\"/>%n",
          x0, top, x1 - x0, plotHeight));
      svg.append(String.format(Locale.ROOT,
          "  <text x=\"%.1f\" y=\"%d\" fill=\"#a33\">fault</text>%n", x0 + 4, top + 14));
    }
    for (double y = 0; y <= yMax + yStep / 2; y += yStep) {
      double py = top + plotHeight - plotHeight * y / yMax;
      svg.append(String.format(Locale.ROOT,
          "  <line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
          left, py, left + plotWidth, py));
      svg.append(String.format(Locale.ROOT,
          "  <text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
          left - 6, py + 4, escape(trim(y))));
    }
    for (double x = 0; x <= seconds + 1e-9; x += xStep) {
      double px = left + plotWidth * x / seconds;
      svg.append(String.format(Locale.ROOT,
          "  <line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>%n",
          px, top + plotHeight, px, top + plotHeight + 5));
      svg.append(String.format(Locale.ROOT,
          "  <text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n",
          px, top + plotHeight + 19, escape(trim(x) + " s")));
    }
    svg.append(String.format(Locale.ROOT,
        "  <rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#888\"/>%n",
        left, top, plotWidth, plotHeight));
    svg.append(String.format(Locale.ROOT,
        "  <text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">virtual time</text>%n",
        left + plotWidth / 2, height - 10));
    svg.append(String.format(Locale.ROOT,
        "  <text transform=\"translate(16 %.1f) rotate(-90)\" text-anchor=\"middle\">%s</text>%n",
        top + plotHeight / 2, escape(unit + " per second")));
    for (int i = 0; i < series.size(); i++) {
      double[] r = rates.get(i);
      String colour = COLOURS[i % COLOURS.length];
      String dash = DASHES[i % DASHES.length];
      StringBuilder pts = new StringBuilder();
      for (int p = 0; p < r.length; p++) {
        double px = left + plotWidth * (p + 0.5) / r.length;
        double py = top + plotHeight - plotHeight * r[p] / yMax;
        pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
      }
      svg.append(String.format(Locale.ROOT,
          "  <polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"%s\""
              + " points=\"%s\"><title>%s</title></polyline>%n",
          colour, dash, pts.toString().strip(), escape(series.get(i).label)));
      double ly = top + 10 + i * 20;
      svg.append(String.format(Locale.ROOT,
          "  <line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\""
              + " stroke-dasharray=\"%s\"/>%n",
          left + plotWidth + 15, ly, left + plotWidth + 35, ly, colour, dash));
      svg.append(String.format(Locale.ROOT, "  <text x=\"%.1f\" y=\"%.1f\">%s</text>%n",
          left + plotWidth + 40, ly + 4, escape(series.get(i).label)));
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  /** 1, 2 or 5 times a power of ten, at least {@code rough}. */
  static double niceStep(double rough) {
    double power = Math.pow(10, Math.floor(Math.log10(rough)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * power >= rough) {
        return m * power;
      }
    }
    return 10 * power;
  }

  /** {@code 5}, {@code 1,500}, {@code 0.25}: no trailing zeros. */
  private static String trim(double value) {
    return value == Math.rint(value)
        ? String.format(Locale.ROOT, "%,d", (long) value)
        : String.format(Locale.ROOT, "%.3f", value).replaceAll("0+$", "");
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&apos;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
