package dev.patchbay.server.patches;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import dev.patchbay.server.engine.Engine;
import dev.patchbay.server.spi.Connection;
import dev.patchbay.server.store.DocStores;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Commits that queue behind a document's in-flight batch are settled as one batch, and each
 * subscriber hears of that batch in one {@code changesCommitted}: a committer of all but its own
 * changes (after its answer), everyone else of all of them. The document's shard runs on an
 * executor this test holds back, so the batch is formed deterministically.
 */
class BatchNotificationTest {
  private static final String DOC = "batched";

  private final ExecutorService shard =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "patchbay-doc-test"));
  private PatchesRpcHandler handler;
  private Engine engine;

  @BeforeEach
  void start() {
    handler = new PatchesRpcHandler();
    engine =
        new Engine(
            DocStores.inMemory(),
            new Engine.Settings(
                1, Duration.ofMinutes(30), 1000, 100, List.of(), 10_000, 1 << 20, 1L << 30),
            handler,
            System::currentTimeMillis,
            i -> shard);
    handler.bind(engine);
  }

  @AfterEach
  void stop() {
    engine.close();
  }

  @Test
  void commitsQueuedTogether_eachSubscriberGetsOneNotificationWithoutItsOwnChanges()
      throws Exception {
    Recorder a = new Recorder("a");
    Recorder b = new Recorder("b");
    Recorder watcher = new Recorder("w");
    Recorder first = new Recorder("x");
    Recorder creator = new Recorder("c");
    handler.onOpen(creator);
    creator.call(handler, 1, "commitChanges", commit("c0", 0, "/c"));
    creator.awaitFrames(1);
    for (Recorder r : List.of(a, b, watcher, first)) {
      handler.onOpen(r);
      r.call(handler, 1, "subscribe", "[[\"" + DOC + "\"]]");
      r.awaitFrames(1);
      r.frames.clear();
    }

    CountDownLatch release = new CountDownLatch(1);
    shard.execute(() -> await(release)); // hold the shard so the commits below queue up
    first.call(handler, 2, "commitChanges", commit("x1", 1, "/x"));
    a.call(handler, 2, "commitChanges", commit("a1", 1, "/a"));
    b.call(handler, 2, "commitChanges", commit("b1", 1, "/b"));
    release.countDown();

    // x1 ran alone (rev 2); a1 and b1 queued behind its write and were settled together (3, 4).
    a.awaitFrames(3);
    b.awaitFrames(3);
    watcher.awaitFrames(2);
    first.awaitFrames(2);

    assertThat(a.frames.get(0).path("method").asString()).isEqualTo("changesCommitted");
    assertThat(revs(a.frames.get(0).path("params").path("changes"))).containsExactly(2L);
    assertThat(a.frames.get(1).path("id").asInt()).isEqualTo(2);
    assertThat(revs(a.frames.get(1).path("result").path("changes"))).containsExactly(2L, 3L);
    assertThat(revs(a.frames.get(2).path("params").path("changes"))).containsExactly(4L);

    assertThat(revs(b.frames.get(0).path("params").path("changes"))).containsExactly(2L);
    assertThat(b.frames.get(1).path("id").asInt()).isEqualTo(2);
    assertThat(revs(b.frames.get(1).path("result").path("changes"))).containsExactly(2L, 3L, 4L);
    // a1 again, stale for b now: every change of another connection comes in a notification.
    assertThat(revs(b.frames.get(2).path("params").path("changes"))).containsExactly(3L);

    assertThat(revs(watcher.frames.get(0).path("params").path("changes"))).containsExactly(2L);
    assertThat(revs(watcher.frames.get(1).path("params").path("changes"))).containsExactly(3L, 4L);

    assertThat(first.frames.get(0).path("id").asInt()).isEqualTo(2);
    assertThat(revs(first.frames.get(1).path("params").path("changes"))).containsExactly(3L, 4L);

    // Nothing else arrives, and no connection was sent its own change.
    shard.submit(() -> {}).get(5, TimeUnit.SECONDS);
    assertThat(a.frames).hasSize(3);
    assertThat(b.frames).hasSize(3);
    assertThat(watcher.frames).hasSize(2);
    assertThat(first.frames).hasSize(2);
  }

  /** A client gone before its answer: the commit is stored and broadcast, the answer not built. */
  @Test
  void commitOfAConnectionClosedBeforeItsAnswer_isStoredButNotAnswered() throws Exception {
    Recorder gone = new Recorder("g");
    Recorder watcher = new Recorder("w");
    handler.onOpen(gone);
    handler.onOpen(watcher);
    watcher.call(handler, 1, "subscribe", "[[\"" + DOC + "\"]]");
    watcher.awaitFrames(1);
    watcher.frames.clear();

    CountDownLatch release = new CountDownLatch(1);
    shard.execute(() -> await(release));
    gone.call(handler, 1, "commitChanges", commit("g1", 0, "/g"));
    gone.open = false;
    release.countDown();

    watcher.awaitFrames(1);
    assertThat(revs(watcher.frames.get(0).path("params").path("changes"))).containsExactly(1L);
    shard.submit(() -> {}).get(5, TimeUnit.SECONDS);
    assertThat(gone.frames).isEmpty();
  }

  private static String commit(String id, long baseRev, String path) {
    return "[\""
        + DOC
        + "\",[{\"id\":\""
        + id
        + "\",\"baseRev\":"
        + baseRev
        + ",\"rev\":"
        + (baseRev + 1)
        + ",\"createdAt\":"
        + System.currentTimeMillis() // recent: an old change would open an offline session
        + ",\"ops\":[{\"op\":\"add\",\"path\":\""
        + path
        + "\",\"value\":1}]}]]";
  }

  private static List<Long> revs(JsonNode changes) {
    List<Long> revs = new ArrayList<>();
    changes.forEach(c -> revs.add(c.path("rev").asLong()));
    return revs;
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A connection that keeps every frame sent to it, in order. */
  private static final class Recorder implements Connection {
    private final String id;
    final List<JsonNode> frames = java.util.Collections.synchronizedList(new ArrayList<>());
    volatile boolean open = true;

    Recorder(String id) {
      this.id = id;
    }

    void call(PatchesRpcHandler handler, int requestId, String method, String params) {
      handler.onMessage(
          this,
          "{\"jsonrpc\":\"2.0\",\"id\":"
              + requestId
              + ",\"method\":\""
              + method
              + "\",\"params\":"
              + params
              + "}");
    }

    void awaitFrames(int count) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      synchronized (this) {
        while (frames.size() < count && System.nanoTime() < deadline) {
          wait(100);
        }
      }
      assertThat(frames).as("frames of %s", id).hasSizeGreaterThanOrEqualTo(count);
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public void send(String text) {
      synchronized (this) {
        frames.add(Json.parse(text));
        notifyAll();
      }
    }

    @Override
    public void send(byte[] utf8Text) {
      send(new String(utf8Text, StandardCharsets.UTF_8));
    }

    @Override
    public boolean isWritable() {
      return true;
    }

    @Override
    public void close(int code, String reason) {}

    @Override
    public boolean isOpen() {
      return open;
    }
  }
}
