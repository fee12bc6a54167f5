package dev.patchbay.server.engine;

import dev.patchbay.core.ot.Change;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A document as {@code getDoc} returns it: {@code state} at {@code rev} (null when there is no
 * version yet), and the committed {@code changes} after it that the reader applies on top.
 */
public record Snapshot(@Nullable JsonNode state, long rev, List<Change> changes) {
  /** Copies the change list. */
  public Snapshot {
    changes = List.copyOf(changes);
  }
}
