package dev.patchbay.server.engine;

import dev.patchbay.core.ot.Change;
import java.util.List;

/**
 * The answer to a commit: the changes the committer must apply (catch-up first, then its own
 * committed changes) and whether it must reload the document with {@code getDoc}.
 */
public record CommitResult(List<Change> changes, boolean docReloadRequired) {
  /** Copies the change list. */
  public CommitResult {
    changes = List.copyOf(changes);
  }
}
