package dev.patchbay.store.sqlite;

import static dev.patchbay.store.sqlite.Fixtures.await;
import static dev.patchbay.store.sqlite.Fixtures.change;
import static dev.patchbay.store.sqlite.Fixtures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.core.patch.PatchOp;
import dev.patchbay.server.spi.ChangeQuery;
import dev.patchbay.server.spi.DocStore;
import dev.patchbay.server.spi.DuplicateChangeIdException;
import dev.patchbay.server.spi.LwwState;
import dev.patchbay.server.spi.LwwWrite;
import dev.patchbay.server.spi.Tombstone;
import dev.patchbay.server.spi.VersionMetadata;
import dev.patchbay.server.spi.VersionOrigin;
import dev.patchbay.server.spi.VersionUpdate;
import dev.patchbay.testkit.ManualClock;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the SQLite store does with its file: schema, pragmas, persistence, crash recovery. */
class SqliteStoreFileTest {
  @TempDir Path dataDirectory;

  private final ManualClock clock = new ManualClock(1_800_000_000_000L);

  @Test
  void open_missingDirectory_createsTheFileAndAppliesTheMigrations() throws Exception {
    Path nested = dataDirectory.resolve("a").resolve("b");

    try (DocStore store = SqliteStores.builder(nested).fileName("docs.db").open()) {
      assertThat(store.currentRev("d")).isZero();
    }

    Path file = nested.resolve("docs.db");
    assertThat(file).isRegularFile();
    assertThat(
            query(
                file,
                "SELECT version || ':' || success FROM flyway_schema_history"
                    + " WHERE version IS NOT NULL"))
        .containsExactly("1:1", "2:1", "3:1");
    assertThat(query(file, "SELECT name FROM sqlite_master WHERE type = 'table'"))
        .contains(
            "changes",
            "versions",
            "version_states",
            "lww_docs",
            "lww_ops",
            "lww_seen_ids",
            "tombstones",
            "collection_heads",
            "collection_records",
            "collection_seen_ids");
  }

  @Test
  void open_defaults_setWalFullSyncForeignKeysAndBusyTimeout() throws Exception {
    try (DocStore opened = SqliteStores.builder(dataDirectory).open()) {
      SqliteDocStore store = (SqliteDocStore) opened;

      assertThat(store.readerPragma("journal_mode")).isEqualTo("wal");
      assertThat(await(store.writerPragma("journal_mode"))).isEqualTo("wal");
      // 2 = FULL: the WAL is fsynced at every commit.
      assertThat(await(store.writerPragma("synchronous"))).isEqualTo("2");
      assertThat(await(store.writerPragma("foreign_keys"))).isEqualTo("1");
      assertThat(await(store.writerPragma("busy_timeout"))).isEqualTo("5000");
      assertThat(store.readerPragma("query_only")).isEqualTo("1");
      assertThat(store.readerPragma("busy_timeout")).isEqualTo("5000");
      // Nothing reads generated keys; fetching them cost every INSERT a compiled SELECT.
      assertThat(await(store.writerFetchesGeneratedKeys())).isFalse();
    }
  }

  @Test
  void open_processCrashSafe_usesNormalSync() throws Exception {
    try (DocStore opened =
        SqliteStores.builder(dataDirectory)
            .durability(SqliteStores.Durability.PROCESS_CRASH_SAFE)
            .busyTimeout(Duration.ofMillis(1500))
            .open()) {
      SqliteDocStore store = (SqliteDocStore) opened;

      assertThat(await(store.writerPragma("synchronous"))).isEqualTo("1");
      assertThat(await(store.writerPragma("journal_mode"))).isEqualTo("wal");
      assertThat(await(store.writerPragma("busy_timeout"))).isEqualTo("1500");
    }
  }

  @Test
  void builder_invalidSettings_failFastNamingTheSetting() {
    SqliteStores.Builder builder = SqliteStores.builder(dataDirectory);

    assertThatThrownBy(() -> builder.readConnections(0)).hasMessageContaining("readConnections");
    assertThatThrownBy(() -> builder.writeQueueCapacity(0))
        .hasMessageContaining("writeQueueCapacity");
    assertThatThrownBy(() -> builder.maxBatchSize(0)).hasMessageContaining("maxBatchSize");
    assertThatThrownBy(() -> builder.enqueueTimeout(Duration.ofSeconds(-1)))
        .hasMessageContaining("enqueueTimeout");
    assertThatThrownBy(() -> builder.fileName("../x.db")).hasMessageContaining("fileName");
  }

  @Test
  void open_unusableDirectory_failsWith500() throws Exception {
    Path notADirectory = Files.writeString(dataDirectory.resolve("file"), "x");

    assertThatThrownBy(() -> SqliteStores.builder(notADirectory).open())
        .isInstanceOfSatisfying(PatchbayException.class, e -> assertThat(e.code()).isEqualTo(500));
  }

  @Test
  void reopen_afterClose_keepsEverythingAndTheRules() throws Exception {
    VersionMetadata version =
        VersionMetadata.of("v1", VersionOrigin.MAIN, 100, 200, 1, 2).withGroup("g", true);
    try (DocStore store = open()) {
      await(store.saveChanges("d", List.of(change("a", 1), change("b", 2))));
      await(store.createVersion("d", version, Json.parse("{\"s\":[1,2]}")));
      await(store.updateVersion("d", "v1", VersionUpdate.rename("named")));
      await(
          store.saveLwwOps(
              "l",
              LwwWrite.of(List.of(PatchOp.replace("/x", Json.number(1)).withTs(5L)))
                  .remembering(Set.of("c1"), clock.millis() + 1000)));
      await(store.saveLwwSnapshot("l", Json.parse("{\"x\":0}"), 1));
      await(store.createTombstone(new Tombstone("gone", 10, 3, "c", null)));
    }

    try (DocStore store = open()) {
      assertThat(store.listChanges("d", ChangeQuery.all()))
          .extracting(c -> c.id())
          .containsExactly("a", "b");
      assertThat(store.loadVersion("d", "v1")).isEqualTo(version.withName("named"));
      assertThat(Json.equal(store.loadVersionState("d", "v1"), Json.parse("{\"s\":[1,2]}")))
          .isTrue();
      LwwState lww = store.loadLww("l");
      assertThat(lww.rev()).isEqualTo(1);
      assertThat(lww.ops())
          .extracting(PatchOp::path, PatchOp::rev, PatchOp::ts)
          .containsExactly(tuple("/x", 1L, 5L));
      assertThat(lww.snapshot()).isNotNull();
      assertThat(store.seenLwwChangeIds("l", List.of("c1"))).containsExactly("c1");
      assertThat(store.getTombstone("gone")).isEqualTo(new Tombstone("gone", 10, 3, "c", null));

      assertThat(failure(store.saveChanges("d", List.of(change("a", 3)))))
          .isInstanceOf(DuplicateChangeIdException.class);
      await(store.saveChanges("d", List.of(change("c", 3))));
      assertThat(store.currentRev("d")).isEqualTo(3);
    }
    assertThat(
            query(
                dataDirectory.resolve("patchbay.db"),
                "SELECT count(*) FROM flyway_schema_history WHERE version IS NOT NULL"))
        .containsExactly("3");
  }

  @Test
  void close_checkpointsTheWalIntoTheDatabaseFile() throws Exception {
    try (DocStore store = open()) {
      await(store.saveChanges("d", List.of(change("a", 1))));
    }

    Path wal = dataDirectory.resolve("patchbay.db-wal");
    assertThat(!Files.exists(wal) || Files.size(wal) == 0).as("WAL emptied on close").isTrue();
  }

  @Test
  void killedProcess_acknowledgedWritesSurvive() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                CrashingWriter.class.getName(),
                dataDirectory.toString(),
                "1000000")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    long acknowledged = 0;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (acknowledged < 40 && (line = out.readLine()) != null) {
        acknowledged = Long.parseLong(line.substring("ACK ".length()));
      }
      // SIGKILL while the child is still writing: no shutdown hook, no close, no checkpoint.
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(acknowledged).as("acknowledged writes before the kill").isEqualTo(40);

    try (DocStore store = open()) {
      long head = store.currentRev("crash");
      assertThat(head).isGreaterThanOrEqualTo(acknowledged);
      assertThat(store.listChanges("crash", 0))
          .extracting(c -> c.rev())
          .containsExactlyElementsOf(LongStream.rangeClosed(1, head).boxed().toList());
    }
  }

  private DocStore open() {
    return SqliteStores.builder(dataDirectory).clock(clock).open();
  }

  private static List<String> query(Path file, String sql) throws Exception {
    List<String> values = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery(sql)) {
      while (rows.next()) {
        values.add(rows.getString(1));
      }
    }
    return values;
  }
}
