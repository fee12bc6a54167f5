package dev.patchbay.loadgen;

import dev.patchbay.core.json.Json;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import tools.jackson.databind.JsonNode;

/**
 * Draws p99 latency (log scale) against offered load, one line per system, into a PNG, with the JDK
 * alone (headless AWT and ImageIO). Input: the CSV files of {@code patchbay bench sweep} and the
 * JSON lines that {@code ../shared/peer-bench} prints (fields system, N, RATE, p99ms, delivered,
 * expectedDeliveries), whose series are named {@code <system> (peer-bench)}. A hollow marker is a
 * run that lost deliveries or was cut short.
 */
final class Chart {
  /** One measured point. */
  record Point(String system, double offered, double p99ms, boolean complete) {}

  private static final Color[] PALETTE = {
    new Color(0x1f77b4),
    new Color(0xd62728),
    new Color(0x2ca02c),
    new Color(0x9467bd),
    new Color(0xff7f0e),
    new Color(0x8c564b),
    new Color(0x17becf),
    new Color(0x7f7f7f)
  };

  private Chart() {}

  /** Reads the points of a sweep CSV or of peer-bench JSON lines (chosen by the content). */
  static List<Point> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    List<Point> points = new ArrayList<>();
    List<String> header = null;
    for (String line : lines) {
      String l = line.trim();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      if (l.startsWith("{")) {
        JsonNode n = Json.parse(l);
        if (!n.has("p99ms") || !n.has("system")) {
          continue;
        }
        double offered =
            n.has("offeredOpsPerSec")
                ? n.path("offeredOpsPerSec").asDouble()
                : n.path("N").asDouble() * n.path("RATE").asDouble();
        boolean complete =
            !n.has("delivered")
                || n.path("delivered").asLong() >= n.path("expectedDeliveries").asLong();
        double p99 = n.path("p99ms").asDouble(Double.NaN);
        if (offered > 0 && p99 > 0) {
          // Named apart from this driver's series: the same system measured by another driver.
          points.add(
              new Point(n.path("system").asString() + " (peer-bench)", offered, p99, complete));
        }
      } else if (header == null) {
        header = List.of(l.split(","));
      } else {
        String[] cells = l.split(",", -1);
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 0; i < header.size() && i < cells.length; i++) {
          row.put(header.get(i), cells[i]);
        }
        double offered = number(row.get("offeredOpsPerSec"));
        double p99 = number(row.get("p99ms"));
        boolean complete = !"false".equals(row.get("complete"));
        if (offered > 0 && p99 > 0) {
          points.add(new Point(row.getOrDefault("system", "?"), offered, p99, complete));
        }
      }
    }
    return points;
  }

  private static double number(String cell) {
    try {
      return cell == null || cell.isEmpty() ? Double.NaN : Double.parseDouble(cell);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** Draws {@code points} into {@code out} (PNG, {@code width} x {@code height}). */
  static void draw(List<Point> points, String title, Path out, int width, int height) {
    if (points.isEmpty()) {
      throw new IllegalArgumentException("no points to draw");
    }
    System.setProperty("java.awt.headless", "true");
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      paint(g, points, title, width, height);
    } finally {
      g.dispose();
    }
    try {
      Path parent = out.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      if (!ImageIO.write(image, "png", out.toFile())) {
        throw new IllegalStateException("no PNG writer in this JDK");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + out, e);
    }
  }

  private static void paint(Graphics2D g, List<Point> points, String title, int w, int h) {
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    int left = 90;
    int right = 30;
    int top = 60;
    int bottom = 70;
    int pw = w - left - right;
    int ph = h - top - bottom;

    double maxX = points.stream().mapToDouble(Point::offered).max().orElse(1) * 1.05;
    double minY = points.stream().mapToDouble(Point::p99ms).min().orElse(1);
    double maxY = points.stream().mapToDouble(Point::p99ms).max().orElse(10);
    int loDecade = (int) Math.floor(Math.log10(minY));
    int hiDecade = Math.max(loDecade + 1, (int) Math.ceil(Math.log10(maxY)));
    double xStep = niceStep(maxX / 8);

    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
    g.setColor(Color.BLACK);
    g.drawString(title, left, 35);

    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    FontMetrics fm = g.getFontMetrics();
    for (int d = loDecade; d <= hiDecade; d++) {
      int y = yOf(Math.pow(10, d), loDecade, hiDecade, top, ph);
      g.setColor(new Color(0xdddddd));
      g.drawLine(left, y, left + pw, y);
      for (int m = 2; m < 10 && d < hiDecade; m++) {
        int ym = yOf(m * Math.pow(10, d), loDecade, hiDecade, top, ph);
        g.setColor(new Color(0xf2f2f2));
        g.drawLine(left, ym, left + pw, ym);
      }
      g.setColor(Color.DARK_GRAY);
      String label = msLabel(Math.pow(10, d));
      g.drawString(label, left - 8 - fm.stringWidth(label), y + fm.getAscent() / 2 - 1);
    }
    for (double x = 0; x <= maxX; x += xStep) {
      int px = xOf(x, maxX, left, pw);
      g.setColor(new Color(0xdddddd));
      g.drawLine(px, top, px, top + ph);
      g.setColor(Color.DARK_GRAY);
      String label = String.format(Locale.ROOT, "%,d", Math.round(x));
      g.drawString(label, px - fm.stringWidth(label) / 2, top + ph + 18);
    }
    g.setColor(Color.BLACK);
    g.drawRect(left, top, pw, ph);
    String xTitle = "offered load (ops/s)";
    g.drawString(xTitle, left + pw / 2 - fm.stringWidth(xTitle) / 2, h - 25);
    Graphics2D rotated = (Graphics2D) g.create();
    rotated.rotate(-Math.PI / 2);
    String yTitle = "p99 latency (log scale)";
    rotated.drawString(yTitle, -(top + ph / 2) - fm.stringWidth(yTitle) / 2, 22);
    rotated.dispose();

    Map<String, List<Point>> bySystem = new LinkedHashMap<>();
    for (Point p : points) {
      bySystem.computeIfAbsent(p.system(), k -> new ArrayList<>()).add(p);
    }
    int i = 0;
    int legendY = top + 20;
    for (Map.Entry<String, List<Point>> e : bySystem.entrySet()) {
      Color color = PALETTE[i++ % PALETTE.length];
      List<Point> series = new ArrayList<>(e.getValue());
      series.sort(Comparator.comparingDouble(Point::offered));
      g.setColor(color);
      g.setStroke(new BasicStroke(2f));
      for (int k = 1; k < series.size(); k++) {
        Point a = series.get(k - 1);
        Point b = series.get(k);
        g.drawLine(
            xOf(a.offered(), maxX, left, pw),
            yOf(a.p99ms(), loDecade, hiDecade, top, ph),
            xOf(b.offered(), maxX, left, pw),
            yOf(b.p99ms(), loDecade, hiDecade, top, ph));
      }
      for (Point p : series) {
        int px = xOf(p.offered(), maxX, left, pw);
        int py = yOf(p.p99ms(), loDecade, hiDecade, top, ph);
        if (p.complete()) {
          g.fillOval(px - 5, py - 5, 10, 10);
        } else {
          g.setColor(Color.WHITE);
          g.fillOval(px - 5, py - 5, 10, 10);
          g.setColor(color);
          g.drawOval(px - 5, py - 5, 10, 10);
        }
      }
      g.setStroke(new BasicStroke(1f));
      g.fillRect(left + 15, legendY - 9, 18, 10);
      g.setColor(Color.BLACK);
      g.drawString(e.getKey(), left + 40, legendY);
      legendY += 18;
    }
    g.setColor(Color.DARK_GRAY);
    g.drawString("hollow: deliveries lost or run cut short", left + 15, legendY + 4);
  }

  private static int xOf(double x, double maxX, int left, int pw) {
    return left + (int) Math.round(x / maxX * pw);
  }

  private static int yOf(double ms, int lo, int hi, int top, int ph) {
    double f = (Math.log10(ms) - lo) / (hi - lo);
    return top + ph - (int) Math.round(f * ph);
  }

  static double niceStep(double raw) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * magnitude >= raw) {
        return m * magnitude;
      }
    }
    return 10 * magnitude;
  }

  private static String msLabel(double ms) {
    if (ms >= 1000) {
      return String.format(Locale.ROOT, "%s s", trim(ms / 1000));
    }
    return String.format(Locale.ROOT, "%s ms", trim(ms));
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
