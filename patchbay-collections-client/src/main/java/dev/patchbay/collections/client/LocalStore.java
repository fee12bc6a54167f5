package dev.patchbay.collections.client;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * The client's SQLite file: records, the outbox and the per-collection pull cursors. One
 * connection, used under this object's monitor; every public-facing change runs in {@link
 * #transaction}, so a batch and its outbox entries commit together or not at all. The file is in
 * WAL mode with {@code synchronous=FULL}: an acknowledged local write survives a power loss.
 */
final class LocalStore implements AutoCloseable {
  static final String FILE_NAME = "collections.db";
  private static final int SCHEMA_VERSION = 2;

  /** A stored record; {@code data} is a copy. */
  record Row(
      String collection,
      String id,
      ObjectNode data,
      long serverVersion,
      long updatedAt,
      boolean deleted,
      @Nullable Long lastSyncedAt) {}

  /** An outbox entry with what pushing it needs. */
  record Op(
      long seq,
      String collection,
      String recordId,
      OperationType type,
      @Nullable ObjectNode payload,
      long timestamp,
      String changeId,
      OperationStatus status,
      int retryCount,
      @Nullable String lastError,
      long nextAttemptAt) {
    PendingOperation view() {
      return new PendingOperation(
          seq,
          collection,
          recordId,
          type,
          status,
          retryCount,
          lastError,
          Instant.ofEpochMilli(timestamp));
    }
  }

  /** Work inside one transaction. */
  interface Work<T> {
    T run() throws SQLException;
  }

  private final Connection conn;
  private final AtRest crypto;
  private boolean closed;
  private int depth; // guarded by this: nesting of transaction()
  private final List<Runnable> afterCommit = new ArrayList<>(); // guarded by this

  private LocalStore(Connection conn, AtRest crypto) {
    this.conn = conn;
    this.crypto = crypto;
  }

  static LocalStore open(Path directory) {
    return open(directory, AtRest.plain());
  }

  private static String aad(String column, String collection, String id) {
    return column + '\u0000' + collection + '\u0000' + id;
  }

  static LocalStore open(Path directory, AtRest crypto) {
    try {
      Files.createDirectories(directory);
      Connection conn =
          DriverManager.getConnection(
              "jdbc:sqlite:" + directory.resolve(FILE_NAME).toAbsolutePath());
      try (Statement s = conn.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=FULL");
        s.execute("PRAGMA busy_timeout=5000");
        int version;
        try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
          version = rs.next() ? rs.getInt(1) : 0;
        }
        if (version > SCHEMA_VERSION) {
          conn.close();
          throw new PatchbayException(
              500, "the collections store was written by a newer client (schema " + version + ")");
        }
        if (version < 1) {
          conn.setAutoCommit(false);
          s.execute(
              "CREATE TABLE records (collection TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,"
                  + " server_version INTEGER NOT NULL, created_at INTEGER NOT NULL,"
                  + " updated_at INTEGER NOT NULL, deleted INTEGER NOT NULL,"
                  + " last_synced_at INTEGER, ord INTEGER NOT NULL,"
                  + " PRIMARY KEY (collection, id))");
          s.execute("CREATE INDEX records_ord ON records (collection, ord)");
          s.execute(
              "CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                  + " collection TEXT NOT NULL, record_id TEXT NOT NULL, type TEXT NOT NULL,"
                  + " payload TEXT, timestamp INTEGER NOT NULL, change_id TEXT NOT NULL,"
                  + " status TEXT NOT NULL, retry_count INTEGER NOT NULL, last_error TEXT,"
                  + " next_attempt_at INTEGER NOT NULL)");
          s.execute("CREATE INDEX outbox_record ON outbox (collection, record_id)");
          s.execute("CREATE TABLE cursors (collection TEXT PRIMARY KEY, cursor INTEGER NOT NULL)");
          s.execute("PRAGMA user_version=1");
          conn.commit();
          conn.setAutoCommit(true);
        }
        if (version < 2) {
          conn.setAutoCommit(false);
          // Conflicts kept for the app (strategy MANUAL); null data is a deleted side.
          s.execute(
              "CREATE TABLE conflicts (collection TEXT NOT NULL, id TEXT NOT NULL, local_data TEXT,"
                  + " local_time INTEGER NOT NULL, remote_data TEXT, remote_time INTEGER NOT NULL,"
                  + " remote_version INTEGER NOT NULL, detected_at INTEGER NOT NULL,"
                  + " PRIMARY KEY (collection, id))");
          s.execute("PRAGMA user_version=2");
          conn.commit();
          conn.setAutoCommit(true);
        }
        // An operation caught in flight by a crash is pushed again; its change id dedupes it.
        s.executeUpdate("UPDATE outbox SET status='PENDING' WHERE status='SYNCING'");
      }
      return new LocalStore(conn, crypto);
    } catch (SQLException | java.io.IOException e) {
      throw new PatchbayException(500, "cannot open the collections store: " + e.getMessage(), e);
    }
  }

  /**
   * Runs {@code work} in one transaction. A transaction opened inside another joins it (a batch of
   * push answers is one commit, one fsync, however many entries it settles).
   */
  synchronized <T> T transaction(Work<T> work) {
    if (closed) {
      throw new IllegalStateException("the collections client is closed");
    }
    try {
      if (depth > 0) {
        return work.run();
      }
      conn.setAutoCommit(false);
      depth++;
      boolean committed = false;
      try {
        T result = work.run();
        conn.commit();
        committed = true;
        return result;
      } catch (SQLException | RuntimeException e) {
        conn.rollback();
        throw e;
      } finally {
        depth--;
        conn.setAutoCommit(true);
        List<Runnable> after = List.copyOf(afterCommit);
        afterCommit.clear();
        if (committed) {
          after.forEach(Runnable::run);
        }
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Runs {@code task} once the transaction this thread is in has committed, and never if it rolls
   * back; at once when this thread is in none. What reports stored state (an operation synced, a
   * conflict settled) must not be seen before that state is durable: a process killed in between
   * would otherwise have said so and kept nothing. The task must not block (it runs holding the
   * store's lock).
   */
  void afterCommit(Runnable task) {
    if (Thread.holdsLock(this)) {
      synchronized (this) {
        if (depth > 0) {
          afterCommit.add(task);
          return;
        }
      }
    }
    task.run();
  }

  static PatchbayException failure(SQLException e) {
    // SQLITE_FULL (13): the disk or quota is full; callers see it as a distinct 507.
    if (e.getErrorCode() == 13) {
      return new PatchbayException(507, "local storage is full", e);
    }
    return new PatchbayException(500, "local store failure: " + e.getMessage(), e);
  }

  @Nullable Row row(String collection, String id) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT data, server_version, updated_at, deleted, last_synced_at FROM records"
                + " WHERE collection=? AND id=?")) {
      ps.setString(1, collection);
      ps.setString(2, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        long synced = rs.getLong(5);
        Long lastSynced = rs.wasNull() ? null : synced;
        return new Row(
            collection,
            id,
            (ObjectNode) Json.parse(crypto.open(rs.getString(1), aad("records", collection, id))),
            rs.getLong(2),
            rs.getLong(3),
            rs.getInt(4) != 0,
            lastSynced);
      }
    }
  }

  /** Live records of a collection in insertion order. */
  List<ObjectNode> live(String collection) throws SQLException {
    List<ObjectNode> out = new ArrayList<>();
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT data, id FROM records WHERE collection=? AND deleted=0 ORDER BY ord")) {
      ps.setString(1, collection);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String json = crypto.open(rs.getString(1), aad("records", collection, rs.getString(2)));
          out.add((ObjectNode) Json.parse(json));
        }
      }
    }
    return out;
  }

  /** Ids of the clean records of a collection (no outbox entry). */
  List<String> cleanIds(String collection) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT id FROM records r WHERE collection=? AND NOT EXISTS (SELECT 1 FROM outbox o"
                + " WHERE o.collection=r.collection AND o.record_id=r.id)")) {
      ps.setString(1, collection);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  /**
   * Writes a record, keeping its creation time and insertion position; a new record goes last.
   * {@code serverVersion} null keeps the stored one (0 for a new record); {@code lastSyncedAt} is
   * set when given and kept otherwise.
   */
  void put(
      String collection,
      String id,
      ObjectNode data,
      @Nullable Long serverVersion,
      long updatedAt,
      boolean deleted,
      @Nullable Long lastSyncedAt)
      throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "INSERT INTO records (collection, id, data, server_version, created_at, updated_at,"
                + " deleted, last_synced_at, ord) VALUES (?,?,?,?,?,?,?,?,"
                + " (SELECT COALESCE(MAX(ord), 0) + 1 FROM records WHERE collection=?))"
                + " ON CONFLICT (collection, id) DO UPDATE SET data=excluded.data,"
                + " server_version=CASE WHEN ? THEN excluded.server_version ELSE server_version END,"
                + " updated_at=excluded.updated_at, deleted=excluded.deleted,"
                + " last_synced_at=COALESCE(excluded.last_synced_at, last_synced_at)")) {
      ps.setString(1, collection);
      ps.setString(2, id);
      ps.setString(3, crypto.seal(Json.write(data), aad("records", collection, id)));
      ps.setLong(4, serverVersion == null ? 0 : serverVersion);
      ps.setLong(5, updatedAt);
      ps.setLong(6, updatedAt);
      ps.setInt(7, deleted ? 1 : 0);
      if (lastSyncedAt == null) {
        ps.setNull(8, Types.INTEGER);
      } else {
        ps.setLong(8, lastSyncedAt);
      }
      ps.setString(9, collection);
      ps.setBoolean(10, serverVersion != null);
      ps.executeUpdate();
    }
  }

  void setServerVersion(String collection, String id, long version, long syncedAt)
      throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "UPDATE records SET server_version=?, last_synced_at=? WHERE collection=? AND id=?")) {
      ps.setLong(1, version);
      ps.setLong(2, syncedAt);
      ps.setString(3, collection);
      ps.setString(4, id);
      ps.executeUpdate();
    }
  }

  void removeRecord(String collection, String id) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement("DELETE FROM records WHERE collection=? AND id=?")) {
      ps.setString(1, collection);
      ps.setString(2, id);
      ps.executeUpdate();
    }
  }

  void enqueue(
      String collection,
      String recordId,
      OperationType type,
      @Nullable ObjectNode payload,
      long timestamp,
      String changeId)
      throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "INSERT INTO outbox (collection, record_id, type, payload, timestamp, change_id,"
                + " status, retry_count, last_error, next_attempt_at)"
                + " VALUES (?,?,?,?,?,?,'PENDING',0,NULL,0)")) {
      ps.setString(1, collection);
      ps.setString(2, recordId);
      ps.setString(3, type.name());
      ps.setString(
          4,
          payload == null
              ? null
              : crypto.seal(Json.write(payload), aad("outbox", collection, recordId)));
      ps.setLong(5, timestamp);
      ps.setString(6, changeId);
      ps.executeUpdate();
    }
  }

  /** Every outbox entry in push order. */
  List<Op> ops() throws SQLException {
    List<Op> out = new ArrayList<>();
    try (Statement s = conn.createStatement();
        ResultSet rs = s.executeQuery("SELECT " + OP_COLUMNS + " FROM outbox ORDER BY seq")) {
      while (rs.next()) {
        out.add(readOp(rs));
      }
    }
    return out;
  }

  /** The queued entry of a record with this change id, or null when there is none. */
  @Nullable Op opByChangeId(String collection, String recordId, String changeId)
      throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT "
                + OP_COLUMNS
                + " FROM outbox WHERE collection=? AND record_id=? AND change_id=?")) {
      ps.setString(1, collection);
      ps.setString(2, recordId);
      ps.setString(3, changeId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? readOp(rs) : null;
      }
    }
  }

  /** The outbox columns {@link #readOp} reads, in its order. */
  private static final String OP_COLUMNS =
      "seq, collection, record_id, type, payload, timestamp, change_id, status, retry_count,"
          + " last_error, next_attempt_at";

  private Op readOp(ResultSet rs) throws SQLException {
    String payload = rs.getString(5);
    String collection = rs.getString(2);
    String recordId = rs.getString(3);
    return new Op(
        rs.getLong(1),
        collection,
        recordId,
        OperationType.valueOf(rs.getString(4)),
        payload == null
            ? null
            : (ObjectNode) Json.parse(crypto.open(payload, aad("outbox", collection, recordId))),
        rs.getLong(6),
        rs.getString(7),
        OperationStatus.valueOf(rs.getString(8)),
        rs.getInt(9),
        rs.getString(10),
        rs.getLong(11));
  }

  boolean hasOps(String collection, String recordId) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement("SELECT 1 FROM outbox WHERE collection=? AND record_id=? LIMIT 1")) {
      ps.setString(1, collection);
      ps.setString(2, recordId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  boolean hasFailedOps(String collection, String recordId) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT 1 FROM outbox WHERE collection=? AND record_id=? AND status='FAILED' LIMIT 1")) {
      ps.setString(1, collection);
      ps.setString(2, recordId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Whether the outbox still holds the entry (a conflict resolution may have replaced it). */
  boolean hasOp(long seq) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT 1 FROM outbox WHERE seq=?")) {
      ps.setLong(1, seq);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  void removeOp(long seq) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("DELETE FROM outbox WHERE seq=?")) {
      ps.setLong(1, seq);
      ps.executeUpdate();
    }
  }

  void removeOps(String collection, String recordId) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement("DELETE FROM outbox WHERE collection=? AND record_id=?")) {
      ps.setString(1, collection);
      ps.setString(2, recordId);
      ps.executeUpdate();
    }
  }

  void markOp(
      long seq, OperationStatus status, int retryCount, @Nullable String error, long nextAttemptAt)
      throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "UPDATE outbox SET status=?, retry_count=?, last_error=?, next_attempt_at=?"
                + " WHERE seq=?")) {
      ps.setString(1, status.name());
      ps.setInt(2, retryCount);
      ps.setString(3, error);
      ps.setLong(4, nextAttemptAt);
      ps.setLong(5, seq);
      ps.executeUpdate();
    }
  }

  int resetFailed() throws SQLException {
    try (Statement s = conn.createStatement()) {
      return s.executeUpdate(
          "UPDATE outbox SET status='PENDING', retry_count=0, next_attempt_at=0"
              + " WHERE status='FAILED'");
    }
  }

  int opCount() throws SQLException {
    try (Statement s = conn.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM outbox")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  void putConflict(Conflict c, long detectedAt) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "INSERT INTO conflicts (collection, id, local_data, local_time, remote_data,"
                + " remote_time, remote_version, detected_at) VALUES (?,?,?,?,?,?,?,?)"
                + " ON CONFLICT (collection, id) DO UPDATE SET local_data=excluded.local_data,"
                + " local_time=excluded.local_time, remote_data=excluded.remote_data,"
                + " remote_time=excluded.remote_time, remote_version=excluded.remote_version")) {
      ps.setString(1, c.collection());
      ps.setString(2, c.recordId());
      ps.setString(
          3,
          c.local() == null
              ? null
              : crypto.seal(
                  Json.write(c.local()), aad("conflicts.local", c.collection(), c.recordId())));
      ps.setLong(4, c.localTime().toEpochMilli());
      ps.setString(
          5,
          c.remote() == null
              ? null
              : crypto.seal(
                  Json.write(c.remote()), aad("conflicts.remote", c.collection(), c.recordId())));
      ps.setLong(6, c.remoteTime().toEpochMilli());
      ps.setLong(7, c.remoteVersion());
      ps.setLong(8, detectedAt);
      ps.executeUpdate();
    }
  }

  /** The kept conflicts, oldest first; {@code id} null lists every record's. */
  List<Conflict> conflicts(@Nullable String collection, @Nullable String id) throws SQLException {
    List<Conflict> out = new ArrayList<>();
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT collection, id, local_data, local_time, remote_data, remote_time,"
                + " remote_version FROM conflicts WHERE (? IS NULL OR collection=?)"
                + " AND (? IS NULL OR id=?) ORDER BY detected_at, collection, id")) {
      ps.setString(1, collection);
      ps.setString(2, collection);
      ps.setString(3, id);
      ps.setString(4, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String c = rs.getString(1);
          String i = rs.getString(2);
          String local = rs.getString(3);
          String remote = rs.getString(5);
          out.add(
              new Conflict(
                  c,
                  i,
                  local == null
                      ? null
                      : (ObjectNode) Json.parse(crypto.open(local, aad("conflicts.local", c, i))),
                  remote == null
                      ? null
                      : (ObjectNode) Json.parse(crypto.open(remote, aad("conflicts.remote", c, i))),
                  Instant.ofEpochMilli(rs.getLong(4)),
                  Instant.ofEpochMilli(rs.getLong(6)),
                  rs.getLong(7)));
        }
      }
    }
    return out;
  }

  void removeConflict(String collection, String id) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement("DELETE FROM conflicts WHERE collection=? AND id=?")) {
      ps.setString(1, collection);
      ps.setString(2, id);
      ps.executeUpdate();
    }
  }

  long cursor(String collection) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement("SELECT cursor FROM cursors WHERE collection=?")) {
      ps.setString(1, collection);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  void setCursor(String collection, long cursor) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "INSERT INTO cursors (collection, cursor) VALUES (?,?)"
                + " ON CONFLICT (collection) DO UPDATE SET cursor=excluded.cursor")) {
      ps.setString(1, collection);
      ps.setLong(2, cursor);
      ps.executeUpdate();
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      conn.close();
    } catch (SQLException e) {
      throw failure(e);
    }
  }
}
