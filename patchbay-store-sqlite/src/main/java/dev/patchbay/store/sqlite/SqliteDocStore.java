package dev.patchbay.store.sqlite;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.core.lww.Lww;
import dev.patchbay.core.ot.Change;
import dev.patchbay.core.patch.PatchOp;
import dev.patchbay.server.spi.ChangeQuery;
import dev.patchbay.server.spi.CollectionStore;
import dev.patchbay.server.spi.DocStore;
import dev.patchbay.server.spi.DuplicateChangeIdException;
import dev.patchbay.server.spi.LwwSnapshot;
import dev.patchbay.server.spi.LwwState;
import dev.patchbay.server.spi.LwwWrite;
import dev.patchbay.server.spi.RevConflictException;
import dev.patchbay.server.spi.Tombstone;
import dev.patchbay.server.spi.VersionMetadata;
import dev.patchbay.server.spi.VersionOrigin;
import dev.patchbay.server.spi.VersionQuery;
import dev.patchbay.server.spi.VersionUpdate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import tools.jackson.databind.JsonNode;

/**
 * The SQLite implementation of the store SPI. Reads run on the {@link ReadPool}; writes are {@link
 * SqliteWriter.Work} items for the single writer, which group-commits them. JSON is serialized on
 * the caller's thread before a write is queued, so the writer spends its time in SQLite only.
 *
 * <p>Checks that must be atomic with a write (the uniqueness rules, "does this version exist") run
 * inside the write's work on the writer thread; as the only writer holding {@code BEGIN IMMEDIATE},
 * nothing can commit between the check and the insert. The schema's keys enforce the same rules
 * once more.
 */
final class SqliteDocStore implements DocStore {
  private static final Logger log = LoggerFactory.getLogger(SqliteDocStore.class);

  private final Clock clock;
  private final SqlConnection writeConnection;
  private final SqliteWriter writer;
  private final ReadPool reads;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final SqliteCollectionStore collections;

  private SqliteDocStore(
      SqliteConfig config, SqlConnection writeConnection, List<SqlConnection> readConnections) {
    this.clock = config.clock();
    this.writeConnection = writeConnection;
    this.reads = new ReadPool(readConnections, config.busyTimeout().plusSeconds(5));
    this.writer =
        new SqliteWriter(
            writeConnection,
            config.writeQueueCapacity(),
            config.maxBatchSize(),
            config.enqueueTimeout());
    this.collections = new SqliteCollectionStore(clock, writer, reads);
  }

  @Override
  public CollectionStore collections() {
    return collections;
  }

  /** Creates the directory, migrates the schema and opens the connections. */
  static SqliteDocStore open(SqliteConfig config) {
    Path file = config.file().toAbsolutePath();
    try {
      Files.createDirectories(file.getParent());
    } catch (IOException e) {
      throw new PatchbayException(500, "Cannot create the data directory " + file.getParent(), e);
    }
    String url = "jdbc:sqlite:" + file;
    List<SqlConnection> opened = new ArrayList<>();
    try {
      // The writer connection sets WAL first: the mode is stored in the file, so every
      // connection opened after it, Flyway's included, works on a WAL database.
      SqlConnection writeConnection =
          new SqlConnection(connectionConfig(config, true).createConnection(url));
      opened.add(writeConnection);
      migrate(config, url);
      List<SqlConnection> readConnections = new ArrayList<>();
      for (int i = 0; i < config.readConnections(); i++) {
        SqlConnection read =
            new SqlConnection(connectionConfig(config, false).createConnection(url));
        opened.add(read);
        read.execute("PRAGMA query_only = ON");
        readConnections.add(read);
      }
      return new SqliteDocStore(config, writeConnection, readConnections);
    } catch (SQLException | FlywayException e) {
      for (SqlConnection connection : opened) {
        try {
          connection.close();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw new PatchbayException(500, "Cannot open the SQLite store " + file, e);
    }
  }

  /**
   * The settings of every connection. {@code synchronous} decides what a commit survives (see
   * {@link SqliteStores.Durability}): FULL fsyncs the WAL at every commit, which group commit makes
   * affordable; NORMAL survives kill -9 but not power loss. Foreign keys are on so deleting a
   * document cascades to its dependent rows.
   */
  static SQLiteConfig connectionConfig(SqliteConfig config, boolean writer) {
    SQLiteConfig sqlite = new SQLiteConfig();
    // Nothing here reads generated keys; with the driver's default every INSERT also matched its
    // SQL against a pattern and ran a freshly compiled SELECT last_insert_rowid().
    sqlite.setGetGeneratedKeys(false);
    sqlite.setBusyTimeout((int) config.busyTimeout().toMillis());
    sqlite.enforceForeignKeys(true);
    sqlite.setTempStore(SQLiteConfig.TempStore.MEMORY);
    sqlite.setSynchronous(
        config.durability() == SqliteStores.Durability.POWER_LOSS_SAFE
            ? SQLiteConfig.SynchronousMode.FULL
            : SQLiteConfig.SynchronousMode.NORMAL);
    if (writer) {
      sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
      // Checkpoints reset the WAL; cap what it keeps on disk after a burst.
      sqlite.setJournalSizeLimit(64 * 1024 * 1024);
    }
    return sqlite;
  }

  private static void migrate(SqliteConfig config, String url) {
    SQLiteDataSource dataSource = new SQLiteDataSource(connectionConfig(config, true));
    dataSource.setUrl(url);
    Flyway.configure(SqliteDocStore.class.getClassLoader())
        .dataSource(dataSource)
        .locations("classpath:db/migration")
        .failOnMissingLocations(true)
        .validateMigrationNaming(true)
        .cleanDisabled(true)
        // Through SLF4J like the rest of Patchbay, not whatever Flyway finds first.
        .loggers("slf4j")
        .load()
        .migrate();
  }

  // The change log.

  @Override
  public long currentRev(String docId) {
    Objects.requireNonNull(docId, "docId");
    return reads.read(
        c -> {
          PreparedStatement s =
              c.prepare("SELECT rev FROM changes WHERE doc_id = ? ORDER BY rev DESC LIMIT 1");
          s.setString(1, docId);
          try (ResultSet rows = s.executeQuery()) {
            return rows.next() ? rows.getLong(1) : 0L;
          }
        });
  }

  @Override
  public List<Change> listChanges(String docId, ChangeQuery query) {
    Objects.requireNonNull(docId, "docId");
    Objects.requireNonNull(query, "query");
    String sql =
        "SELECT body FROM changes WHERE doc_id = ? AND rev > ? AND rev <= ? ORDER BY rev"
            + (query.reverse() ? " DESC" : "")
            + " LIMIT ?";
    return reads.read(
        c -> {
          PreparedStatement s = c.prepare(sql);
          s.setString(1, docId);
          s.setLong(2, query.afterRev());
          s.setLong(3, query.untilRev());
          s.setInt(4, query.limit() == 0 ? -1 : query.limit());
          List<Change> changes = new ArrayList<>();
          try (ResultSet rows = s.executeQuery()) {
            while (rows.next()) {
              changes.add(Change.fromStoredJson(rows.getString(1)));
            }
          }
          return List.copyOf(changes);
        });
  }

  @Override
  public Map<String, Change> findChanges(String docId, Collection<String> ids) {
    Objects.requireNonNull(docId, "docId");
    List<String> wanted = List.copyOf(ids);
    return reads.read(
        c -> {
          PreparedStatement s =
              c.prepare("SELECT body FROM changes WHERE doc_id = ? AND change_id = ?");
          Map<String, Change> found = new LinkedHashMap<>();
          for (String id : wanted) {
            s.setString(1, docId);
            s.setString(2, id);
            try (ResultSet rows = s.executeQuery()) {
              if (rows.next()) {
                found.put(id, Change.fromStoredJson(rows.getString(1)));
              }
            }
          }
          return Map.copyOf(found);
        });
  }

  @Override
  public CompletableFuture<Void> saveChanges(String docId, List<Change> changes) {
    return save(docId, -1, changes);
  }

  @Override
  public CompletableFuture<Void> saveChanges(String docId, long expectedRev, List<Change> changes) {
    return save(docId, expectedRev, changes);
  }

  private CompletableFuture<Void> save(String docId, long expectedRev, List<Change> changes) {
    Objects.requireNonNull(docId, "docId");
    List<Change> batch = List.copyOf(changes);
    for (Change change : batch) {
      if (change.rev() <= 0) {
        return CompletableFuture.failedFuture(
            new PatchbayException(400, "Change revision must be positive: " + change.rev()));
      }
    }
    if (batch.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    List<String> bodies = new ArrayList<>(batch.size());
    for (Change change : batch) {
      bodies.add(change.toJsonString());
    }
    return writer.submit(
        c -> {
          if (expectedRev >= 0) {
            PreparedStatement head =
                c.prepare("SELECT COALESCE(MAX(rev), 0) FROM changes WHERE doc_id = ?");
            head.setString(1, docId);
            try (ResultSet rows = head.executeQuery()) {
              rows.next();
              if (rows.getLong(1) != expectedRev) {
                throw new RevConflictException(docId, List.of(expectedRev + 1));
              }
            }
          }
          // The table's keys reject a taken revision or id, so the rows go in unprobed (a lookup
          // per change was a fifth of the writer's statements). Only when an insert fails are the
          // rows undone and probed, to say which revisions or ids conflict.
          c.execute("SAVEPOINT save_changes");
          try {
            PreparedStatement insert =
                c.prepare("INSERT INTO changes (doc_id, rev, change_id, body) VALUES (?, ?, ?, ?)");
            for (int i = 0; i < batch.size(); i++) {
              insert.setString(1, docId);
              insert.setLong(2, batch.get(i).rev());
              insert.setString(3, batch.get(i).id());
              insert.setString(4, bodies.get(i));
              insert.executeUpdate();
            }
          } catch (SQLException e) {
            c.execute("ROLLBACK TO save_changes");
            c.execute("RELEASE save_changes");
            checkUnique(c, docId, batch);
            throw e; // not a conflict of keys
          }
          c.execute("RELEASE save_changes");
          return null;
        });
  }

  /**
   * Throws the SPI's conflict exceptions for a batch whose insert failed; runs on the writer, with
   * the batch's rows rolled back, so it sees exactly what the batch met.
   */
  private static void checkUnique(SqlConnection c, String docId, List<Change> batch)
      throws SQLException {
    PreparedStatement byId = c.prepare("SELECT 1 FROM changes WHERE doc_id = ? AND change_id = ?");
    Set<String> ids = new HashSet<>();
    Set<String> duplicateIds = new LinkedHashSet<>();
    for (Change change : batch) {
      if (!ids.add(change.id()) || exists(byId, docId, change.id())) {
        duplicateIds.add(change.id());
      }
    }
    if (!duplicateIds.isEmpty()) {
      throw new DuplicateChangeIdException(docId, List.copyOf(duplicateIds));
    }
    PreparedStatement byRev = c.prepare("SELECT 1 FROM changes WHERE doc_id = ? AND rev = ?");
    Set<Long> revs = new HashSet<>();
    TreeSet<Long> conflicts = new TreeSet<>();
    for (Change change : batch) {
      if (!revs.add(change.rev()) || exists(byRev, docId, change.rev())) {
        conflicts.add(change.rev());
      }
    }
    if (!conflicts.isEmpty()) {
      throw new RevConflictException(docId, List.copyOf(conflicts));
    }
  }

  private static boolean exists(PreparedStatement s, String docId, Object key) throws SQLException {
    s.setString(1, docId);
    s.setObject(2, key);
    try (ResultSet rows = s.executeQuery()) {
      return rows.next();
    }
  }

  // Versions.

  @Override
  public CompletableFuture<Void> createVersion(
      String docId, VersionMetadata version, JsonNode state) {
    Objects.requireNonNull(docId, "docId");
    String metadata = Json.write(version.toJson());
    String stateJson = Json.write(state);
    return writer.submit(
        c -> {
          PreparedStatement exists =
              c.prepare("SELECT 1 FROM versions WHERE doc_id = ? AND version_id = ?");
          if (exists(exists, docId, version.id())) {
            throw new PatchbayException(409, "Version already exists: " + version.id());
          }
          PreparedStatement insert =
              c.prepare(
                  "INSERT INTO versions (doc_id, version_id, origin, group_id, started_at,"
                      + " start_rev, end_rev, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
          insert.setString(1, docId);
          insert.setString(2, version.id());
          insert.setString(3, version.origin().wire());
          setNullableString(insert, 4, version.groupId());
          insert.setLong(5, version.startedAt());
          insert.setLong(6, version.startRev());
          insert.setLong(7, version.endRev());
          insert.setString(8, metadata);
          insert.executeUpdate();
          PreparedStatement insertState =
              c.prepare("INSERT INTO version_states (doc_id, version_id, state) VALUES (?, ?, ?)");
          insertState.setString(1, docId);
          insertState.setString(2, version.id());
          insertState.setString(3, stateJson);
          insertState.executeUpdate();
          return null;
        });
  }

  @Override
  public List<VersionMetadata> listVersions(String docId, VersionQuery query) {
    Objects.requireNonNull(docId, "docId");
    String column =
        switch (query.orderBy()) {
          case STARTED_AT -> "started_at";
          case END_REV -> "end_rev";
          case START_REV -> "start_rev";
        };
    String direction = query.reverse() ? " DESC" : "";
    StringBuilder sql = new StringBuilder("SELECT metadata FROM versions WHERE doc_id = ?");
    if (query.origin() != null) {
      sql.append(" AND origin = ?");
    }
    if (query.groupId() != null) {
      sql.append(" AND group_id = ?");
    }
    // Cursors follow the listing order: after means "further along", whichever direction.
    if (query.startAfter() != null) {
      sql.append(" AND ").append(column).append(query.reverse() ? " < ?" : " > ?");
    }
    if (query.endBefore() != null) {
      sql.append(" AND ").append(column).append(query.reverse() ? " > ?" : " < ?");
    }
    sql.append(" ORDER BY ").append(column).append(direction);
    sql.append(", version_id").append(direction).append(" LIMIT ?");
    return reads.read(
        c -> {
          PreparedStatement s = c.prepare(sql.toString());
          int i = 1;
          s.setString(i++, docId);
          if (query.origin() != null) {
            s.setString(i++, query.origin().wire());
          }
          if (query.groupId() != null) {
            s.setString(i++, query.groupId());
          }
          if (query.startAfter() != null) {
            s.setLong(i++, query.startAfter());
          }
          if (query.endBefore() != null) {
            s.setLong(i++, query.endBefore());
          }
          s.setInt(i, query.limit() == 0 ? -1 : query.limit());
          List<VersionMetadata> versions = new ArrayList<>();
          try (ResultSet rows = s.executeQuery()) {
            while (rows.next()) {
              versions.add(VersionMetadata.fromJson(Json.parse(rows.getString(1))));
            }
          }
          return List.copyOf(versions);
        });
  }

  @Override
  public @Nullable VersionMetadata loadVersion(String docId, String versionId) {
    String json =
        readString(
            "SELECT metadata FROM versions WHERE doc_id = ? AND version_id = ?", docId, versionId);
    return json == null ? null : VersionMetadata.fromJson(Json.parse(json));
  }

  @Override
  public @Nullable JsonNode loadVersionState(String docId, String versionId) {
    String json =
        readString(
            "SELECT state FROM version_states WHERE doc_id = ? AND version_id = ?",
            docId,
            versionId);
    return json == null ? null : Json.parse(json);
  }

  @Override
  public CompletableFuture<Boolean> updateVersion(
      String docId, String versionId, VersionUpdate update) {
    Objects.requireNonNull(docId, "docId");
    Objects.requireNonNull(versionId, "versionId");
    Objects.requireNonNull(update, "update");
    return writer.submit(
        c -> {
          PreparedStatement select =
              c.prepare("SELECT metadata FROM versions WHERE doc_id = ? AND version_id = ?");
          select.setString(1, docId);
          select.setString(2, versionId);
          VersionMetadata current;
          try (ResultSet rows = select.executeQuery()) {
            if (!rows.next()) {
              return false;
            }
            current = VersionMetadata.fromJson(Json.parse(rows.getString(1)));
          }
          PreparedStatement write =
              c.prepare("UPDATE versions SET metadata = ? WHERE doc_id = ? AND version_id = ?");
          write.setString(1, Json.write(current.apply(update).toJson()));
          write.setString(2, docId);
          write.setString(3, versionId);
          write.executeUpdate();
          return true;
        });
  }

  @Override
  public @Nullable VersionMetadata latestMainVersion(String docId, long rev) {
    Objects.requireNonNull(docId, "docId");
    return reads.read(
        c -> {
          PreparedStatement s =
              c.prepare(
                  "SELECT metadata FROM versions WHERE doc_id = ? AND origin = ? AND end_rev <= ?"
                      + " ORDER BY end_rev DESC, version_id DESC LIMIT 1");
          s.setString(1, docId);
          s.setString(2, VersionOrigin.MAIN.wire());
          s.setLong(3, rev);
          try (ResultSet rows = s.executeQuery()) {
            return rows.next() ? VersionMetadata.fromJson(Json.parse(rows.getString(1))) : null;
          }
        });
  }

  // Last-write-wins documents.

  @Override
  public LwwState loadLww(String docId) {
    Objects.requireNonNull(docId, "docId");
    return reads.read(
        c -> {
          // One read transaction, so the counter, the snapshot and the rows are of one commit.
          c.execute("BEGIN");
          try {
            PreparedStatement doc =
                c.prepare("SELECT rev, snapshot, snapshot_rev FROM lww_docs WHERE doc_id = ?");
            doc.setString(1, docId);
            long rev;
            LwwSnapshot snapshot = null;
            try (ResultSet rows = doc.executeQuery()) {
              if (!rows.next()) {
                return LwwState.EMPTY;
              }
              rev = rows.getLong(1);
              String state = rows.getString(2);
              if (state != null) {
                snapshot = new LwwSnapshot(Json.parse(state), rows.getLong(3));
              }
            }
            return new LwwState(rev, snapshot, lwwOps(c, docId, -1));
          } finally {
            c.execute("COMMIT");
          }
        });
  }

  @Override
  public long lwwRev(String docId) {
    Objects.requireNonNull(docId, "docId");
    return reads.read(
        c -> {
          PreparedStatement s = c.prepare("SELECT rev FROM lww_docs WHERE doc_id = ?");
          s.setString(1, docId);
          try (ResultSet rows = s.executeQuery()) {
            return rows.next() ? rows.getLong(1) : 0L;
          }
        });
  }

  @Override
  public List<PatchOp> listLwwOps(String docId, long afterRev) {
    Objects.requireNonNull(docId, "docId");
    return reads.read(c -> lwwOps(c, docId, afterRev));
  }

  private static List<PatchOp> lwwOps(SqlConnection c, String docId, long afterRev)
      throws SQLException {
    PreparedStatement s =
        c.prepare(
            "SELECT op, rev FROM lww_ops WHERE doc_id = ? AND rev > ? ORDER BY rev, ts, path");
    s.setString(1, docId);
    s.setLong(2, afterRev);
    List<PatchOp> ops = new ArrayList<>();
    try (ResultSet rows = s.executeQuery()) {
      while (rows.next()) {
        ops.add(PatchOp.fromJson(Json.parse(rows.getString(1))).withRev(rows.getLong(2)));
      }
    }
    // A row below another of the same revision goes after it, whatever its ts.
    return Lww.commitOrder(ops);
  }

  @Override
  public CompletableFuture<Long> saveLwwOps(String docId, LwwWrite write) {
    Objects.requireNonNull(docId, "docId");
    // The row's rev column is the truth; the stored JSON leaves it out.
    List<String> opJson = new ArrayList<>(write.ops().size());
    for (PatchOp op : write.ops()) {
      opJson.add(Json.write(op.withRev(null).toJson()));
    }
    return writer.submit(
        c -> {
          PreparedStatement bump =
              c.prepare(
                  "INSERT INTO lww_docs (doc_id, rev) VALUES (?, 1)"
                      + " ON CONFLICT (doc_id) DO UPDATE SET rev = rev + 1");
          bump.setString(1, docId);
          bump.executeUpdate();
          long newRev = readRev(c, docId);
          for (String path : write.pathsToDelete()) {
            deleteRow(c, docId, path);
            deleteRowsUnder(c, docId, path);
          }
          PreparedStatement upsert =
              c.prepare(
                  "INSERT INTO lww_ops (doc_id, path, rev, ts, op) VALUES (?, ?, ?, ?, ?)"
                      + " ON CONFLICT (doc_id, path) DO UPDATE SET"
                      + " rev = excluded.rev, ts = excluded.ts, op = excluded.op");
          for (int i = 0; i < write.ops().size(); i++) {
            PatchOp op = write.ops().get(i);
            deleteRowsUnder(c, docId, op.path());
            upsert.setString(1, docId);
            upsert.setString(2, op.path());
            upsert.setLong(3, newRev);
            if (op.ts() == null) {
              upsert.setNull(4, Types.INTEGER);
            } else {
              upsert.setLong(4, op.ts());
            }
            upsert.setString(5, opJson.get(i));
            upsert.executeUpdate();
          }
          PreparedStatement forget =
              c.prepare("DELETE FROM lww_seen_ids WHERE doc_id = ? AND expires_at <= ?");
          forget.setString(1, docId);
          forget.setLong(2, clock.millis());
          forget.executeUpdate();
          PreparedStatement remember =
              c.prepare(
                  "INSERT INTO lww_seen_ids (doc_id, change_id, expires_at) VALUES (?, ?, ?)"
                      + " ON CONFLICT (doc_id, change_id) DO UPDATE SET"
                      + " expires_at = max(expires_at, excluded.expires_at)");
          for (String id : write.changeIds()) {
            remember.setString(1, docId);
            remember.setString(2, id);
            remember.setLong(3, write.changeIdsExpireAt());
            remember.executeUpdate();
          }
          return newRev;
        });
  }

  private static long readRev(SqlConnection c, String docId) throws SQLException {
    PreparedStatement s = c.prepare("SELECT rev FROM lww_docs WHERE doc_id = ?");
    s.setString(1, docId);
    try (ResultSet rows = s.executeQuery()) {
      if (!rows.next()) {
        throw new SQLException("lww_docs row vanished inside the write transaction");
      }
      return rows.getLong(1);
    }
  }

  private static void deleteRow(SqlConnection c, String docId, String path) throws SQLException {
    PreparedStatement s = c.prepare("DELETE FROM lww_ops WHERE doc_id = ? AND path = ?");
    s.setString(1, docId);
    s.setString(2, path);
    s.executeUpdate();
  }

  private static void deleteRowsUnder(SqlConnection c, String docId, String path)
      throws SQLException {
    // Every path strictly under P starts with "P/", and '0' is the character after '/': one
    // range of the primary key index.
    PreparedStatement s =
        c.prepare("DELETE FROM lww_ops WHERE doc_id = ? AND path >= ? AND path < ?");
    s.setString(1, docId);
    s.setString(2, path + "/");
    s.setString(3, path + "0");
    s.executeUpdate();
  }

  @Override
  public Set<String> seenLwwChangeIds(String docId, Collection<String> ids) {
    Objects.requireNonNull(docId, "docId");
    return reads.seenIds("lww_seen_ids", "doc_id", docId, ids, clock.millis());
  }

  @Override
  public CompletableFuture<Void> saveLwwSnapshot(String docId, JsonNode state, long rev) {
    Objects.requireNonNull(docId, "docId");
    LwwSnapshot snapshot = new LwwSnapshot(state, rev);
    String json = Json.write(snapshot.state());
    return writer.submit(
        c -> {
          PreparedStatement s =
              c.prepare(
                  "INSERT INTO lww_docs (doc_id, rev, snapshot, snapshot_rev) VALUES (?, ?, ?, ?)"
                      + " ON CONFLICT (doc_id) DO UPDATE SET snapshot = excluded.snapshot,"
                      + " snapshot_rev = excluded.snapshot_rev, rev = max(rev, excluded.rev)");
          s.setString(1, docId);
          s.setLong(2, rev);
          s.setString(3, json);
          s.setLong(4, rev);
          s.executeUpdate();
          return null;
        });
  }

  // Tombstones and deletion.

  @Override
  public CompletableFuture<Void> createTombstone(Tombstone tombstone) {
    Objects.requireNonNull(tombstone, "tombstone");
    return writer.submit(
        c -> {
          PreparedStatement s =
              c.prepare(
                  "INSERT INTO tombstones (doc_id, deleted_at, last_rev, deleted_by_client_id,"
                      + " expires_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (doc_id) DO UPDATE SET"
                      + " deleted_at = excluded.deleted_at, last_rev = excluded.last_rev,"
                      + " deleted_by_client_id = excluded.deleted_by_client_id,"
                      + " expires_at = excluded.expires_at");
          s.setString(1, tombstone.docId());
          s.setLong(2, tombstone.deletedAt());
          s.setLong(3, tombstone.lastRev());
          setNullableString(s, 4, tombstone.deletedByClientId());
          if (tombstone.expiresAt() == null) {
            s.setNull(5, Types.INTEGER);
          } else {
            s.setLong(5, tombstone.expiresAt());
          }
          s.executeUpdate();
          return null;
        });
  }

  @Override
  public @Nullable Tombstone getTombstone(String docId) {
    Objects.requireNonNull(docId, "docId");
    Tombstone tombstone =
        reads.read(
            c -> {
              PreparedStatement s =
                  c.prepare(
                      "SELECT deleted_at, last_rev, deleted_by_client_id, expires_at"
                          + " FROM tombstones WHERE doc_id = ?");
              s.setString(1, docId);
              try (ResultSet rows = s.executeQuery()) {
                if (!rows.next()) {
                  return null;
                }
                long deletedAt = rows.getLong(1);
                long lastRev = rows.getLong(2);
                String deletedBy = rows.getString(3);
                long expiresAt = rows.getLong(4);
                Long expiry = rows.wasNull() ? null : expiresAt;
                return new Tombstone(docId, deletedAt, lastRev, deletedBy, expiry);
              }
            });
    return tombstone == null || tombstone.isExpired(clock.millis()) ? null : tombstone;
  }

  @Override
  public CompletableFuture<Boolean> removeTombstone(String docId) {
    Objects.requireNonNull(docId, "docId");
    return writer.submit(
        c -> {
          PreparedStatement s = c.prepare("DELETE FROM tombstones WHERE doc_id = ?");
          s.setString(1, docId);
          return s.executeUpdate() > 0;
        });
  }

  @Override
  public CompletableFuture<Void> deleteDoc(String docId) {
    Objects.requireNonNull(docId, "docId");
    return writer.submit(
        c -> {
          // Version states, LWW rows and seen ids follow by ON DELETE CASCADE.
          for (String sql :
              List.of(
                  "DELETE FROM changes WHERE doc_id = ?",
                  "DELETE FROM versions WHERE doc_id = ?",
                  "DELETE FROM lww_docs WHERE doc_id = ?")) {
            PreparedStatement s = c.prepare(sql);
            s.setString(1, docId);
            s.executeUpdate();
          }
          return null;
        });
  }

  /**
   * Commits every queued write, closes the read connections, checkpoints the WAL into the database
   * file and closes the writer connection.
   */
  @Override
  public void close() {
    if (writer.isWriterThread()) {
      // The writer would wait for itself; close from a thread of your own.
      throw new IllegalStateException("Cannot close the store from a write's completion stage");
    }
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    writer.close();
    reads.close();
    try {
      writeConnection.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (SQLException e) {
      log.warn("Checkpoint on close failed; the WAL is replayed on the next open", e);
    }
    try {
      writeConnection.close();
    } catch (SQLException e) {
      log.warn("Closing the writer connection failed", e);
    }
  }

  // Package-private access for tests.

  /** Returns how many group-commit transactions were committed. */
  long transactionCount() {
    return writer.transactionCount();
  }

  /** Parks the writer after it takes its next write, until the gate is released. */
  SqliteWriter.Gate pauseWriter() {
    return writer.pause();
  }

  /** Installs a hook run before every COMMIT, or clears it with {@code null}. */
  void commitHook(SqliteWriter.@Nullable CommitHook hook) {
    writer.commitHook(hook);
  }

  /** Returns the value of a pragma as the writer connection sees it. */
  CompletableFuture<String> writerPragma(String name) {
    return writer.submit(c -> c.queryString("PRAGMA " + name));
  }

  /** Whether the writer connection fetches generated keys after every INSERT (tests). */
  CompletableFuture<Boolean> writerFetchesGeneratedKeys() {
    return writer.submit(SqlConnection::fetchesGeneratedKeys);
  }

  /** Returns the value of a pragma as a read connection sees it. */
  String readerPragma(String name) {
    return reads.read(c -> c.queryString("PRAGMA " + name));
  }

  static PatchbayException closedException() {
    return new PatchbayException(503, "Store is closed");
  }

  private @Nullable String readString(String sql, String docId, String key) {
    Objects.requireNonNull(docId, "docId");
    Objects.requireNonNull(key, "key");
    return reads.read(
        c -> {
          PreparedStatement s = c.prepare(sql);
          s.setString(1, docId);
          s.setString(2, key);
          try (ResultSet rows = s.executeQuery()) {
            return rows.next() ? rows.getString(1) : null;
          }
        });
  }

  private static void setNullableString(PreparedStatement s, int index, @Nullable String value)
      throws SQLException {
    if (value == null) {
      s.setNull(index, Types.VARCHAR);
    } else {
      s.setString(index, value);
    }
  }
}
