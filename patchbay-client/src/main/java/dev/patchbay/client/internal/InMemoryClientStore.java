package dev.patchbay.client.internal;

import dev.patchbay.client.spi.ClientStore;
import dev.patchbay.client.spi.StoredDoc;
import dev.patchbay.core.ot.Change;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A client store in memory: lost when the process ends. For tests, demos and clients that always
 * start from the server. Each document's record is an immutable {@link StoredDoc} swapped
 * atomically, so readers never see a half-applied update.
 */
public final class InMemoryClientStore implements ClientStore {
  private final Map<String, StoredDoc> docs = new ConcurrentHashMap<>();
  private final Set<String> tracked = new LinkedHashSet<>();

  /** Creates an empty store. */
  public InMemoryClientStore() {}

  @Override
  public synchronized void trackDocs(Collection<String> docIds) {
    tracked.addAll(docIds);
  }

  @Override
  public synchronized void untrackDocs(Collection<String> docIds) {
    tracked.removeAll(docIds);
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
  public @Nullable StoredDoc loadDoc(String docId) {
    return docs.get(docId);
  }

  @Override
  public void appendPending(String docId, Change change) {
    docs.compute(
        docId,
        (id, old) -> {
          StoredDoc base = old == null ? StoredDoc.empty() : old;
          List<Change> pending = new ArrayList<>(base.pending());
          pending.add(change);
          return new StoredDoc(base.state(), base.committedRev(), pending);
        });
  }

  @Override
  public void saveDoc(
      String docId, @Nullable JsonNode state, long committedRev, List<Change> pending) {
    docs.put(docId, new StoredDoc(state, committedRev, pending));
  }

  @Override
  public void deleteDoc(String docId) {
    synchronized (this) {
      tracked.remove(docId);
    }
    docs.remove(docId);
  }

  @Override
  public void close() {
    // Nothing to release: the data simply becomes garbage with the store.
  }
}
