package dev.patchbay.loadgen;

import dev.patchbay.server.PatchbayServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * The cold-open workload: one document is given H changes of history in a SQLite store (through the
 * server, in {@code commitChanges} batches of B changes, as a client flushing offline edits would;
 * each change sets {@code /k<j % 100>} and inserts a word at the start of the text {@code /body});
 * the server is closed, and the time of the first {@code getDoc} is measured (request sent on an
 * open connection to answer received) three ways: from a server in a fresh JVM (cold: nothing
 * loaded, nothing compiled), from a fresh server in this warm JVM (nothing loaded), and again on
 * that server (the document cached). The operating system's file cache is warm in all three.
 */
final class ColdOpen {
  /** The parameters of one run; {@code limit} bounds the building of the history. */
  record Spec(int history, int batch, List<String> jvmOptions, Duration limit) {
    Spec {
      if (history < 1 || batch < 1 || batch > 10_000) {
        throw new IllegalArgumentException("history must be >= 1 and batch in [1, 10000]");
      }
      jvmOptions = List.copyOf(jvmOptions);
    }
  }

  private ColdOpen() {}

  static Report run(Driver driver, Spec spec, boolean progress, PrintStream err) {
    String doc = "bench" + System.currentTimeMillis() + "-history";
    Path dir = Target.tempDir();
    try {
      Report r =
          new Report()
              .put("workload", "cold-open")
              .put("system", "patchbay-sqlite")
              .put("history", spec.history())
              .put("batch", spec.batch());
      long buildNanos = build(driver, dir, doc, spec, progress, err);
      r.put("buildSeconds", Math.round(buildNanos / 1e6) / 1e3)
          .put("buildChangesPerSec", Report.perSecond(spec.history(), buildNanos))
          .put("storeBytes", sizeOf(dir));
      try (ChildServer cold = ChildServer.start("sqlite", dir, 100, spec.jvmOptions())) {
        WsClient ws = driver.connect(cold.uri());
        Open first = open(ws, doc);
        r.put("rev", first.rev()).put("stateBytes", first.bytes()).put("coldJvmOpenMs", first.ms());
        ws.close();
      }
      PatchbayServer fresh =
          PatchbayServer.start(
              Target.benchConfig("sqlite", dir, 100), Target.openStore("sqlite", dir));
      try {
        WsClient ws =
            driver.connect(
                java.net.URI.create("ws://127.0.0.1:" + fresh.address().getPort() + "/ws"));
        r.put("freshServerOpenMs", open(ws, doc).ms()).put("cachedOpenMs", open(ws, doc).ms());
        ws.close();
      } finally {
        fresh.close();
      }
      return r;
    } finally {
      Target.deleteTree(dir);
    }
  }

  record Open(long rev, long bytes, double ms) {}

  private static Open open(WsClient ws, String doc) {
    long start = System.nanoTime();
    JsonNode answer = join(ws.call("getDoc", "[\"" + doc + "\"]"));
    long nanos = System.nanoTime() - start;
    if (answer.has("error")) {
      throw new IllegalStateException("getDoc failed: " + answer.get("error"));
    }
    JsonNode result = answer.path("result");
    long rev = result.path("rev").asLong(0);
    for (JsonNode ch : result.path("changes")) {
      rev = Math.max(rev, ch.path("rev").asLong(0));
    }
    return new Open(rev, result.toString().length(), Math.round(nanos / 1e3) / 1e3);
  }

  private static long build(
      Driver driver, Path dir, String doc, Spec spec, boolean progress, PrintStream err) {
    PatchbayServer server =
        PatchbayServer.start(
            Target.benchConfig("sqlite", dir, 100), Target.openStore("sqlite", dir));
    AtomicLong done = new AtomicLong();
    long start = System.nanoTime();
    long limitAt = start + spec.limit().toNanos();
    try (Progress p =
        Progress.start(
            "cold-open",
            () -> "history " + done.get() + "/" + spec.history() + " changes committed",
            progress,
            err)) {
      WsClient ws =
          driver.connect(
              java.net.URI.create("ws://127.0.0.1:" + server.address().getPort() + "/ws"));
      long rev = 0;
      while (rev < spec.history()) {
        if (System.nanoTime() > limitAt) {
          throw new IllegalStateException(
              "building the history passed --duration-limit at " + rev + " changes");
        }
        int n = (int) Math.min(spec.batch(), spec.history() - rev);
        StringBuilder params = new StringBuilder(n * 160).append("[\"").append(doc).append("\",[");
        for (int i = 0; i < n; i++) {
          long j = rev + i;
          if (i > 0) {
            params.append(',');
          }
          params
              .append("{\"id\":\"")
              .append(doc)
              .append('-')
              .append(j)
              .append("\",\"baseRev\":")
              .append(rev)
              .append(",\"rev\":")
              .append(j + 1)
              .append(",\"createdAt\":")
              .append(System.currentTimeMillis())
              .append(",\"ops\":[{\"op\":\"add\",\"path\":\"/k")
              .append(j % 100)
              .append("\",\"value\":")
              .append(j)
              .append("},{\"op\":\"@txt\",\"path\":\"/body\",\"value\":[{\"insert\":\"w")
              .append(j % 10)
              .append(" \"}]}]}");
        }
        params.append("]]");
        JsonNode answer = join(ws.call("commitChanges", params.toString()));
        if (answer.has("error")) {
          throw new IllegalStateException("commitChanges failed: " + answer.get("error"));
        }
        rev += n;
        done.set(rev);
      }
      ws.close();
      return System.nanoTime() - start;
    } finally {
      server.close();
    }
  }

  private static JsonNode join(java.util.concurrent.CompletableFuture<JsonNode> f) {
    try {
      return f.get(120, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (Exception e) {
      throw new IllegalStateException("call failed: " + e, e);
    }
  }

  private static long sizeOf(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    } catch (IOException e) {
      return -1;
    }
  }
}
