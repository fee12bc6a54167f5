package dev.patchbay.server.collections;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.ServerConfig;
import dev.patchbay.server.spi.CollectionRecord;
import dev.patchbay.server.spi.CollectionStore;
import dev.patchbay.server.spi.DocStore;
import dev.patchbay.server.store.DocStores;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Store failures and the rate limit as the collection routes report them. */
class CollectionsFailureTest {
  private PatchbayServer server;
  private final List<WsClient> clients = new ArrayList<>();

  @AfterEach
  void stop() {
    clients.forEach(WsClient::close);
    if (server != null) {
      server.close();
    }
  }

  /** Fails writes of collection {@code broken} with 500 and of {@code busy} with 503. */
  private static final class FailingCollections implements CollectionStore {
    private final CollectionStore delegate;

    FailingCollections(CollectionStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public @Nullable CollectionRecord getRecord(String collection, String recordId) {
      return delegate.getRecord(collection, recordId);
    }

    @Override
    public long lastSeq(String collection) {
      return delegate.lastSeq(collection);
    }

    @Override
    public List<CollectionRecord> changesAfter(String collection, long afterSeq, int limit) {
      return delegate.changesAfter(collection, afterSeq, limit);
    }

    @Override
    public long countLive(String collection) {
      return delegate.countLive(collection);
    }

    @Override
    public Set<String> seenChangeIds(String collection, Collection<String> changeIds) {
      return delegate.seenChangeIds(collection, changeIds);
    }

    @Override
    public long purgedThrough(String collection) {
      return delegate.purgedThrough(collection);
    }

    @Override
    public List<String> collectionNames() {
      return delegate.collectionNames();
    }

    @Override
    public CompletableFuture<Integer> purgeTombstones(String collection, long deletedBefore) {
      return delegate.purgeTombstones(collection, deletedBefore);
    }

    @Override
    public CompletableFuture<Void> write(
        String collection,
        List<CollectionRecord> records,
        Collection<String> changeIds,
        long changeIdsExpireAt) {
      return switch (collection) {
        case "broken" -> CompletableFuture.failedFuture(new PatchbayException(500, "disk on fire"));
        case "busy" ->
            CompletableFuture.failedFuture(new PatchbayException(503, "write queue full"));
        default -> delegate.write(collection, records, changeIds, changeIdsExpireAt);
      };
    }
  }

  private static DocStore failingStore() {
    DocStore real = DocStores.inMemory();
    return withCollections(real, new FailingCollections(real.collections()));
  }

  /** The in-memory store with its collections replaced (or removed, with null). */
  private static DocStore withCollections(DocStore real, @Nullable CollectionStore failing) {
    return (DocStore)
        Proxy.newProxyInstance(
            DocStore.class.getClassLoader(),
            new Class<?>[] {DocStore.class},
            (proxy, method, args) -> {
              if (method.getName().equals("collections")) {
                return failing;
              }
              try {
                return method.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  @Test
  void storeFailure_answersServerErrorOverHttpAndWebSocket_andNothingIsStored() {
    server =
        PatchbayServer.start(
            ServerConfig.builder().port(0).store("memory").build(), failingStore());
    SyncHttp http = new SyncHttp("http://127.0.0.1:" + server.address().getPort(), null);
    SyncHttp.Res r = http.post("/sync/broken", "{\"recordId\":\"a\",\"data\":{}}");
    assertThat(r.status()).isEqualTo(500);
    assertThat(r.body().get("code").stringValue()).isEqualTo("SERVER_ERROR");
    assertThat(r.body().get("error").stringValue()).doesNotContain("disk");
    SyncHttp.Res busy = http.post("/sync/busy", "{\"recordId\":\"a\",\"data\":{}}");
    assertThat(busy.status()).isEqualTo(503);
    assertThat(busy.body().get("code").stringValue()).isEqualTo("SERVER_BUSY");
    WsClient c = WsClient.connect("ws://127.0.0.1:" + server.address().getPort() + "/sync/ws");
    clients.add(c);
    c.send("{\"type\":\"insert\",\"collection\":\"broken\",\"recordId\":\"a\",\"data\":{}}");
    JsonNode e = c.next("error");
    assertThat(e.get("code").stringValue()).isEqualTo("SERVER_ERROR");
    assertThat(e.get("metadata").get("recordId").stringValue()).isEqualTo("a");
    assertThat(http.get("/sync/broken/a").status()).isEqualTo(404);
    // The collection recovers: a later write to a healthy collection works.
    assertThat(http.post("/sync/todos", "{\"recordId\":\"a\",\"data\":{}}").status())
        .isEqualTo(200);
  }

  @Test
  void overTheMessageRate_answersRateLimitExceeded() {
    server =
        PatchbayServer.start(
            ServerConfig.builder()
                .port(0)
                .store("memory")
                .messagesPerSecond(1)
                .messageBurst(3)
                .build(),
            DocStores.inMemory());
    WsClient c = WsClient.connect("ws://127.0.0.1:" + server.address().getPort() + "/sync/ws");
    clients.add(c);
    // A burst of 3 passes; the 4th is refused (a few refusals do not close the connection).
    for (int i = 0; i < 4; i++) {
      c.send("{\"type\":\"ping\"}");
    }
    List<String> codes = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      JsonNode m = c.next();
      codes.add(m.get("type").stringValue().equals("error") ? m.get("code").stringValue() : "pong");
    }
    assertThat(codes).contains("pong", "RATE_LIMIT_EXCEEDED");
    WsClient notes = WsClient.connect("ws://127.0.0.1:" + server.address().getPort() + "/notes/ws");
    clients.add(notes);
    notes.next("sync_required");
    for (int i = 0; i < 4; i++) {
      notes.send("{\"type\":\"ping\",\"payload\":{},\"timestamp\":\"t\"}");
    }
    List<String> notesCodes = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      JsonNode m = notes.next();
      notesCodes.add(
          m.get("type").stringValue().equals("error")
              ? m.get("payload").get("code").stringValue()
              : m.get("type").stringValue());
    }
    assertThat(notesCodes).contains("RATE_LIMIT_EXCEEDED");
  }

  @Test
  void storeWithoutCollections_servesNoCollectionRoutes() {
    server =
        PatchbayServer.start(
            ServerConfig.builder().port(0).store("memory").build(),
            withCollections(DocStores.inMemory(), null));
    assertThat(server.collections()).isNull();
    SyncHttp http = new SyncHttp("http://127.0.0.1:" + server.address().getPort(), null);
    assertThat(http.sendRaw("GET", "/sync/todos")).isEqualTo(404);
    assertThat(http.sendRaw("GET", "/healthz")).isEqualTo(200);
  }
}
