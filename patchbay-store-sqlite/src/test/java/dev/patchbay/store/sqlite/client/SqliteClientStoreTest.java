package dev.patchbay.store.sqlite.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchbay.client.QuarantinedChange;
import dev.patchbay.client.spi.ClientStore;
import dev.patchbay.client.spi.ClientStoreContract;
import dev.patchbay.client.spi.StoredDoc;
import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.core.ot.Change;
import dev.patchbay.core.patch.PatchOp;
import dev.patchbay.store.sqlite.SqliteStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

/** The client store contract on SQLite, plus what only a durable store promises. */
class SqliteClientStoreTest extends ClientStoreContract {
  @TempDir Path dir;
  private final AtomicInteger files = new AtomicInteger();

  @Override
  protected ClientStore newStore() {
    return SqliteClientStores.open(dir, "contract-" + files.incrementAndGet() + ".db");
  }

  private static Change change(String id, long baseRev, long rev) {
    return Change.of(
        id, baseRev, rev, List.of(PatchOp.add("/" + id, Json.NODES.numberNode(rev))), 7);
  }

  @Test
  void open_thenReopen_keepsTrackedStateRevisionAndPending() {
    Change c1 = change("c1", 3, 4);
    Change c2 = change("c2", 3, 5);
    try (ClientStore store = SqliteClientStores.open(dir)) {
      store.trackDocs(List.of("a", "b"));
      store.saveDoc("a", Json.parse("{\"x\":[1,\"two\",null]}"), 3, List.of(c1));
      store.appendPending("a", c2);
      store.appendPending("offline", change("o1", 0, 1));
      store.saveDoc("nullState", null, 0, List.of());
    }

    try (ClientStore reopened = SqliteClientStores.open(dir)) {
      assertThat(reopened.trackedDocs()).containsExactlyInAnyOrder("a", "b");
      assertStoredEquals(
          reopened.loadDoc("a"),
          new StoredDoc(Json.parse("{\"x\":[1,\"two\",null]}"), 3, List.of(c1, c2)));
      assertPendingEquals(reopened.loadDoc("offline").pending(), List.of(change("o1", 0, 1)));
      assertThat(reopened.loadDoc("nullState")).isEqualTo(StoredDoc.empty());
    }
    assertThat(dir.resolve(SqliteClientStores.DEFAULT_FILE_NAME)).exists();
  }

  @Test
  void open_thenReopen_keepsSendingChangeTombstonesAndQuarantine() {
    Change sending = change("s1", 2, 3);
    Change pending = change("p1", 2, 3);
    Change rejected = change("r1", 0, 1);
    try (ClientStore store = SqliteClientStores.open(dir)) {
      store.saveDoc("lww", new StoredDoc(Json.parse("{\"a\":1}"), 2, List.of(pending), sending));
      store.addTombstone("gone");
      store.quarantine(
          "q",
          List.of(new QuarantinedChange("q", rejected, 413, "too large", 99)),
          new StoredDoc(null, 0, List.of()));
    }

    try (ClientStore reopened = SqliteClientStores.open(dir)) {
      assertStoredEquals(
          reopened.loadDoc("lww"),
          new StoredDoc(Json.parse("{\"a\":1}"), 2, List.of(pending), sending));
      assertThat(reopened.tombstones()).containsExactly("gone");
      assertThat(reopened.quarantinedChanges())
          .singleElement()
          .satisfies(
              q -> {
                assertThat(q.docId()).isEqualTo("q");
                assertThat(q.code()).isEqualTo(413);
                assertThat(q.message()).isEqualTo("too large");
                assertThat(q.quarantinedAt()).isEqualTo(99);
                assertPendingEquals(List.of(q.change()), List.of(rejected));
              });
    }
  }

  @Test
  void open_fileOfTheFirstSchema_migratesInPlaceKeepingItsData() throws Exception {
    Path file = dir.resolve("v1.db");
    SQLiteDataSource dataSource = new SQLiteDataSource();
    dataSource.setUrl("jdbc:sqlite:" + file);
    Flyway.configure()
        .dataSource(dataSource)
        .locations("classpath:db/client-migration")
        .target("1")
        .load()
        .migrate();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO tracked_docs (doc_id) VALUES ('a')");
      s.executeUpdate(
          "INSERT INTO docs (doc_id, state, committed_rev) VALUES ('a', '{\"x\":1}', 3)");
      s.executeUpdate(
          "INSERT INTO pending_changes (doc_id, seq, body) VALUES ('a', 1, '"
              + change("c1", 3, 4).toJsonString()
              + "')");
    }

    try (ClientStore store = SqliteClientStores.open(dir, "v1.db")) {
      assertThat(store.trackedDocs()).containsExactly("a");
      assertStoredEquals(
          store.loadDoc("a"),
          new StoredDoc(Json.parse("{\"x\":1}"), 3, List.of(change("c1", 3, 4))));
      assertThat(store.tombstones()).isEmpty();
      assertThat(store.quarantinedChanges()).isEmpty();
    }
  }

  @Test
  void saveDoc_jsonNullState_isKeptApartFromNoState() {
    try (ClientStore store = SqliteClientStores.open(dir)) {
      store.saveDoc("d", Json.parse("null"), 1, List.of());

      assertThat(store.loadDoc("d").state()).isNotNull();
      assertThat(store.loadDoc("d").state().isNull()).isTrue();
    }
  }

  @Test
  void saveDoc_shorterQueueThanBefore_dropsTheRest() {
    try (ClientStore store = SqliteClientStores.open(dir)) {
      for (int i = 1; i <= 5; i++) {
        store.appendPending("d", change("c" + i, 0, i));
      }
      store.saveDoc("d", Json.parse("{}"), 2, List.of(change("c5", 2, 3)));
      store.appendPending("d", change("c6", 2, 4));

      assertPendingEquals(
          store.loadDoc("d").pending(), List.of(change("c5", 2, 3), change("c6", 2, 4)));
    }
  }

  @Test
  void appendPending_manyThreads_keepsEveryChangeOncePerThreadInOrder() throws Exception {
    try (ClientStore store = SqliteClientStores.open(dir)) {
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        String tag = "t" + t;
        Thread thread =
            new Thread(
                () -> {
                  for (int i = 0; i < 25; i++) {
                    store.appendPending("d", change(tag + "-" + i, 0, i + 1));
                  }
                },
                "test-appender-" + t);
        threads.add(thread);
        thread.start();
      }
      for (Thread thread : threads) {
        thread.join();
      }

      List<Change> pending = store.loadDoc("d").pending();
      assertThat(pending).hasSize(100);
      for (int t = 0; t < 4; t++) {
        String prefix = "t" + t + "-";
        assertThat(pending.stream().map(Change::id).filter(id -> id.startsWith(prefix)))
            .containsExactly(
                java.util.stream.IntStream.range(0, 25)
                    .mapToObj(i -> prefix + i)
                    .toArray(String[]::new));
      }
    }
  }

  @Test
  void close_thenUse_throwsAndSecondCloseIsHarmless() {
    ClientStore store = SqliteClientStores.open(dir);
    store.close();
    store.close();

    assertThatThrownBy(store::trackedDocs).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void open_fileNameWithSeparator_isRefused() {
    assertThatThrownBy(() -> SqliteClientStores.open(dir, "a/b.db"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void open_serverStoreFile_isRefused() throws Exception {
    SqliteStores.builder(dir).open().close();

    assertThatThrownBy(() -> SqliteClientStores.open(dir, "patchbay.db"))
        .isInstanceOf(PatchbayException.class);
  }

  @Test
  void open_missingDirectory_createsIt() throws Exception {
    Path nested = dir.resolve("x").resolve("y");
    try (ClientStore store = SqliteClientStores.open(nested)) {
      store.trackDocs(List.of("a"));
    }
    assertThat(Files.exists(nested.resolve(SqliteClientStores.DEFAULT_FILE_NAME))).isTrue();
  }
}
