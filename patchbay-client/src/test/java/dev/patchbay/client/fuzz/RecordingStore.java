package dev.patchbay.client.fuzz;

import dev.patchbay.client.QuarantinedChange;
import dev.patchbay.client.spi.ClientStore;
import dev.patchbay.client.spi.StoredDoc;
import dev.patchbay.core.ot.Change;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

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
    if (accounted(docId)) {
      List<Change> queue = new ArrayList<>(before == null ? List.of() : before.pending());
      queue.add(change);
      accounting.created(client, docId, queue);
    }
  }

  @Override
  public void saveDoc(String docId, StoredDoc doc) {
    StoredDoc before = delegate.loadDoc(docId);
    delegate.saveDoc(docId, doc);
    if (accounted(docId)) {
      accounting.queueReplaced(
          client, docId, before == null ? List.of() : before.pending(), doc.pending());
    }
  }

  @Override
  public void deleteDoc(String docId) {
    delegate.deleteDoc(docId);
  }

  @Override
  public void addTombstone(String docId) {
    delegate.addTombstone(docId);
  }

  @Override
  public Set<String> tombstones() {
    return delegate.tombstones();
  }

  @Override
  public void removeTombstone(String docId) {
    delegate.removeTombstone(docId);
  }

  @Override
  public void quarantine(String docId, List<QuarantinedChange> changes, StoredDoc remaining) {
    // The fuzz makes only edits that apply: a change the server rejects for good is a bug.
    accounting.quarantined(client, docId, changes);
    delegate.quarantine(docId, changes, remaining);
  }

  @Override
  public List<QuarantinedChange> quarantinedChanges() {
    return delegate.quarantinedChanges();
  }

  @Override
  public boolean discardQuarantined(String docId, String changeId) {
    return delegate.discardQuarantined(docId, changeId);
  }

  /**
   * Whether change ids of {@code docId} are accounted: OT documents only. A last-write-wins
   * document folds its edits into one pending change per flight (the ops consolidated per path), so
   * ids do not follow edits; its end state is checked instead.
   */
  private boolean accounted(String docId) {
    return !ConvergenceFuzz.isLww(docId);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
