package dev.patchbay.client.fuzz;

import dev.patchbay.client.spi.ClientStore;
import dev.patchbay.client.spi.StoredDoc;
import dev.patchbay.core.ot.Change;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Wraps a fuzz client's store to account for every change id: it tells {@link ChangeAccounting}
 * when a change joins a pending queue and when one leaves it. It also lists tracked documents in a
 * fixed order, so the order the client syncs them in does not depend on hash seeds of the JVM.
 */
final class RecordingStore implements ClientStore {
  private final ClientStore delegate;
  private final int client;
  private final ChangeAccounting accounting;

  RecordingStore(ClientStore delegate, int client, ChangeAccounting accounting) {
    this.delegate = delegate;
    this.client = client;
    this.accounting = accounting;
  }

  @Override
  public void trackDocs(Collection<String> docIds) {
    delegate.trackDocs(docIds);
  }

  @Override
  public void untrackDocs(Collection<String> docIds) {
    delegate.untrackDocs(docIds);
  }

  @Override
  public Set<String> trackedDocs() {
    return Collections.unmodifiableSet(new TreeSet<>(delegate.trackedDocs()));
  }

  @Override
  public boolean isTracked(String docId) {
    return delegate.isTracked(docId);
  }

  @Override
  public @Nullable StoredDoc loadDoc(String docId) {
    return delegate.loadDoc(docId);
  }

  @Override
  public void appendPending(String docId, Change change) {
    StoredDoc before = delegate.loadDoc(docId);
    delegate.appendPending(docId, change);
    List<Change> queue = new java.util.ArrayList<>(before == null ? List.of() : before.pending());
    queue.add(change);
    accounting.created(client, docId, queue);
  }

  @Override
  public void saveDoc(
      String docId, @Nullable JsonNode state, long committedRev, List<Change> pending) {
    StoredDoc before = delegate.loadDoc(docId);
    delegate.saveDoc(docId, state, committedRev, pending);
    accounting.queueReplaced(client, docId, before == null ? List.of() : before.pending(), pending);
  }

  @Override
  public void deleteDoc(String docId) {
    delegate.deleteDoc(docId);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
