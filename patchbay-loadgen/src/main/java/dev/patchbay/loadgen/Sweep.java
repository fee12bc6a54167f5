package dev.patchbay.loadgen;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the broadcast workload at several offered rates against several systems (Patchbay in memory,
 * on SQLite, the echo baseline), each point on a freshly started server that is first warmed up
 * with the same workload at half the rate (not reported), and writes one CSV row per point.
 */
final class Sweep {
  /** The CSV columns; the names of the latency columns are those of peer-bench's output. */
  static final List<String> COLUMNS =
      List.of(
          "system",
          "clients",
          "docs",
          "opsPerClient",
          "rate",
          "offeredOpsPerSec",
          "opsPerSec",
          "deliveriesPerSec",
          "p50ms",
          "p90ms",
          "p99ms",
          "maxms",
          "delivered",
          "expectedDeliveries",
          "errors",
          "complete");

  private static final Map<String, String> FROM_REPORT =
      Map.of(
          "p50ms", "latencyP50ms",
          "p90ms", "latencyP90ms",
          "p99ms", "latencyP99ms",
          "maxms", "latencyMaxms");

  /** The parameters of a sweep. */
  record Spec(
      List<String> systems,
      List<Double> rates,
      int clients,
      int docs,
      int opsPerClient,
      int warmupOps,
      Duration drain,
      Duration limit) {
    Spec {
      systems = List.copyOf(systems);
      rates = List.copyOf(rates);
      for (String s : systems) {
        if (!List.of("memory", "sqlite", "echo").contains(s)) {
          throw new IllegalArgumentException("--systems takes memory, sqlite, echo; was " + s);
        }
      }
      if (rates.isEmpty() || systems.isEmpty()) {
        throw new IllegalArgumentException("a sweep needs at least one system and one rate");
      }
    }
  }

  private Sweep() {}

  static List<Report> run(Driver driver, Spec spec, Path csv, boolean progress, PrintStream err) {
    List<Report> reports = new ArrayList<>();
    try (Writer out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
      out.write(String.join(",", COLUMNS) + "\n");
      out.flush();
      for (String system : spec.systems()) {
        for (double rate : spec.rates()) {
          Report r = point(driver, spec, system, rate, progress, err);
          reports.add(r);
          out.write(row(r) + "\n");
          out.flush();
          err.printf(
              Locale.ROOT,
              "sweep: %s offered %s ops/s -> %s ops/s, p99 %s ms, delivered %s/%s%n",
              r.get("system"),
              r.get("offeredOpsPerSec"),
              r.get("opsPerSec"),
              r.get("latencyP99ms"),
              r.get("delivered"),
              r.get("expectedDeliveries"));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + csv, e);
    }
    return reports;
  }

  private static Report point(
      Driver driver, Spec spec, String system, double rate, boolean progress, PrintStream err) {
    try (Target target =
        system.equals("echo") ? Target.echo() : Target.inProcess(system, spec.clients() + 16)) {
      if (spec.warmupOps() > 0) {
        Broadcast.run(
            driver,
            target,
            new Broadcast.Spec(
                spec.clients(),
                spec.docs(),
                spec.warmupOps(),
                rate / 2,
                spec.drain(),
                spec.limit()),
            false,
            err);
      }
      return Broadcast.run(
          driver,
          target,
          new Broadcast.Spec(
              spec.clients(), spec.docs(), spec.opsPerClient(), rate, spec.drain(), spec.limit()),
          progress,
          err);
    }
  }

  static String row(Report r) {
    List<String> cells = new ArrayList<>();
    for (String column : COLUMNS) {
      Object v = r.get(FROM_REPORT.getOrDefault(column, column));
      cells.add(v == null ? "" : v.toString());
    }
    return String.join(",", cells);
  }
}
