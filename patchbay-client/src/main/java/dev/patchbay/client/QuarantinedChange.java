package dev.patchbay.client;

import dev.patchbay.core.ot.Change;
import java.util.Objects;

/**
 * A local change the server rejected for good (a 400 or 413 answer that names it, or that rejects
 * the whole batch it travelled in): taken out of the pending queue so the document keeps syncing,
 * and kept until the application discards it ({@link Patches#discardQuarantinedChange}), so the
 * edit is never silently lost. Instances are immutable.
 *
 * @param docId the document the change was made on
 * @param change the change as it was last sent
 * @param code the server's error code
 * @param message the server's error message
 * @param quarantinedAt when it was quarantined, in epoch milliseconds
 */
public record QuarantinedChange(
    String docId, Change change, int code, String message, long quarantinedAt) {

  /** Validates the members. */
  public QuarantinedChange {
    Objects.requireNonNull(docId, "docId");
    Objects.requireNonNull(change, "change");
    Objects.requireNonNull(message, "message");
  }
}
