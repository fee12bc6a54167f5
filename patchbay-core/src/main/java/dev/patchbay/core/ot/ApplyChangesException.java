package dev.patchbay.core.ot;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.patch.PatchApplyException;

/**
 * Thrown by {@link ChangeApplier#applyChanges} when a change fails to apply strictly. It names the
 * change (id, revision, position in the batch) and, when the patch engine said so, the failing op;
 * the underlying failure is the cause. A client reacts by reloading the authoritative snapshot
 * rather than skipping the change, which would silently diverge it from everyone else. Code 400.
 */
public final class ApplyChangesException extends PatchbayException {
  private static final long serialVersionUID = 1L;

  private final String changeId;
  private final long rev;
  private final int index;
  private final int opIndex;

  /**
   * Creates the exception for the change {@code changeId} at {@code index} of the batch.
   *
   * @param changeId the id of the change that failed
   * @param rev the revision of that change
   * @param index the position of that change in the batch
   * @param cause the patch failure
   */
  public ApplyChangesException(String changeId, long rev, int index, RuntimeException cause) {
    super(
        400,
        "Failed to apply change "
            + changeId
            + " (rev "
            + rev
            + ", index "
            + index
            + " of batch): "
            + cause.getMessage(),
        cause);
    this.changeId = changeId;
    this.rev = rev;
    this.index = index;
    this.opIndex = cause instanceof PatchApplyException p ? p.opIndex() : -1;
  }

  /** Returns the id of the change that failed. */
  public String changeId() {
    return changeId;
  }

  /** Returns the revision of the change that failed. */
  public long rev() {
    return rev;
  }

  /** Returns the position of the failing change in the batch (0-based). */
  public int index() {
    return index;
  }

  /** Returns the position of the failing op within the change, or -1 when unknown. */
  public int opIndex() {
    return opIndex;
  }
}
