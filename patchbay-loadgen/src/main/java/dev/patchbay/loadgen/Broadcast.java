package dev.patchbay.loadgen;

import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.JsonNode;

/**
 * The broadcast workload of {@code ../shared/peer-bench}, spoken as Patches JSON-RPC: N clients on
 * their own sockets, M documents (client i edits document i % M), K ops per client at RATE ops/s;
 * each op is one {@code commitChanges} whose one change overwrites {@code /c<i>} with {@code {s,
 * t}}. Latency is measured at the other clients of the document, on {@code changesCommitted}, from
 * {@code t}: the <em>intended</em> send time of a fixed-rate schedule, so a driver or server that
 * falls behind shows it as latency (no coordinated omission). {@code delivered += s -
 * lastSeen[key]}, so a server that merges overwrites still counts them.
 *
 * <p>Against the echo baseline the same frames go to a relay instead (see {@link EchoServer}): the
 * sender's own copy stands for the answer, the others' copies for {@code changesCommitted}.
 */
final class Broadcast {
  /** The parameters of one run; {@code limit} bounds the whole run, set-up excluded. */
  record Spec(
      int clients, int docs, int opsPerClient, double rate, Duration drain, Duration limit) {
    Spec {
      if (clients < 2 || docs < 1 || clients < 2 * docs) {
        throw new IllegalArgumentException(
            "broadcast needs at least 2 clients per document: clients "
                + clients
                + ", docs "
                + docs);
      }
      if (opsPerClient < 1 || rate <= 0 || rate > 100_000) {
        throw new IllegalArgumentException("ops must be >= 1 and rate in (0, 100000]");
      }
    }

    long expectedDeliveries() {
      long expected = 0;
      for (int i = 0; i < clients; i++) {
        expected += (long) opsPerClient * (clientsOf(i % docs) - 1);
      }
      return expected;
    }

    int clientsOf(int doc) {
      return clients / docs + (doc < clients % docs ? 1 : 0);
    }
  }

  private final Spec spec;
  private final boolean echo;
  private final String prefix = "bench" + System.currentTimeMillis() + "-" + rid();
  private final long periodNanos;
  private final long expected;
  private final Latency delivery = new Latency();
  private final Latency ack = new Latency();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final CountDownLatch done = new CountDownLatch(1);
  private final AtomicLong doneAt = new AtomicLong();
  private volatile boolean stopped;
  private long epoch;

  private Broadcast(Spec spec, boolean echo) {
    this.spec = spec;
    this.echo = echo;
    this.periodNanos = Math.round(1e9 / spec.rate());
    this.expected = spec.expectedDeliveries();
  }

  /** Runs the workload against {@code target} and returns its report. */
  static Report run(Driver driver, Target target, Spec spec, boolean progress, PrintStream err) {
    boolean echo = target.system().equals("echo");
    return new Broadcast(spec, echo).execute(driver, target, progress, err);
  }

  static String rid() {
    return Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
  }

  private final class Client {
    final WsClient ws;
    final int index;
    final String doc;
    final String key;
    final Map<String, Long> lastSeen = new HashMap<>();
    long rev;
    int seq;
    long startNanos;

    Client(WsClient ws, int index) {
      this.ws = ws;
      this.index = index;
      this.doc = prefix + "-d" + (index % spec.docs());
      this.key = "/c" + index;
    }
  }

  private Report execute(Driver driver, Target target, boolean progress, PrintStream err) {
    URI base = target.uri();
    List<WsClient> sockets =
        driver.connectAll(
            i -> echo ? URI.create(base + "/" + prefix + "-d" + (i % spec.docs())) : base,
            spec.clients());
    List<Client> clients = new ArrayList<>(sockets.size());
    for (int i = 0; i < sockets.size(); i++) {
      Client c = new Client(sockets.get(i), i);
      c.ws.listener((ws, message, at) -> onMessage(c, message, at));
      c.ws.committedListener((ws, committed, at) -> onCommitted(c, committed, at));
      clients.add(c);
    }
    if (!echo) {
      subscribe(clients);
    }
    long lead = TimeUnit.MILLISECONDS.toNanos(50);
    long t0 = System.nanoTime() + lead;
    epoch = t0 - TimeUnit.SECONDS.toNanos(1);
    for (Client c : clients) {
      c.startNanos = t0 + ThreadLocalRandom.current().nextLong(periodNanos);
      c.ws.loop().schedule(() -> tick(c), c.startNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
    }
    long limitAt = t0 + spec.limit().toNanos();
    long drainAt = t0 + (spec.opsPerClient() + 1) * periodNanos + spec.drain().toNanos();
    long giveUpAt = Math.min(limitAt, drainAt);
    long offered = Math.round(spec.clients() * spec.rate());
    try (Progress p =
        Progress.start(
            "broadcast",
            () -> {
              Histogram h = delivery.interval();
              return String.format(
                  "sent %d/%d acked %d delivered %d/%d errors %d | last second: %d deliveries, %s",
                  sent.get(),
                  (long) spec.clients() * spec.opsPerClient(),
                  acked.get(),
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
      long end = complete ? doneAt.get() : System.nanoTime();
      long elapsed = end - t0;
      Report r =
          new Report()
              .put("workload", "broadcast")
              .put("system", target.system())
              .put("clients", spec.clients())
              .put("docs", spec.docs())
              .put("opsPerClient", spec.opsPerClient())
              .put("rate", spec.rate())
              .put("offeredOpsPerSec", offered)
              .put("sent", sent.get())
              .put("acked", acked.get())
              .put("errors", errors.get())
              .put("expectedDeliveries", expected)
              .put("delivered", delivered.get())
              .put("complete", complete)
              .put("stoppedBy", complete ? null : limitAt <= drainAt ? "duration-limit" : "drain")
              .put("seconds", Math.round(elapsed / 1e6) / 1e3)
              .put("opsPerSec", Report.perSecond(sent.get(), elapsed))
              .put("deliveriesPerSec", Report.perSecond(delivered.get(), elapsed))
              .latency("latency", delivery.total())
              .latency("ack", ack.total());
      return r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      stopped = true;
      Driver.closeAll(sockets);
    }
  }

  private void subscribe(List<Client> clients) {
    List<CompletableFuture<?>> setup = new ArrayList<>();
    for (Client c : clients) {
      setup.add(
          c.ws
              .call("subscribe", "[[\"" + c.doc + "\"]]")
              .thenCompose(s -> c.ws.call("getDoc", "[\"" + c.doc + "\"]"))
              .thenAccept(
                  snap -> {
                    JsonNode result = snap.path("result");
                    long rev = result.path("rev").asLong(0);
                    for (JsonNode ch : result.path("changes")) {
                      rev = Math.max(rev, ch.path("rev").asLong(0));
                    }
                    long start = rev;
                    c.ws.loop().execute(() -> c.rev = Math.max(c.rev, start));
                  }));
    }
    await(setup, "subscribe and getDoc");
  }

  static void await(List<CompletableFuture<?>> futures, String what) {
    try {
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + what, e);
    } catch (Exception e) {
      throw new IllegalStateException(what + " failed: " + e, e);
    }
  }

  /** Sends op {@code c.seq} of client {@code c}, on its event loop, then schedules the next. */
  private void tick(Client c) {
    if (stopped) {
      return;
    }
    long intended = c.startNanos + c.seq * periodNanos;
    long t = (intended - epoch) / 1_000;
    int id = c.ws.nextId();
    String request =
        "{\"jsonrpc\":\"2.0\",\"id\":"
            + id
            + ",\"method\":\"commitChanges\",\"params\":[\""
            + c.doc
            + "\",[{\"id\":\""
            + prefix
            + "-"
            + c.index
            + "-"
            + c.seq
            + "\",\"baseRev\":"
            + c.rev
            + ",\"rev\":"
            + (c.rev + 1)
            + ",\"createdAt\":"
            + System.currentTimeMillis()
            + ",\"ops\":[{\"op\":\"replace\",\"path\":\""
            + c.key
            + "\",\"value\":{\"s\":"
            + c.seq
            + ",\"t\":"
            + t
            + "}}]}]]}";
    sent.incrementAndGet();
    c.ws
        .commitWithId(id, request)
        .whenComplete(
            (answer, failure) -> {
              if (failure != null || answer.has("error")) {
                errors.incrementAndGet();
              } else {
                ack.recordMicros((System.nanoTime() - intended) / 1_000);
                acked.incrementAndGet();
                for (JsonNode ch : answer.path("result").path("changes")) {
                  c.rev = Math.max(c.rev, ch.path("rev").asLong(0));
                }
              }
              checkDone();
            });
    c.seq++;
    if (c.seq < spec.opsPerClient()) {
      long next = c.startNanos + c.seq * periodNanos;
      c.ws.loop().schedule(() -> tick(c), next - System.nanoTime(), TimeUnit.NANOSECONDS);
    }
  }

  /** A message read whole: the echo relay's copies, or a notification the scan left alone. */
  private void onMessage(Client c, JsonNode message, long at) {
    String method = message.path("method").asString("");
    if (echo && method.equals("commitChanges")) {
      AnswerScan.Committed copy = AnswerScan.Committed.of(c.doc, message.path("params").path(1));
      if (copy.stamps().stream().anyMatch(stamp -> stamp.path().equals(c.key))) {
        c.ws.complete(message.path("id").asInt(), message); // the sender's own copy: its answer
      }
      onCommitted(c, copy, at);
    } else if (method.equals("changesCommitted")) {
      JsonNode params = message.path("params");
      onCommitted(
          c,
          AnswerScan.Committed.of(params.path("docId").asString(""), params.path("changes")),
          at);
    }
  }

  private void onCommitted(Client c, AnswerScan.Committed committed, long at) {
    if (!committed.docId().equals(c.doc)) {
      return;
    }
    c.rev = Math.max(c.rev, committed.lastRev());
    long now = (at - epoch) / 1_000;
    long count = 0;
    for (AnswerScan.Stamp stamp : committed.stamps()) {
      if (stamp.path().equals(c.key)) {
        continue;
      }
      count += stamp.s() - c.lastSeen.getOrDefault(stamp.path(), -1L);
      c.lastSeen.put(stamp.path(), stamp.s());
      delivery.recordMicros(now - stamp.t());
    }
    if (count > 0) {
      delivered.addAndGet(count);
      checkDone();
    }
  }

  private void checkDone() {
    long total = (long) spec.clients() * spec.opsPerClient();
    if (delivered.get() >= expected
        && sent.get() == total
        && acked.get() + errors.get() >= total
        && done.getCount() > 0) {
      doneAt.compareAndSet(0, System.nanoTime());
      done.countDown();
    }
  }
}
