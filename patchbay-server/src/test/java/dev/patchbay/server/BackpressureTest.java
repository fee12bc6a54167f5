package dev.patchbay.server;

import static dev.patchbay.server.LimitsTest.change;
import static dev.patchbay.server.LimitsTest.str;
import static dev.patchbay.server.LimitsTest.ws;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * A reader that stops reading and a client that floods: each is closed, and the others on the same
 * server keep being served.
 */
class BackpressureTest {
  private static final int OUTBOUND_CAP = 256 * 1024;

  @Test
  void clientThatStopsReading_isClosedWith1013_othersKeepReceiving() throws Exception {
    try (PatchbayServer server =
            LimitsTest.start(ServerConfig.builder().maxOutboundBytes(OUTBOUND_CAP));
        TestClient writer = new TestClient(ws(server));
        TestClient reader = new TestClient(ws(server));
        RawWebSocket stalled = new RawWebSocket(server.address().getPort(), 4096)) {
      reader.result("subscribe", str("slow"));
      stalled.sendText(
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subscribe\",\"params\":[\"slow\"]}");
      // From here on the stalled client reads nothing: its kernel buffers, then its queue, fill.
      int commits = commitUntilClosed(server, writer, "slow", "slow-consumer", null);
      assertReceivedInOrder(reader, commits);
      // The stalled client, reading again, finds what was queued and then the 1013 close.
      RawWebSocket.Frame close = stalled.readUntilClose();
      assertThat(close).isNotNull();
      assertThat(close.closeCode()).isEqualTo(1013);
      // Later commits still reach the others at once.
      writer.result("commitChanges", str("slow"), change("after", commits, "1"));
      assertThat(
              reader
                  .nextNotification()
                  .path("params")
                  .path("changes")
                  .get(0)
                  .get("id")
                  .stringValue())
          .isEqualTo("after");
      System.out.printf(
          "slow consumer: dropped after %d commits of 8 KiB; queue capped at %d bytes%n",
          commits, OUTBOUND_CAP);
    }
  }

  /**
   * Two readers stall at once. The server-wide budget equals one connection's cap, so their sum
   * passes it while each is still under its own (they get the same messages): a stalled one is
   * closed with 1013 for the budget (reason outbound-budget), never for its own cap, and the reader
   * that keeps up is not closed.
   */
  @Test
  void readersStallingTogether_passTheServerWideBudget_areClosed() throws Exception {
    try (PatchbayServer server =
            LimitsTest.start(
                ServerConfig.builder()
                    .maxOutboundBytes(OUTBOUND_CAP)
                    .maxOutboundBytesTotal(OUTBOUND_CAP));
        TestClient writer = new TestClient(ws(server));
        TestClient reader = new TestClient(ws(server));
        RawWebSocket first = new RawWebSocket(server.address().getPort(), 4096);
        RawWebSocket second = new RawWebSocket(server.address().getPort(), 4096)) {
      reader.result("subscribe", str("pair"));
      for (RawWebSocket stalled : List.of(first, second)) {
        stalled.sendText(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subscribe\",\"params\":[\"pair\"]}");
      }
      int commits = commitUntilClosed(server, writer, "pair", "outbound-budget", "slow-consumer");
      assertReceivedInOrder(reader, commits);
      // The one closed reads what was queued, then the 1013 close; the other stays open.
      ExecutorService readers = Executors.newFixedThreadPool(2);
      try {
        Future<RawWebSocket.Frame> a = readers.submit(first::readUntilClose);
        Future<RawWebSocket.Frame> b = readers.submit(second::readUntilClose);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!a.isDone() && !b.isDone()) {
          assertThat(System.nanoTime()).as("a stalled reader is closed").isLessThan(deadline);
          Thread.sleep(10);
        }
        RawWebSocket.Frame close = (a.isDone() ? a : b).get();
        assertThat(close).isNotNull();
        assertThat(close.closeCode()).isEqualTo(1013);
      } finally {
        readers.shutdownNow();
      }
    }
  }

  /**
   * Commits 8 KiB changes to {@code doc} until a connection is closed for {@code reason} (and never
   * for {@code never}); returns how many were committed.
   */
  private static int commitUntilClosed(
      PatchbayServer server, TestClient writer, String doc, String reason, @Nullable String never) {
    String big = Json.write(Json.NODES.stringNode("x".repeat(8 * 1024)));
    int commits = 0;
    while (server.metrics().scrape().indexOf("reason=\"" + reason + "\"") < 0) {
      if (never != null) {
        assertThat(server.metrics().scrape()).doesNotContain("reason=\"" + never + "\"");
      }
      assertThat(commits).as("commits before a close for %s", reason).isLessThan(5000);
      writer.result("commitChanges", str(doc), change(doc + commits, commits, big));
      commits++;
    }
    return commits;
  }

  /** The reader stays open and has every commit, in order. */
  private static void assertReceivedInOrder(TestClient reader, int commits) {
    assertThat(reader.closed).as("the reading subscriber stays open").isNotDone();
    for (int i = 1; i <= commits; i++) {
      assertThat(
              reader.nextNotification().path("params").path("changes").get(0).get("rev").asLong())
          .isEqualTo(i);
    }
  }

  /**
   * Well-behaved clients commit at a paced rate, alone and beside a flooder, in three alternating
   * rounds with a fresh flooder each time; every flooder is throttled, then closed, and the others'
   * p99 commit latency stays within a generous multiple of the quiet runs'. Medians over the rounds
   * keep one hiccup of this shared machine (a GC pause, another process) from deciding the ratio.
   * The first round of a fresh JVM is the slow one (p99 28-120 ms against 3-9 ms quiet, measured):
   * the flooding loop, the throttling and the close run cold, and the flooder's JIT work shares the
   * two cores with everyone; rounds two and three stay within 1.6x.
   */
  @Test
  void flooder_isThrottledThenClosed_othersKeepTheirLatency() throws Exception {
    int clients = 50;
    int commitsPerClient = 30;
    int rounds = 3;
    try (PatchbayServer server = LimitsTest.start(ServerConfig.builder())) {
      List<TestClient> polite = new ArrayList<>();
      ExecutorService pool = Executors.newFixedThreadPool(clients + 1);
      try {
        for (int i = 0; i < clients; i++) {
          polite.add(new TestClient(ws(server)));
        }
        runPhase(polite, pool, "warm", commitsPerClient, 0); // JIT and caches, not measured
        List<Long> quietP99 = new ArrayList<>();
        List<Long> floodP99 = new ArrayList<>();
        List<Integer> sent = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
          quietP99.add(p99(runPhase(polite, pool, "quiet" + r, commitsPerClient, 1 + 2 * r)));
          TestClient flooder = new TestClient(ws(server));
          CompletableFuture<Integer> flood = flood(flooder, pool);
          floodP99.add(p99(runPhase(polite, pool, "flood" + r, commitsPerClient, 2 + 2 * r)));
          String closed = flooder.closed.get(20, TimeUnit.SECONDS);
          sent.add(flood.get(20, TimeUnit.SECONDS));
          flooder.close();
          // The flooder keeps sending while the server closes it, so it may see the 1008 close
          // frame or only the broken socket under it; the server's own count below says why.
          assertThat(closed).matches("1008.*|error .*");
          assertThat(flooder.unmatched)
              .anySatisfy(a -> assertThat(a.path("error").path("code").asInt()).isEqualTo(429));
        }
        assertThat(server.metrics().scrape())
            .contains("patchbay_closed_connections_total{reason=\"rate-limit\"} " + rounds + ".0");
        double ratio = (double) median(floodP99) / Math.max(1, median(quietP99));
        System.out.printf(
            "flood: flooders sent %s frames before their close; p99 commit latency quiet %s ms,"
                + " with flood %s ms; ratio of medians %.2f%n",
            sent, millis(quietP99), millis(floodP99), ratio);
        // Generous: the machine is shared (2 cores, often a load average of 8, and the flooding
        // thread runs in this JVM too), so p99s of a few ms swing several-fold between runs.
        // What matters is that the flood is cut off and cannot multiply the others' latency.
        assertThat(ratio).isLessThan(8.0);
      } finally {
        polite.forEach(TestClient::close);
        pool.shutdownNow();
      }
    }
  }

  /** Sends getDoc requests as fast as the socket takes them until the server closes it. */
  private static CompletableFuture<Integer> flood(TestClient flooder, ExecutorService pool) {
    return CompletableFuture.supplyAsync(
        () -> {
          int sent = 0;
          String frame =
              "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"getDoc\",\"params\":[\"flood\"]}";
          try {
            while (!flooder.closed.isDone() && sent < 200_000) {
              flooder.send(String.format(frame, ++sent));
            }
          } catch (RuntimeException closedUnderUs) {
            // the server closed the socket while we were sending
          }
          return sent;
        },
        pool);
  }

  private static long median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  private static List<String> millis(List<Long> nanos) {
    return nanos.stream().map(n -> String.format("%.2f", n / 1e6)).toList();
  }

  /** Each client commits {@code n} changes to its own document, about one per 50 ms. */
  private static List<Long> runPhase(
      List<TestClient> clients, ExecutorService pool, String phase, int n, int round)
      throws Exception {
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    List<Future<?>> done = new ArrayList<>();
    for (int c = 0; c < clients.size(); c++) {
      TestClient client = clients.get(c);
      String doc = "paced-" + c;
      done.add(
          pool.submit(
              () -> {
                long next = System.nanoTime();
                for (int i = 0; i < n; i++) {
                  long rev = (long) round * n + i;
                  long t0 = System.nanoTime();
                  client.result(
                      "commitChanges", str(doc), change(phase + "-" + doc + "-" + i, rev, "1"));
                  latencies.add(System.nanoTime() - t0);
                  next += TimeUnit.MILLISECONDS.toNanos(50); // pacing, far below the rate limit
                  long wait = next - System.nanoTime();
                  if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    return latencies;
  }

  private static long p99(List<Long> latencies) {
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    return sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1);
  }
}
