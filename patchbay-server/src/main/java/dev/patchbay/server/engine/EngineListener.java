package dev.patchbay.server.engine;

import dev.patchbay.core.ot.Change;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the engine tells the dialects after a durable write, on the document's executor thread:
 * implementations must be quick and must not block (encode once, queue to connections).
 */
public interface EngineListener {
  /**
   * Called once per commit that stored new changes, in revision order per document (for OT
   * documents through {@link #batchCommitted}).
   */
  void changesCommitted(String docId, List<Change> changes, @Nullable String originConnectionId);

  /** One commit of a batch: the changes it stored and the connection that sent it. */
  record Committed(List<Change> changes, @Nullable String originConnectionId) {
    /** Copies {@code changes}. */
    public Committed {
      changes = List.copyOf(changes);
    }
  }

  /**
   * Called once per batch of a document's OT commits (the commits one mailbox step took, which
   * share one store write), after each of them was answered, with the commits that stored changes
   * in revision order. A dialect may coalesce them into one notification per subscriber. The
   * default calls {@link #changesCommitted} for each commit.
   */
  default void batchCommitted(String docId, List<Committed> commits) {
    for (Committed c : commits) {
      changesCommitted(docId, c.changes(), c.originConnectionId());
    }
  }

  /** Called after a document was deleted. */
  void docDeleted(String docId, @Nullable String originConnectionId);

  /**
   * Called when a commit's store write finished (successfully or not), with how long it took; for
   * metrics. The default ignores it.
   */
  default void storeWritten(String docId, long nanos) {}
}
