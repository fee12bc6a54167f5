package dev.patchbay.client.internal;

import dev.patchbay.client.QuarantinedChange;
import dev.patchbay.client.spi.ClientStore;
import dev.patchbay.client.spi.StoredDoc;
import dev.patchbay.core.ot.Change;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A client store in memory: lost when the process ends. For tests, demos and clients that always
 * start from the server. Each document's record is an immutable {@link StoredDoc}; every method
 * holds the store's lock, so readers never see a half-applied update and the steps that touch two
 * parts (a tombstone, a quarantine) are atomic.
 */
public final class InMemoryClientStore implements ClientStore {
  private final Map<String, StoredDoc> docs = new HashMap<>();
  private final Set<String> tracked = new LinkedHashSet<>();
  private final Set<String> tombstones = new LinkedHashSet<>();
  private final List<QuarantinedChange> quarantined = new ArrayList<>();

  /** Creates an empty store. */
  public InMemoryClientStore() {}

  @Override
  public synchronized void trackDocs(Collection<String> docIds) {
    tracked.addAll(List.copyOf(docIds));
  }

  @Override
  public synchronized void untrackDocs(Collection<String> docIds) {
    tracked.removeAll(List.copyOf(docIds));
  }

  @Override
  public synchronized Set<String> trackedDocs() {
    return Set.copyOf(tracked);
  }

  @Override
  public synchronized boolean isTracked(String docId) {
    return tracked.contains(docId);
  }

  @Override
  public synchronized @Nullable StoredDoc loadDoc(String docId) {
    return docs.get(docId);
  }

  @Override
  public synchronized void appendPending(String docId, Change change) {
    StoredDoc base = docs.getOrDefault(docId, StoredDoc.empty());
    List<Change> pending = new ArrayList<>(base.pending());
    pending.add(change);
    docs.put(docId, new StoredDoc(base.state(), base.committedRev(), pending, base.sending()));
  }

  @Override
  public synchronized void saveDoc(String docId, StoredDoc doc) {
    docs.put(docId, doc);
  }

  @Override
  public synchronized void deleteDoc(String docId) {
    tracked.remove(docId);
    docs.remove(docId);
  }

  @Override
  public synchronized void addTombstone(String docId) {
    deleteDoc(docId);
    tombstones.add(docId);
  }

  @Override
  public synchronized Set<String> tombstones() {
    return Set.copyOf(tombstones);
  }

  @Override
  public synchronized void removeTombstone(String docId) {
    tombstones.remove(docId);
  }

  @Override
  public synchronized void quarantine(
      String docId, List<QuarantinedChange> changes, StoredDoc remaining) {
    for (QuarantinedChange q : changes) {
      if (!q.docId().equals(docId)) {
        throw new IllegalArgumentException(
            "Quarantined change of " + q.docId() + " given for " + docId);
      }
    }
    quarantined.addAll(changes);
    docs.put(docId, remaining);
  }

  @Override
  public synchronized List<QuarantinedChange> quarantinedChanges() {
    return List.copyOf(quarantined);
  }

  @Override
  public synchronized boolean discardQuarantined(String docId, String changeId) {
    return quarantined.removeIf(q -> q.docId().equals(docId) && q.change().id().equals(changeId));
  }

  @Override
  public void close() {
    // Nothing to release: the data simply becomes garbage with the store.
  }
}
