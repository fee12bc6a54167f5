package dev.patchbay.store.sqlite;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.server.spi.CollectionRecord;
import dev.patchbay.server.spi.CollectionStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The SQLite collection store, in the same file as the documents: reads on the read pool, writes as
 * work items of the same single writer (so they group-commit with document writes). Data is
 * serialized on the caller's thread; the sequence check runs inside the write, atomically with it.
 */
final class SqliteCollectionStore implements CollectionStore {
  private final Clock clock;
  private final SqliteWriter writer;
  private final ReadPool reads;

  SqliteCollectionStore(Clock clock, SqliteWriter writer, ReadPool reads) {
    this.clock = clock;
    this.writer = writer;
    this.reads = reads;
  }

  private static final String COLUMNS =
      "record_id, data, version, seq, updated_at, deleted, updated_by, change_id";

  private static CollectionRecord row(String collection, ResultSet rows) throws SQLException {
    return new CollectionRecord(
        collection,
        rows.getString(1),
        Json.parse(rows.getString(2)),
        rows.getLong(3),
        rows.getLong(4),
        rows.getLong(5),
        rows.getInt(6) == 1,
        rows.getString(7),
        rows.getString(8));
  }

  @Override
  public @Nullable CollectionRecord getRecord(String collection, String recordId) {
    Objects.requireNonNull(collection, "collection");
    Objects.requireNonNull(recordId, "recordId");
    return reads.read(
        c -> {
          PreparedStatement s =
              c.prepare(
                  "SELECT "
                      + COLUMNS
                      + " FROM collection_records WHERE collection = ? AND record_id = ?");
          s.setString(1, collection);
          s.setString(2, recordId);
          try (ResultSet rows = s.executeQuery()) {
            return rows.next() ? row(collection, rows) : null;
          }
        });
  }

  @Override
  public long lastSeq(String collection) {
    Objects.requireNonNull(collection, "collection");
    return reads.read(c -> readLastSeq(c, collection));
  }

  private static long readLastSeq(SqlConnection c, String collection) throws SQLException {
    PreparedStatement s = c.prepare("SELECT last_seq FROM collection_heads WHERE collection = ?");
    s.setString(1, collection);
    try (ResultSet rows = s.executeQuery()) {
      return rows.next() ? rows.getLong(1) : 0L;
    }
  }

  @Override
  public List<CollectionRecord> changesAfter(String collection, long afterSeq, int limit) {
    Objects.requireNonNull(collection, "collection");
    if (limit < 1) {
      throw new PatchbayException(400, "limit must be at least 1");
    }
    return reads.read(
        c -> {
          PreparedStatement s =
              c.prepare(
                  "SELECT "
                      + COLUMNS
                      + " FROM collection_records WHERE collection = ? AND seq > ?"
                      + " ORDER BY seq LIMIT ?");
          s.setString(1, collection);
          s.setLong(2, afterSeq);
          s.setInt(3, limit);
          List<CollectionRecord> out = new ArrayList<>();
          try (ResultSet rows = s.executeQuery()) {
            while (rows.next()) {
              out.add(row(collection, rows));
            }
          }
          return List.copyOf(out);
        });
  }

  @Override
  public long countLive(String collection) {
    Objects.requireNonNull(collection, "collection");
    return reads.read(
        c -> {
          PreparedStatement s =
              c.prepare(
                  "SELECT count(*) FROM collection_records WHERE collection = ? AND deleted = 0");
          s.setString(1, collection);
          try (ResultSet rows = s.executeQuery()) {
            return rows.next() ? rows.getLong(1) : 0L;
          }
        });
  }

  @Override
  public Set<String> seenChangeIds(String collection, Collection<String> changeIds) {
    Objects.requireNonNull(collection, "collection");
    return reads.seenIds(
        "collection_seen_ids", "collection", collection, changeIds, clock.millis());
  }

  @Override
  public CompletableFuture<Void> write(
      String collection,
      List<CollectionRecord> records,
      Collection<String> changeIds,
      long changeIdsExpireAt) {
    Objects.requireNonNull(collection, "collection");
    if (records.isEmpty()) {
      return CompletableFuture.failedFuture(new PatchbayException(400, "no records to write"));
    }
    List<String> json = new ArrayList<>(records.size());
    for (CollectionRecord r : records) {
      if (!r.collection().equals(collection)) {
        return CompletableFuture.failedFuture(
            new PatchbayException(400, "record of another collection: " + r.collection()));
      }
      json.add(Json.write(r.data()));
    }
    List<CollectionRecord> batch = List.copyOf(records);
    List<String> ids = List.copyOf(changeIds);
    return writer.submit(
        c -> {
          long seq = readLastSeq(c, collection);
          for (CollectionRecord r : batch) {
            if (r.seq() <= seq) {
              throw new PatchbayException(409, "sequence " + r.seq() + " is not after " + seq);
            }
            seq = r.seq();
          }
          PreparedStatement upsert =
              c.prepare(
                  "INSERT INTO collection_records (collection, "
                      + COLUMNS
                      + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                      + " ON CONFLICT (collection, record_id) DO UPDATE SET"
                      + " data = excluded.data, version = excluded.version, seq = excluded.seq,"
                      + " updated_at = excluded.updated_at, deleted = excluded.deleted,"
                      + " updated_by = excluded.updated_by, change_id = excluded.change_id");
          for (int i = 0; i < batch.size(); i++) {
            CollectionRecord r = batch.get(i);
            upsert.setString(1, collection);
            upsert.setString(2, r.recordId());
            upsert.setString(3, json.get(i));
            upsert.setLong(4, r.version());
            upsert.setLong(5, r.seq());
            upsert.setLong(6, r.updatedAt());
            upsert.setInt(7, r.deleted() ? 1 : 0);
            if (r.updatedBy() == null) {
              upsert.setNull(8, Types.VARCHAR);
            } else {
              upsert.setString(8, r.updatedBy());
            }
            if (r.changeId() == null) {
              upsert.setNull(9, Types.VARCHAR);
            } else {
              upsert.setString(9, r.changeId());
            }
            upsert.executeUpdate();
          }
          PreparedStatement head =
              c.prepare(
                  "INSERT INTO collection_heads (collection, last_seq) VALUES (?, ?)"
                      + " ON CONFLICT (collection) DO UPDATE SET last_seq = excluded.last_seq");
          head.setString(1, collection);
          head.setLong(2, seq);
          head.executeUpdate();
          PreparedStatement forget =
              c.prepare("DELETE FROM collection_seen_ids WHERE collection = ? AND expires_at <= ?");
          forget.setString(1, collection);
          forget.setLong(2, clock.millis());
          forget.executeUpdate();
          PreparedStatement remember =
              c.prepare(
                  "INSERT INTO collection_seen_ids (collection, change_id, expires_at)"
                      + " VALUES (?, ?, ?) ON CONFLICT (collection, change_id) DO UPDATE SET"
                      + " expires_at = max(expires_at, excluded.expires_at)");
          for (String id : ids) {
            remember.setString(1, collection);
            remember.setString(2, id);
            remember.setLong(3, changeIdsExpireAt);
            remember.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public long purgedThrough(String collection) {
    Objects.requireNonNull(collection, "collection");
    return reads.read(
        c -> {
          PreparedStatement s =
              c.prepare("SELECT purged_through FROM collection_heads WHERE collection = ?");
          s.setString(1, collection);
          try (ResultSet rows = s.executeQuery()) {
            return rows.next() ? rows.getLong(1) : 0L;
          }
        });
  }

  @Override
  public List<String> collectionNames() {
    return reads.read(
        c -> {
          PreparedStatement s = c.prepare("SELECT collection FROM collection_heads");
          List<String> out = new ArrayList<>();
          try (ResultSet rows = s.executeQuery()) {
            while (rows.next()) {
              out.add(rows.getString(1));
            }
          }
          return List.copyOf(out);
        });
  }

  @Override
  public CompletableFuture<Integer> purgeTombstones(String collection, long deletedBefore) {
    Objects.requireNonNull(collection, "collection");
    return writer.submit(
        c -> {
          PreparedStatement highest =
              c.prepare(
                  "SELECT max(seq), count(*) FROM collection_records"
                      + " WHERE collection = ? AND deleted = 1 AND updated_at < ?");
          highest.setString(1, collection);
          highest.setLong(2, deletedBefore);
          long maxSeq;
          int count;
          try (ResultSet rows = highest.executeQuery()) {
            rows.next();
            maxSeq = rows.getLong(1);
            count = rows.getInt(2);
          }
          if (count == 0) {
            return 0;
          }
          PreparedStatement delete =
              c.prepare(
                  "DELETE FROM collection_records"
                      + " WHERE collection = ? AND deleted = 1 AND updated_at < ?");
          delete.setString(1, collection);
          delete.setLong(2, deletedBefore);
          delete.executeUpdate();
          PreparedStatement horizon =
              c.prepare(
                  "UPDATE collection_heads SET purged_through = max(purged_through, ?)"
                      + " WHERE collection = ?");
          horizon.setLong(1, maxSeq);
          horizon.setString(2, collection);
          horizon.executeUpdate();
          return count;
        });
  }
}
