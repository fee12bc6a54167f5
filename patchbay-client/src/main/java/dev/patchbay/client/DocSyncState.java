package dev.patchbay.client;

import java.util.Objects;

/**
 * One document's sync state, as {@link PatchesSync#docStates()} reports it. Instances are
 * immutable.
 *
 * @param committedRev the last server revision applied
 * @param hasPending whether local changes wait for the server
 * @param status the sync status
 */
public record DocSyncState(long committedRev, boolean hasPending, DocSyncStatus status) {

  /** Validates the members. */
  public DocSyncState {
    Objects.requireNonNull(status, "status");
    if (committedRev < 0) {
      throw new IllegalArgumentException("committedRev must be >= 0, was " + committedRev);
    }
  }
}
