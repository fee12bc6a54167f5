package dev.patchbay.store.sqlite.client;

import dev.patchbay.client.QuarantinedChange;
import dev.patchbay.client.spi.ClientStore;
import dev.patchbay.client.spi.StoredDoc;
import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.core.ot.Change;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import tools.jackson.databind.JsonNode;

/**
 * The SQLite client store. One connection, and every method holds the store's lock for one
 * transaction: a client writes an edit at a time, so a writer thread and group commit (as the
 * server store has) would buy nothing, and a single connection makes every method atomic and every
 * read consistent without further care. JSON is stored in its wire form.
 */
final class SqliteClientStore implements ClientStore {
  private static final int BUSY_TIMEOUT_MILLIS = 5_000;

  private final Path file;
  private @Nullable Connection connection;

  private SqliteClientStore(Path file, Connection connection) {
    this.file = file;
    this.connection = connection;
  }

  /** Creates the directory, opens the file and migrates its schema. */
  static SqliteClientStore open(Path path) {
    Path file = path.toAbsolutePath();
    try {
      Files.createDirectories(file.getParent());
    } catch (IOException e) {
      throw new PatchbayException(500, "Cannot create the directory " + file.getParent(), e);
    }
    String url = "jdbc:sqlite:" + file;
    Connection opened = null;
    try {
      // WAL is set first and stored in the file, so Flyway's own connection works on it too.
      opened = connectionConfig().createConnection(url);
      migrate(url);
      return new SqliteClientStore(file, opened);
    } catch (SQLException | FlywayException e) {
      if (opened != null) {
        try {
          opened.close();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw new PatchbayException(500, "Cannot open the SQLite client store " + file, e);
    }
  }

  /**
   * WAL so a crash never corrupts the file; {@code synchronous=FULL} so a change the client
   * accepted survives power loss too (one fsync per edit, which an interactive client affords);
   * foreign keys on so deleting a document deletes its pending queue.
   */
  private static SQLiteConfig connectionConfig() {
    SQLiteConfig sqlite = new SQLiteConfig();
    sqlite.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
    sqlite.enforceForeignKeys(true);
    sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
    sqlite.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    sqlite.setGetGeneratedKeys(false); // never read; each INSERT would also run a SELECT for them
    return sqlite;
  }

  private static void migrate(String url) {
    SQLiteDataSource dataSource = new SQLiteDataSource(connectionConfig());
    dataSource.setUrl(url);
    Flyway.configure(SqliteClientStore.class.getClassLoader())
        .dataSource(dataSource)
        .locations("classpath:db/client-migration")
        .failOnMissingLocations(true)
        .validateMigrationNaming(true)
        .cleanDisabled(true)
        .loggers("slf4j")
        .load()
        .migrate();
  }

  @Override
  public synchronized void trackDocs(Collection<String> docIds) {
    List<String> ids = copyIds(docIds);
    write(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement("INSERT OR IGNORE INTO tracked_docs (doc_id) VALUES (?)")) {
            for (String id : ids) {
              s.setString(1, id);
              s.executeUpdate();
            }
          }
        });
  }

  @Override
  public synchronized void untrackDocs(Collection<String> docIds) {
    List<String> ids = copyIds(docIds);
    write(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement("DELETE FROM tracked_docs WHERE doc_id = ?")) {
            for (String id : ids) {
              s.setString(1, id);
              s.executeUpdate();
            }
          }
        });
  }

  @Override
  public synchronized Set<String> trackedDocs() {
    return read(
        c -> {
          Set<String> ids = new HashSet<>();
          try (Statement s = c.createStatement();
              ResultSet rows = s.executeQuery("SELECT doc_id FROM tracked_docs")) {
            while (rows.next()) {
              ids.add(rows.getString(1));
            }
          }
          return Set.copyOf(ids);
        });
  }

  @Override
  public synchronized boolean isTracked(String docId) {
    Objects.requireNonNull(docId, "docId");
    return read(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement("SELECT 1 FROM tracked_docs WHERE doc_id = ?")) {
            s.setString(1, docId);
            try (ResultSet rows = s.executeQuery()) {
              return rows.next();
            }
          }
        });
  }

  @Override
  public synchronized @Nullable StoredDoc loadDoc(String docId) {
    Objects.requireNonNull(docId, "docId");
    return read(
        c -> {
          JsonNode state;
          long committedRev;
          Change sending;
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT state, committed_rev, sending FROM docs WHERE doc_id = ?")) {
            s.setString(1, docId);
            try (ResultSet rows = s.executeQuery()) {
              if (!rows.next()) {
                return null;
              }
              String text = rows.getString(1);
              state = text == null ? null : Json.parse(text);
              committedRev = rows.getLong(2);
              String sendingText = rows.getString(3);
              sending = sendingText == null ? null : Change.fromJson(Json.parse(sendingText));
            }
          }
          List<Change> pending = new ArrayList<>();
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT body FROM pending_changes WHERE doc_id = ? ORDER BY seq")) {
            s.setString(1, docId);
            try (ResultSet rows = s.executeQuery()) {
              while (rows.next()) {
                pending.add(Change.fromJson(Json.parse(rows.getString(1))));
              }
            }
          }
          return new StoredDoc(state, committedRev, pending, sending);
        });
  }

  @Override
  public synchronized void appendPending(String docId, Change change) {
    Objects.requireNonNull(docId, "docId");
    String body = change.toJsonString();
    write(
        c -> {
          // A change to a document the store has not seen creates it without committed state.
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT OR IGNORE INTO docs (doc_id, state, committed_rev) VALUES (?, NULL, 0)")) {
            s.setString(1, docId);
            s.executeUpdate();
          }
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO pending_changes (doc_id, seq, body) SELECT ?, COALESCE(MAX(seq), 0)"
                      + " + 1, ? FROM pending_changes WHERE doc_id = ?")) {
            s.setString(1, docId);
            s.setString(2, body);
            s.setString(3, docId);
            s.executeUpdate();
          }
        });
  }

  @Override
  public synchronized void saveDoc(String docId, StoredDoc doc) {
    Objects.requireNonNull(docId, "docId");
    PreparedDoc prepared = PreparedDoc.of(doc);
    write(c -> writeDoc(c, docId, prepared));
  }

  /** A document serialized before its transaction, so a bad argument fails before any write. */
  private record PreparedDoc(
      @Nullable String state, long committedRev, List<String> bodies, @Nullable String sending) {
    static PreparedDoc of(StoredDoc doc) {
      List<String> bodies = new ArrayList<>(doc.pending().size());
      for (Change change : doc.pending()) {
        bodies.add(change.toJsonString());
      }
      return new PreparedDoc(
          doc.state() == null ? null : Json.write(doc.state()),
          doc.committedRev(),
          bodies,
          doc.sending() == null ? null : doc.sending().toJsonString());
    }
  }

  private static void writeDoc(Connection c, String docId, PreparedDoc doc) throws SQLException {
    String stateText = doc.state();
    List<String> bodies = doc.bodies();
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO docs (doc_id, state, committed_rev, sending) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (doc_id) DO UPDATE SET state = excluded.state,"
                + " committed_rev = excluded.committed_rev, sending = excluded.sending")) {
      s.setString(1, docId);
      if (stateText == null) {
        s.setNull(2, Types.VARCHAR);
      } else {
        s.setString(2, stateText);
      }
      s.setLong(3, doc.committedRev());
      if (doc.sending() == null) {
        s.setNull(4, Types.VARCHAR);
      } else {
        s.setString(4, doc.sending());
      }
      s.executeUpdate();
    }
    try (PreparedStatement s = c.prepareStatement("DELETE FROM pending_changes WHERE doc_id = ?")) {
      s.setString(1, docId);
      s.executeUpdate();
    }
    try (PreparedStatement s =
        c.prepareStatement("INSERT INTO pending_changes (doc_id, seq, body) VALUES (?, ?, ?)")) {
      for (int i = 0; i < bodies.size(); i++) {
        s.setString(1, docId);
        s.setLong(2, i + 1);
        s.setString(3, bodies.get(i));
        s.executeUpdate();
      }
    }
  }

  @Override
  public synchronized void deleteDoc(String docId) {
    Objects.requireNonNull(docId, "docId");
    write(c -> deleteDocRows(c, docId));
  }

  /** Deletes a document's row (its pending queue cascades) and its tracking. */
  private static void deleteDocRows(Connection c, String docId) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("DELETE FROM docs WHERE doc_id = ?")) {
      s.setString(1, docId);
      s.executeUpdate();
    }
    try (PreparedStatement s = c.prepareStatement("DELETE FROM tracked_docs WHERE doc_id = ?")) {
      s.setString(1, docId);
      s.executeUpdate();
    }
  }

  @Override
  public synchronized void addTombstone(String docId) {
    Objects.requireNonNull(docId, "docId");
    write(
        c -> {
          deleteDocRows(c, docId);
          try (PreparedStatement s =
              c.prepareStatement("INSERT OR IGNORE INTO tombstones (doc_id) VALUES (?)")) {
            s.setString(1, docId);
            s.executeUpdate();
          }
        });
  }

  @Override
  public synchronized Set<String> tombstones() {
    return read(
        c -> {
          Set<String> ids = new LinkedHashSet<>();
          try (Statement s = c.createStatement();
              ResultSet rows = s.executeQuery("SELECT doc_id FROM tombstones")) {
            while (rows.next()) {
              ids.add(rows.getString(1));
            }
          }
          return Set.copyOf(ids);
        });
  }

  @Override
  public synchronized void removeTombstone(String docId) {
    Objects.requireNonNull(docId, "docId");
    write(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement("DELETE FROM tombstones WHERE doc_id = ?")) {
            s.setString(1, docId);
            s.executeUpdate();
          }
        });
  }

  @Override
  public synchronized void quarantine(
      String docId, List<QuarantinedChange> changes, StoredDoc remaining) {
    Objects.requireNonNull(docId, "docId");
    for (QuarantinedChange q : changes) {
      if (!q.docId().equals(docId)) {
        throw new IllegalArgumentException(
            "Quarantined change of " + q.docId() + " given for " + docId);
      }
    }
    List<QuarantinedChange> entries = List.copyOf(changes);
    List<String> bodies = new ArrayList<>(entries.size());
    for (QuarantinedChange q : entries) {
      bodies.add(q.change().toJsonString());
    }
    PreparedDoc prepared = PreparedDoc.of(remaining);
    write(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO quarantined_changes (doc_id, change_id, body, code, message,"
                      + " quarantined_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            for (int i = 0; i < entries.size(); i++) {
              QuarantinedChange q = entries.get(i);
              s.setString(1, docId);
              s.setString(2, q.change().id());
              s.setString(3, bodies.get(i));
              s.setInt(4, q.code());
              s.setString(5, q.message());
              s.setLong(6, q.quarantinedAt());
              s.executeUpdate();
            }
          }
          writeDoc(c, docId, prepared);
        });
  }

  @Override
  public synchronized List<QuarantinedChange> quarantinedChanges() {
    return read(
        c -> {
          List<QuarantinedChange> result = new ArrayList<>();
          try (Statement s = c.createStatement();
              ResultSet rows =
                  s.executeQuery(
                      "SELECT doc_id, body, code, message, quarantined_at FROM"
                          + " quarantined_changes ORDER BY seq")) {
            while (rows.next()) {
              result.add(
                  new QuarantinedChange(
                      rows.getString(1),
                      Change.fromJson(Json.parse(rows.getString(2))),
                      rows.getInt(3),
                      rows.getString(4),
                      rows.getLong(5)));
            }
          }
          return List.copyOf(result);
        });
  }

  @Override
  public synchronized boolean discardQuarantined(String docId, String changeId) {
    Objects.requireNonNull(docId, "docId");
    Objects.requireNonNull(changeId, "changeId");
    boolean[] removed = new boolean[1];
    write(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "DELETE FROM quarantined_changes WHERE doc_id = ? AND change_id = ?")) {
            s.setString(1, docId);
            s.setString(2, changeId);
            removed[0] = s.executeUpdate() > 0;
          }
        });
    return removed[0];
  }

  /** Closes the connection; a second call does nothing. */
  @Override
  public synchronized void close() {
    Connection c = connection;
    if (c == null) {
      return;
    }
    connection = null;
    try {
      c.close();
    } catch (SQLException e) {
      throw new PatchbayException(500, "Cannot close the SQLite client store " + file, e);
    }
  }

  /** Copies the ids before the transaction; a null id fails before anything is written. */
  private static List<String> copyIds(Collection<String> docIds) {
    return List.copyOf(docIds);
  }

  /** Work on the connection inside a transaction. */
  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Work that returns nothing. */
  @FunctionalInterface
  private interface VoidWork {
    void run(Connection c) throws SQLException;
  }

  /** Runs {@code work} in a write transaction, taking the write lock up front. */
  private void write(VoidWork work) {
    inTransaction(
        "BEGIN IMMEDIATE",
        c -> {
          work.run(c);
          return null;
        });
  }

  /** Runs {@code work} in a read transaction, so its queries see one snapshot. */
  private <T> T read(Work<T> work) {
    return inTransaction("BEGIN", work);
  }

  private <T> T inTransaction(String begin, Work<T> work) {
    Connection c = connection;
    if (c == null) {
      throw new IllegalStateException("The client store is closed");
    }
    try {
      execute(c, begin);
      try {
        T result = work.run(c);
        // A failed COMMIT (a busy lock) leaves the transaction open: it is rolled back below.
        execute(c, "COMMIT");
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          execute(c, "ROLLBACK");
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    } catch (SQLException e) {
      throw new PatchbayException(500, "SQLite client store failure in " + file, e);
    }
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
