package dev.patchbay.server.spi;

import dev.patchbay.core.PatchbayException;
import java.util.List;

/**
 * A change could not be saved because its revision is already taken for the document (another
 * writer committed first) or repeated in the same list. The engine reacts by re-reading the log and
 * transforming again; nothing of the failed list was written.
 */
public final class RevConflictException extends PatchbayException {
  private static final long serialVersionUID = 1L;

  private final String docId;
  private final List<Long> revs;

  /**
   * Creates the exception.
   *
   * @param docId the document
   * @param revs the conflicting revisions, ascending
   */
  public RevConflictException(String docId, List<Long> revs) {
    super(409, "Revision already committed: " + revs);
    this.docId = docId;
    this.revs = List.copyOf(revs);
  }

  /** Returns the document whose revisions conflicted. */
  public String docId() {
    return docId;
  }

  /** Returns the conflicting revisions, ascending. */
  public List<Long> revs() {
    return revs;
  }
}
