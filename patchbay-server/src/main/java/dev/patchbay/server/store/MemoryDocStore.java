package dev.patchbay.server.store;

import dev.patchbay.core.PatchbayException;
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
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The in-memory store: per document one object guarded by its own monitor, so documents never
 * contend with each other. Writes complete their future before returning. A deleted document's
 * object is marked dead before it leaves the map, so a writer that raced with the deletion retries
 * on a fresh object instead of writing into a detached one.
 */
final class MemoryDocStore implements DocStore {

  private static final Comparator<PatchOp> COMMIT_ORDER =
      Comparator.comparing((PatchOp op) -> op.rev() == null ? 0L : op.rev())
          .thenComparing(PatchOp::ts, Comparator.nullsFirst(Comparator.naturalOrder()))
          .thenComparing(PatchOp::path);

  private final Clock clock;
  private final ConcurrentHashMap<String, Doc> docs = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Tombstone> tombstones = new ConcurrentHashMap<>();
  private volatile boolean closed;
  private final MemoryCollectionStore collectionStore;

  MemoryDocStore(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.collectionStore = new MemoryCollectionStore(clock);
  }

  private static final class Doc {
    boolean deleted;
    final TreeMap<Long, Change> changes = new TreeMap<>();
    final Map<String, Change> changesById = new HashMap<>();
    final Map<String, StoredVersion> versions = new HashMap<>();
    long lwwRev;
    @Nullable LwwSnapshot snapshot;
    final TreeMap<String, PatchOp> lwwOps = new TreeMap<>();
    final Map<String, Long> seenIds = new HashMap<>();
  }

  private record StoredVersion(VersionMetadata metadata, JsonNode state) {}

  // The change log.

  @Override
  public long currentRev(String docId) {
    return read(docId, d -> d.changes.isEmpty() ? 0L : d.changes.lastKey(), 0L);
  }

  @Override
  public List<Change> listChanges(String docId, ChangeQuery query) {
    Objects.requireNonNull(query, "query");
    if (query.untilRev() <= query.afterRev()) {
      checkOpen();
      return List.of();
    }
    return read(
        docId,
        d -> {
          NavigableMap<Long, Change> window =
              d.changes.subMap(query.afterRev(), false, query.untilRev(), true);
          if (query.reverse()) {
            window = window.descendingMap();
          }
          int max = query.limit() == 0 ? Integer.MAX_VALUE : query.limit();
          List<Change> result = new ArrayList<>(Math.min(max, window.size()));
          for (Change change : window.values()) {
            if (result.size() == max) {
              break;
            }
            result.add(change);
          }
          return List.copyOf(result);
        },
        List.of());
  }

  @Override
  public Map<String, Change> findChanges(String docId, Collection<String> ids) {
    Objects.requireNonNull(ids, "ids");
    return read(
        docId,
        d -> {
          Map<String, Change> found = new LinkedHashMap<>();
          for (String id : ids) {
            Change change = d.changesById.get(id);
            if (change != null) {
              found.put(id, change);
            }
          }
          return Map.copyOf(found);
        },
        Map.of());
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
    Objects.requireNonNull(changes, "changes");
    for (Change change : changes) {
      if (change.rev() <= 0) {
        return CompletableFuture.failedFuture(
            new PatchbayException(400, "Change revision must be positive: " + change.rev()));
      }
    }
    if (changes.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    List<Change> copy = List.copyOf(changes);
    return write(
        docId,
        d -> {
          long current = d.changes.isEmpty() ? 0L : d.changes.lastKey();
          if (expectedRev >= 0 && current != expectedRev) {
            throw new RevConflictException(docId, List.of(expectedRev + 1));
          }
          Set<String> seen = new HashSet<>();
          Set<String> duplicateIds = new LinkedHashSet<>();
          for (Change change : copy) {
            if (!seen.add(change.id()) || d.changesById.containsKey(change.id())) {
              duplicateIds.add(change.id());
            }
          }
          if (!duplicateIds.isEmpty()) {
            throw new DuplicateChangeIdException(docId, List.copyOf(duplicateIds));
          }
          Set<Long> revs = new HashSet<>();
          TreeSet<Long> conflicts = new TreeSet<>();
          for (Change change : copy) {
            if (!revs.add(change.rev()) || d.changes.containsKey(change.rev())) {
              conflicts.add(change.rev());
            }
          }
          if (!conflicts.isEmpty()) {
            throw new RevConflictException(docId, List.copyOf(conflicts));
          }
          for (Change change : copy) {
            d.changes.put(change.rev(), change);
            d.changesById.put(change.id(), change);
          }
          return null;
        });
  }

  // Versions.

  @Override
  public CompletableFuture<Void> createVersion(
      String docId, VersionMetadata version, JsonNode state) {
    Objects.requireNonNull(version, "version");
    JsonNode copy = state.deepCopy();
    return write(
        docId,
        d -> {
          if (d.versions.containsKey(version.id())) {
            throw new PatchbayException(409, "Version already exists: " + version.id());
          }
          d.versions.put(version.id(), new StoredVersion(version, copy));
          return null;
        });
  }

  @Override
  public List<VersionMetadata> listVersions(String docId, VersionQuery query) {
    Objects.requireNonNull(query, "query");
    return read(
        docId,
        d -> {
          Comparator<VersionMetadata> order =
              Comparator.comparingLong((VersionMetadata v) -> query.orderBy().sortKey(v))
                  .thenComparing(VersionMetadata::id);
          if (query.reverse()) {
            order = order.reversed();
          }
          List<VersionMetadata> result = new ArrayList<>();
          for (StoredVersion stored : d.versions.values()) {
            if (query.matches(stored.metadata())) {
              result.add(stored.metadata());
            }
          }
          result.sort(order);
          if (query.limit() > 0 && result.size() > query.limit()) {
            result = result.subList(0, query.limit());
          }
          return List.copyOf(result);
        },
        List.of());
  }

  @Override
  public @Nullable VersionMetadata loadVersion(String docId, String versionId) {
    StoredVersion stored = read(docId, d -> d.versions.get(versionId), null);
    return stored == null ? null : stored.metadata();
  }

  @Override
  public @Nullable JsonNode loadVersionState(String docId, String versionId) {
    StoredVersion stored = read(docId, d -> d.versions.get(versionId), null);
    return stored == null ? null : stored.state();
  }

  @Override
  public CompletableFuture<Boolean> updateVersion(
      String docId, String versionId, VersionUpdate update) {
    Objects.requireNonNull(update, "update");
    return write(
        docId,
        d -> {
          StoredVersion stored = d.versions.get(versionId);
          if (stored == null) {
            return false;
          }
          d.versions.put(
              versionId, new StoredVersion(stored.metadata().apply(update), stored.state()));
          return true;
        });
  }

  @Override
  public @Nullable VersionMetadata latestMainVersion(String docId, long rev) {
    return read(
        docId,
        d -> {
          VersionMetadata best = null;
          for (StoredVersion stored : d.versions.values()) {
            VersionMetadata v = stored.metadata();
            if (v.origin() != VersionOrigin.MAIN || v.endRev() > rev) {
              continue;
            }
            if (best == null
                || v.endRev() > best.endRev()
                || (v.endRev() == best.endRev() && v.id().compareTo(best.id()) > 0)) {
              best = v;
            }
          }
          return best;
        },
        null);
  }

  // Last-write-wins documents.

  @Override
  public LwwState loadLww(String docId) {
    return read(
        docId,
        d -> {
          if (d.lwwRev == 0 && d.snapshot == null && d.lwwOps.isEmpty()) {
            return LwwState.EMPTY;
          }
          List<PatchOp> ops = new ArrayList<>(d.lwwOps.values());
          ops.sort(COMMIT_ORDER);
          return new LwwState(d.lwwRev, d.snapshot, Lww.commitOrder(ops));
        },
        LwwState.EMPTY);
  }

  @Override
  public long lwwRev(String docId) {
    return read(docId, d -> d.lwwRev, 0L);
  }

  @Override
  public List<PatchOp> listLwwOps(String docId, long afterRev) {
    return read(
        docId,
        d -> {
          List<PatchOp> ops = new ArrayList<>();
          for (PatchOp op : d.lwwOps.values()) {
            if (op.rev() != null && op.rev() > afterRev) {
              ops.add(op);
            }
          }
          ops.sort(COMMIT_ORDER);
          return Lww.commitOrder(ops);
        },
        List.of());
  }

  @Override
  public CompletableFuture<Long> saveLwwOps(String docId, LwwWrite write) {
    Objects.requireNonNull(write, "write");
    long now = clock.millis();
    return write(
        docId,
        d -> {
          long newRev = ++d.lwwRev;
          for (String path : write.pathsToDelete()) {
            d.lwwOps.remove(path);
            under(d.lwwOps, path).clear();
          }
          for (PatchOp op : write.ops()) {
            under(d.lwwOps, op.path()).clear();
            d.lwwOps.put(op.path(), op.withRev(newRev));
          }
          d.seenIds.values().removeIf(expiry -> expiry <= now);
          for (String id : write.changeIds()) {
            d.seenIds.merge(id, write.changeIdsExpireAt(), Math::max);
          }
          return newRev;
        });
  }

  @Override
  public Set<String> seenLwwChangeIds(String docId, Collection<String> ids) {
    Objects.requireNonNull(ids, "ids");
    long now = clock.millis();
    return read(
        docId,
        d -> {
          Set<String> seen = new HashSet<>();
          for (String id : ids) {
            Long expiry = d.seenIds.get(id);
            if (expiry != null && expiry > now) {
              seen.add(id);
            }
          }
          return Set.copyOf(seen);
        },
        Set.of());
  }

  @Override
  public CompletableFuture<Void> saveLwwSnapshot(String docId, JsonNode state, long rev) {
    LwwSnapshot snapshot = new LwwSnapshot(state.deepCopy(), rev);
    return write(
        docId,
        d -> {
          d.snapshot = snapshot;
          d.lwwRev = Math.max(d.lwwRev, rev);
          return null;
        });
  }

  // Tombstones and deletion.

  @Override
  public CompletableFuture<Void> createTombstone(Tombstone tombstone) {
    Objects.requireNonNull(tombstone, "tombstone");
    if (closed) {
      return CompletableFuture.failedFuture(closedException());
    }
    tombstones.put(tombstone.docId(), tombstone);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public @Nullable Tombstone getTombstone(String docId) {
    checkOpen();
    Tombstone tombstone = tombstones.get(docId);
    return tombstone == null || tombstone.isExpired(clock.millis()) ? null : tombstone;
  }

  @Override
  public CompletableFuture<Boolean> removeTombstone(String docId) {
    if (closed) {
      return CompletableFuture.failedFuture(closedException());
    }
    return CompletableFuture.completedFuture(tombstones.remove(docId) != null);
  }

  @Override
  public CompletableFuture<Void> deleteDoc(String docId) {
    Objects.requireNonNull(docId, "docId");
    if (closed) {
      return CompletableFuture.failedFuture(closedException());
    }
    Doc d = docs.get(docId);
    if (d != null) {
      synchronized (d) {
        d.deleted = true;
        docs.remove(docId, d);
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public void close() {
    closed = true;
    collectionStore.close();
  }

  @Override
  public CollectionStore collections() {
    return collectionStore;
  }

  private <T> T read(String docId, Function<Doc, T> reader, T absent) {
    Objects.requireNonNull(docId, "docId");
    checkOpen();
    Doc d = docs.get(docId);
    if (d == null) {
      return absent;
    }
    synchronized (d) {
      return d.deleted ? absent : reader.apply(d);
    }
  }

  private <T> CompletableFuture<T> write(String docId, Function<Doc, T> writer) {
    Objects.requireNonNull(docId, "docId");
    if (closed) {
      return CompletableFuture.failedFuture(closedException());
    }
    while (true) {
      Doc d = docs.computeIfAbsent(docId, k -> new Doc());
      synchronized (d) {
        if (d.deleted) {
          continue;
        }
        try {
          return CompletableFuture.completedFuture(writer.apply(d));
        } catch (RuntimeException e) {
          return CompletableFuture.failedFuture(e);
        }
      }
    }
  }

  private static NavigableMap<String, PatchOp> under(TreeMap<String, PatchOp> ops, String path) {
    // Every path strictly under P starts with "P/"; '0' is the character right after '/'.
    return ops.subMap(path + "/", true, path + "0", false);
  }

  private void checkOpen() {
    if (closed) {
      throw closedException();
    }
  }

  static PatchbayException closedException() {
    return new PatchbayException(503, "Store is closed");
  }
}
