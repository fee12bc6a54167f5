package dev.patchbay.server.store;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.server.spi.CollectionRecord;
import dev.patchbay.server.spi.CollectionStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The in-memory collection store: per collection one object guarded by its own monitor, holding the
 * records by id and by feed position. Writes complete before returning.
 */
final class MemoryCollectionStore implements CollectionStore {
  private final Clock clock;
  private final ConcurrentHashMap<String, Coll> collections = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private static final class Coll {
    final Map<String, CollectionRecord> byId = new HashMap<>();
    final TreeMap<Long, CollectionRecord> bySeq = new TreeMap<>();
    final Map<String, Long> seenIds = new HashMap<>();
    long lastSeq;
    long live;
    long purgedThrough;
  }

  MemoryCollectionStore(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  void close() {
    closed = true;
  }

  private @Nullable Coll find(String collection) {
    Objects.requireNonNull(collection, "collection");
    if (closed) {
      throw MemoryDocStore.closedException();
    }
    return collections.get(collection);
  }

  @Override
  public @Nullable CollectionRecord getRecord(String collection, String recordId) {
    Objects.requireNonNull(recordId, "recordId");
    Coll c = find(collection);
    if (c == null) {
      return null;
    }
    synchronized (c) {
      return c.byId.get(recordId);
    }
  }

  @Override
  public long lastSeq(String collection) {
    Coll c = find(collection);
    if (c == null) {
      return 0;
    }
    synchronized (c) {
      return c.lastSeq;
    }
  }

  @Override
  public List<CollectionRecord> changesAfter(String collection, long afterSeq, int limit) {
    if (limit < 1) {
      throw new PatchbayException(400, "limit must be at least 1");
    }
    Coll c = find(collection);
    if (c == null) {
      return List.of();
    }
    synchronized (c) {
      List<CollectionRecord> out = new ArrayList<>(Math.min(limit, c.bySeq.size()));
      for (CollectionRecord r : c.bySeq.tailMap(afterSeq, false).values()) {
        if (out.size() == limit) {
          break;
        }
        out.add(r);
      }
      return List.copyOf(out);
    }
  }

  @Override
  public long countLive(String collection) {
    Coll c = find(collection);
    if (c == null) {
      return 0;
    }
    synchronized (c) {
      return c.live;
    }
  }

  @Override
  public Set<String> seenChangeIds(String collection, Collection<String> changeIds) {
    Coll c = find(collection);
    if (c == null || changeIds.isEmpty()) {
      return Set.of();
    }
    long now = clock.millis();
    Set<String> seen = new LinkedHashSet<>();
    synchronized (c) {
      for (String id : changeIds) {
        Long expiresAt = c.seenIds.get(id);
        if (expiresAt != null && expiresAt > now) {
          seen.add(id);
        }
      }
    }
    return Set.copyOf(seen);
  }

  @Override
  public CompletableFuture<Void> write(
      String collection,
      List<CollectionRecord> records,
      Collection<String> changeIds,
      long changeIdsExpireAt) {
    Objects.requireNonNull(collection, "collection");
    if (closed) {
      return CompletableFuture.failedFuture(MemoryDocStore.closedException());
    }
    if (records.isEmpty()) {
      return CompletableFuture.failedFuture(new PatchbayException(400, "no records to write"));
    }
    for (CollectionRecord r : records) {
      if (!r.collection().equals(collection)) {
        return CompletableFuture.failedFuture(
            new PatchbayException(400, "record of another collection: " + r.collection()));
      }
    }
    Coll c = collections.computeIfAbsent(collection, k -> new Coll());
    synchronized (c) {
      long seq = c.lastSeq;
      for (CollectionRecord r : records) {
        if (r.seq() <= seq) {
          return CompletableFuture.failedFuture(
              new PatchbayException(409, "sequence " + r.seq() + " is not after " + seq));
        }
        seq = r.seq();
      }
      for (CollectionRecord r : records) {
        CollectionRecord previous = c.byId.put(r.recordId(), r);
        if (previous != null) {
          c.bySeq.remove(previous.seq());
          if (!previous.deleted()) {
            c.live--;
          }
        }
        c.bySeq.put(r.seq(), r);
        if (!r.deleted()) {
          c.live++;
        }
      }
      c.lastSeq = seq;
      long now = clock.millis();
      c.seenIds.values().removeIf(expiry -> expiry <= now);
      for (String id : changeIds) {
        c.seenIds.merge(id, changeIdsExpireAt, Math::max);
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public long purgedThrough(String collection) {
    Coll c = find(collection);
    if (c == null) {
      return 0;
    }
    synchronized (c) {
      return c.purgedThrough;
    }
  }

  @Override
  public List<String> collectionNames() {
    if (closed) {
      throw MemoryDocStore.closedException();
    }
    return List.copyOf(collections.keySet());
  }

  @Override
  public CompletableFuture<Integer> purgeTombstones(String collection, long deletedBefore) {
    Objects.requireNonNull(collection, "collection");
    if (closed) {
      return CompletableFuture.failedFuture(MemoryDocStore.closedException());
    }
    Coll c = collections.get(collection);
    if (c == null) {
      return CompletableFuture.completedFuture(0);
    }
    int removed = 0;
    synchronized (c) {
      var it = c.bySeq.values().iterator();
      while (it.hasNext()) {
        CollectionRecord r = it.next();
        if (r.deleted() && r.updatedAt() < deletedBefore) {
          it.remove();
          c.byId.remove(r.recordId());
          c.purgedThrough = Math.max(c.purgedThrough, r.seq());
          removed++;
        }
      }
    }
    return CompletableFuture.completedFuture(removed);
  }
}
