package dev.patchbay.loadgen;

import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The fan-out workload: C idle connections, connection j subscribed to document j % D, and one more
 * connection per document, its writer, committing W changes at RATE changes/s ({@code replace /w =
 * {s, t}}, {@code t} the intended send time of a fixed-rate schedule). The headline latency is
 * until the <em>last</em> subscriber of the document has the change; the latency of every single
 * delivery is reported as well. When the server runs in a child JVM, its heap after a full GC and
 * its RSS are read before and after the connections are opened and subscribed, and divided by the
 * connections opened (subscribers and writers). With the heap fixed and touched in advance (the
 * command's default server JVM options), the RSS difference is the memory outside the heap: direct
 * buffers, native allocations.
 */
final class FanOut {
  /** The parameters of one run; {@code limit} bounds the run, set-up excluded. */
  record Spec(
      int connections,
      int docs,
      int changesPerWriter,
      double rate,
      Duration drain,
      Duration limit) {
    Spec {
      if (docs < 1 || connections < docs) {
        throw new IllegalArgumentException(
            "fan-out needs at least one subscriber per document: connections "
                + connections
                + ", docs "
                + docs);
      }
      if (changesPerWriter < 1 || rate <= 0 || rate > 10_000) {
        throw new IllegalArgumentException("changes must be >= 1 and rate in (0, 10000]");
      }
    }

    int subscribersOf(int doc) {
      return connections / docs + (doc < connections % docs ? 1 : 0);
    }
  }

  private final Spec spec;
  private final String prefix =
      "bench" + System.currentTimeMillis() + "-" + Broadcast.rid() + "-fan";
  private final long periodNanos;
  private final AtomicIntegerArray arrivals;
  private final Latency last = new Latency();
  private final Latency each = new Latency();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final long expected;
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile boolean stopped;
  private long epoch;

  private FanOut(Spec spec) {
    this.spec = spec;
    this.periodNanos = Math.round(1e9 / spec.rate());
    this.arrivals = new AtomicIntegerArray(spec.docs() * spec.changesPerWriter());
    this.expected = (long) spec.connections() * spec.changesPerWriter();
  }

  /**
   * Runs against {@code uri}; {@code server} (the child JVM serving {@code uri}) is asked for its
   * memory, or is null when the server is not this bench's.
   */
  static Report run(
      Driver driver,
      URI uri,
      String system,
      @Nullable ChildServer server,
      Spec spec,
      boolean progress,
      PrintStream err) {
    return new FanOut(spec).execute(driver, uri, system, server, progress, err);
  }

  private Report execute(
      Driver driver,
      URI uri,
      String system,
      @Nullable ChildServer server,
      boolean progress,
      PrintStream err) {
    ChildServer.Memory before = server == null ? null : server.memory();
    long connectStart = System.nanoTime();
    List<WsClient> subscribers = driver.connectAll(uri, spec.connections());
    List<CompletableFuture<?>> setup = new ArrayList<>();
    for (int j = 0; j < subscribers.size(); j++) {
      int doc = j % spec.docs();
      WsClient ws = subscribers.get(j);
      ws.listener((c, m, at) -> onMessage(doc, m, at));
      setup.add(ws.call("subscribe", "[[\"" + prefix + "-d" + doc + "\"]]"));
    }
    Broadcast.await(setup, "subscribe");
    List<WsClient> writers = driver.connectAll(uri, spec.docs());
    long connectNanos = System.nanoTime() - connectStart;
    ChildServer.Memory after = server == null ? null : server.memory();
    long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    epoch = t0 - TimeUnit.SECONDS.toNanos(1);
    for (int d = 0; d < writers.size(); d++) {
      int doc = d;
      WsClient w = writers.get(d);
      long start = t0 + ThreadLocalRandom.current().nextLong(periodNanos);
      w.loop()
          .schedule(
              () -> tick(w, doc, start, 0, 0), start - System.nanoTime(), TimeUnit.NANOSECONDS);
    }
    long giveUpAt =
        Math.min(
            t0 + spec.limit().toNanos(),
            t0 + (spec.changesPerWriter() + 1) * periodNanos + spec.drain().toNanos());
    try (Progress p =
        Progress.start(
            "fan-out",
            () -> {
              Histogram h = last.interval();
              return String.format(
                  "sent %d/%d delivered %d/%d errors %d | last second: %d changes complete, %s",
                  sent.get(),
                  (long) spec.docs() * spec.changesPerWriter(),
                  delivered.get(),
                  expected,
                  errors.get(),
                  h.getTotalCount(),
                  Latency.brief(h));
            },
            progress,
            err)) {
      boolean complete =
          done.await(Math.max(0, giveUpAt - System.nanoTime()), TimeUnit.NANOSECONDS);
      stopped = true;
      int opened = spec.connections() + spec.docs();
      Report r =
          new Report()
              .put("workload", "fan-out")
              .put("system", system)
              .put("connections", spec.connections())
              .put("docs", spec.docs())
              .put("subscribersPerDoc", spec.subscribersOf(0))
              .put("changesPerWriter", spec.changesPerWriter())
              .put("rate", spec.rate())
              .put("connectSeconds", Math.round(connectNanos / 1e6) / 1e3)
              .put("sent", sent.get())
              .put("errors", errors.get())
              .put("expectedDeliveries", expected)
              .put("delivered", delivered.get())
              .put("complete", complete)
              .latency("lastSubscriber", last.total())
              .latency("delivery", each.total());
      if (before != null && after != null) {
        r.put("serverHeapBefore", before.heapUsed())
            .put("serverHeapAfter", after.heapUsed())
            .put("heapBytesPerConnection", (after.heapUsed() - before.heapUsed()) / opened)
            .put("serverRssBefore", before.rss())
            .put("serverRssAfter", after.rss())
            .put(
                "nonHeapRssBytesPerConnection",
                before.rss() < 0 ? null : (after.rss() - before.rss()) / opened);
      }
      return r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      stopped = true;
      Driver.closeAll(writers);
      Driver.closeAll(subscribers);
    }
  }

  /** Sends change {@code seq} of the writer of {@code doc} on its event loop, then the next. */
  private void tick(WsClient w, int doc, long start, int seq, long rev) {
    if (stopped) {
      return;
    }
    long intended = start + seq * periodNanos;
    String params =
        "[\""
            + prefix
            + "-d"
            + doc
            + "\",[{\"id\":\""
            + prefix
            + "-"
            + doc
            + "-"
            + seq
            + "\",\"baseRev\":"
            + rev
            + ",\"rev\":"
            + (rev + 1)
            + ",\"createdAt\":"
            + System.currentTimeMillis()
            + ",\"ops\":[{\"op\":\"replace\",\"path\":\"/w\",\"value\":{\"s\":"
            + seq
            + ",\"t\":"
            + (intended - epoch) / 1_000
            + "}}]}]]";
    sent.incrementAndGet();
    // One writer per document: its changes are the only ones, so revision seq + 1 is its head.
    w.call("commitChanges", params)
        .whenComplete(
            (answer, failure) -> {
              if (failure != null || answer.has("error")) {
                errors.incrementAndGet();
              }
            });
    if (seq + 1 < spec.changesPerWriter()) {
      long next = start + (seq + 1) * periodNanos;
      w.loop()
          .schedule(
              () -> tick(w, doc, start, seq + 1, rev + 1),
              next - System.nanoTime(),
              TimeUnit.NANOSECONDS);
    }
  }

  private void onMessage(int doc, JsonNode message, long at) {
    if (!message.path("method").asString("").equals("changesCommitted")) {
      return;
    }
    long now = (at - epoch) / 1_000;
    for (JsonNode ch : message.path("params").path("changes")) {
      for (JsonNode op : ch.path("ops")) {
        JsonNode value = op.path("value");
        if (!value.has("t")) {
          continue;
        }
        int seq = value.path("s").asInt();
        long latency = now - value.path("t").asLong();
        each.recordMicros(latency);
        if (arrivals.incrementAndGet(doc * spec.changesPerWriter() + seq)
            == spec.subscribersOf(doc)) {
          last.recordMicros(latency);
        }
        if (delivered.incrementAndGet() >= expected) {
          done.countDown();
        }
      }
    }
  }
}
