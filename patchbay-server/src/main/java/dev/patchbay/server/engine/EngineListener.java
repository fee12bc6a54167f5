package dev.patchbay.server.engine;

import dev.patchbay.core.ot.Change;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the engine tells the dialects after a durable write, on the document's executor thread:
 * implementations must be quick and must not block (encode once, queue to connections).
 */
public interface EngineListener {
  /** Called once per commit that stored new changes, in revision order per document. */
  void changesCommitted(String docId, List<Change> changes, @Nullable String originConnectionId);

  /** Called after a document was deleted. */
  void docDeleted(String docId, @Nullable String originConnectionId);

  /**
   * Called when a commit's store write finished (successfully or not), with how long it took; for
   * metrics. The default ignores it.
   */
  default void storeWritten(String docId, long nanos) {}
}
