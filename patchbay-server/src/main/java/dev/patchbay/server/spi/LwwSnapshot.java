package dev.patchbay.server.spi;

import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * A stored snapshot of a last-write-wins document: its state including every op with a revision at
 * or below {@code rev}. Instances are immutable.
 *
 * @param state the document state
 * @param rev the revision the state includes
 */
public record LwwSnapshot(JsonNode state, long rev) {

  /** Validates the revision. */
  public LwwSnapshot {
    Objects.requireNonNull(state, "state");
    if (rev < 0) {
      throw new IllegalArgumentException("rev must not be negative: " + rev);
    }
  }
}
