package dev.patchbay.store.sqlite;

import dev.patchbay.core.PatchbayException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed set of read connections. WAL lets them read concurrently with each other and with the
 * writer; each read sees the last transaction committed when it started. A caller borrows one
 * connection for one read and waits at most {@code acquireTimeout} for a free one.
 */
final class ReadPool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReadPool.class);

  /** A read against one borrowed connection. */
  @FunctionalInterface
  interface Read<T> {
    T run(SqlConnection connection) throws SQLException;
  }

  private final List<SqlConnection> all;
  private final ArrayBlockingQueue<SqlConnection> idle;
  private final long acquireTimeoutNanos;
  private volatile boolean closed;

  ReadPool(List<SqlConnection> connections, Duration acquireTimeout) {
    this.all = List.copyOf(connections);
    this.idle = new ArrayBlockingQueue<>(all.size(), false, all);
    this.acquireTimeoutNanos = acquireTimeout.toNanos();
  }

  /**
   * Runs {@code read} on a free connection.
   *
   * @throws PatchbayException 503 when the store is closed or no connection frees up in time, 500
   *     when SQLite fails
   */
  <T> T read(Read<T> read) {
    if (closed) {
      throw SqliteDocStore.closedException();
    }
    SqlConnection connection;
    try {
      connection = idle.poll(acquireTimeoutNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PatchbayException(503, "Interrupted while waiting for a read connection", e);
    }
    if (connection == null) {
      throw closed
          ? SqliteDocStore.closedException()
          : new PatchbayException(503, "No read connection available");
    }
    try {
      if (closed) {
        throw SqliteDocStore.closedException();
      }
      return read.run(connection);
    } catch (SQLException e) {
      throw new PatchbayException(500, "Storage failure", e);
    } finally {
      idle.offer(connection);
    }
  }

  /**
   * Returns which of {@code ids} a seen-ids table (documents' LWW changes, collections' writes)
   * holds unexpired for {@code key}. {@code table} and {@code keyColumn} are the store's own
   * constants, never input.
   */
  Set<String> seenIds(
      String table, String keyColumn, String key, Collection<String> ids, long now) {
    if (ids.isEmpty()) {
      return Set.of();
    }
    List<String> wanted = List.copyOf(ids);
    String sql =
        "SELECT 1 FROM "
            + table
            + " WHERE "
            + keyColumn
            + " = ? AND change_id = ? AND expires_at > ?";
    return read(
        c -> {
          PreparedStatement s = c.prepare(sql);
          Set<String> seen = new HashSet<>();
          for (String id : wanted) {
            s.setString(1, key);
            s.setString(2, id);
            s.setLong(3, now);
            try (ResultSet rows = s.executeQuery()) {
              if (rows.next()) {
                seen.add(id);
              }
            }
          }
          return Set.copyOf(seen);
        });
  }

  /** Waits for reads in flight to return their connections, then closes every connection. */
  @Override
  public void close() {
    closed = true;
    for (int i = 0; i < all.size(); i++) {
      SqlConnection connection;
      try {
        connection = idle.poll(acquireTimeoutNanos, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      if (connection == null) {
        log.warn("A read did not return its connection in time; closing the pool anyway");
        break;
      }
    }
    for (SqlConnection connection : all) {
      try {
        connection.close();
      } catch (SQLException e) {
        log.warn("Closing a read connection failed", e);
      }
    }
  }
}
