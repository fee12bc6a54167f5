package dev.patchbay.store.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One JDBC connection with its prepared statements cached by SQL text. Confined to one thread at a
 * time (the writer thread, or the reader that borrowed it from the pool), so the cache needs no
 * locking. A cached statement is reused, so callers close every result set they open.
 */
final class SqlConnection implements AutoCloseable {
  private final Connection connection;
  private final Map<String, PreparedStatement> statements = new HashMap<>();

  SqlConnection(Connection connection) {
    this.connection = connection;
  }

  /** Returns the cached statement for {@code sql}, preparing it on first use. */
  PreparedStatement prepare(String sql) throws SQLException {
    PreparedStatement statement = statements.get(sql);
    if (statement == null) {
      statement = connection.prepareStatement(sql);
      statements.put(sql, statement);
    }
    return statement;
  }

  /**
   * Runs a statement without parameters or results (BEGIN, COMMIT, SAVEPOINT, PRAGMA …), prepared
   * once and cached like any other: the writer runs a savepoint and its release around every write,
   * and compiling those each time was a share of its CPU.
   */
  void execute(String sql) throws SQLException {
    prepare(sql).execute();
  }

  /** Runs a query for a single text value, or {@code null} when it returns no row. */
  @Nullable String queryString(String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        var rows = statement.executeQuery(sql)) {
      return rows.next() ? rows.getString(1) : null;
    }
  }

  /**
   * Whether the driver fetches generated keys after every INSERT (it must not: nothing reads them).
   */
  boolean fetchesGeneratedKeys() throws SQLException {
    return connection
        .unwrap(org.sqlite.SQLiteConnection.class)
        .getConnectionConfig()
        .isGetGeneratedKeys();
  }

  @Override
  public void close() throws SQLException {
    SQLException failure = null;
    for (PreparedStatement statement : statements.values()) {
      try {
        statement.close();
      } catch (SQLException e) {
        failure = e;
      }
    }
    statements.clear();
    connection.close();
    if (failure != null) {
      throw failure;
    }
  }
}
