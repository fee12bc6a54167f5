package dev.patchbay.collections.client;

import static dev.patchbay.collections.client.LocalCollectionTest.doc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.ServerConfig;
import dev.patchbay.server.store.DocStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/** watch(): the current state at once, then every local and remote change; failures contained. */
class WatchTest {
  @TempDir Path tmp;
  private PatchbayServer server;
  private CollectionsClient a;
  private CollectionsClient b;

  @BeforeEach
  void start() {
    server = PatchbayServer.start(ServerConfig.builder().port(0).build(), DocStores.inMemory());
    a = device("a");
    b = device("b");
  }

  private CollectionsClient device(String name) {
    return CollectionsClient.builder()
        .baseUrl("http://127.0.0.1:" + server.address().getPort())
        .dataDirectory(tmp.resolve(name))
        .collections("todos")
        .autoSync(false)
        .build();
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
    server.close();
  }

  @Test
  void watch_emitsAtOnce_thenOnEveryLocalChange() throws Exception {
    RecordCollection todos = a.collection("todos");
    todos.save(doc("{'n':1}"), "1");
    BlockingQueue<List<ObjectNode>> seen = new LinkedBlockingQueue<>();
    try (Subscription s = todos.watch(seen::add)) {
      assertThat(seen.poll(30, TimeUnit.SECONDS)).hasSize(1);
      todos.save(doc("{'n':2}"), "2");
      assertThat(seen.poll(30, TimeUnit.SECONDS)).hasSize(2);
      todos.delete("1");
      assertThat(seen.poll(30, TimeUnit.SECONDS)).hasSize(1);
      todos.update("2", doc("{'n':3}"));
      assertThat(seen.poll(30, TimeUnit.SECONDS).get(0).get("n").intValue()).isEqualTo(3);
    }
  }

  @Test
  void watchQuery_deliversOnlyMatchingRecords() {
    RecordCollection todos = a.collection("todos");
    AtomicReference<List<ObjectNode>> latest = new AtomicReference<>();
    try (Subscription s = todos.where("done", Operator.EQUAL_TO, true).watch(latest::set)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> latest.get() != null);
      assertThat(latest.get()).isEmpty();
      todos.saveAll(List.of(doc("{'id':'x','done':true}"), doc("{'id':'y','done':false}")));
      await().atMost(Duration.ofSeconds(30)).until(() -> latest.get().size() == 1);
      assertThat(latest.get().get(0).get("id").stringValue()).isEqualTo("x");
    }
  }

  @Test
  void watch_remoteChangeArrivingBySync_isDelivered() {
    AtomicReference<List<ObjectNode>> latest = new AtomicReference<>();
    try (Subscription s = b.collection("todos").watch(latest::set)) {
      a.collection("todos").save(doc("{'from':'a'}"), "r");
      a.syncNow().join();
      b.syncNow().join();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> latest.get() != null && latest.get().size() == 1);
      a.collection("todos").delete("r");
      a.syncNow().join();
      b.syncNow().join();
      await().atMost(Duration.ofSeconds(30)).until(() -> latest.get().isEmpty());
    }
  }

  @Test
  void watch_failingListener_keepsItsStream_andOthersUnaffected() {
    RecordCollection todos = a.collection("todos");
    AtomicInteger calls = new AtomicInteger();
    AtomicReference<List<ObjectNode>> other = new AtomicReference<>();
    try (Subscription failing =
            todos.watch(
                records -> {
                  calls.incrementAndGet();
                  throw new IllegalStateException("listener bug");
                });
        Subscription fine = todos.watch(other::set)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> calls.get() >= 1);
      int before = calls.get();
      todos.save(doc("{'n':1}"));
      await().atMost(Duration.ofSeconds(30)).until(() -> calls.get() > before);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> other.get() != null && other.get().size() == 1);
    }
  }

  @Test
  void watch_afterClose_receivesNothingMore() throws Exception {
    RecordCollection todos = a.collection("todos");
    BlockingQueue<List<ObjectNode>> seen = new LinkedBlockingQueue<>();
    Subscription s = todos.watch(seen::add);
    assertThat(seen.poll(30, TimeUnit.SECONDS)).isEmpty();
    s.close();
    s.close();
    todos.save(doc("{'n':1}"));
    // A second listener registered after the change sees it, so every delivery queued before it
    // has run: the closed one got none.
    BlockingQueue<List<ObjectNode>> probe = new LinkedBlockingQueue<>();
    try (Subscription p = todos.watch(probe::add)) {
      assertThat(probe.poll(30, TimeUnit.SECONDS)).hasSize(1);
    }
    assertThat(seen).isEmpty();
  }
}
