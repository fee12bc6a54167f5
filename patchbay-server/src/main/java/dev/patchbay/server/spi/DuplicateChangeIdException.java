package dev.patchbay.server.spi;

import dev.patchbay.core.PatchbayException;
import java.util.List;

/**
 * Changes could not be saved because some of their ids are already committed for the document (or
 * repeated in the same list). This is the write-side guard that makes re-sent changes idempotent:
 * the engine answers with the committed copies ({@link ChangeStore#findChanges}). Nothing of the
 * failed list was written.
 */
public final class DuplicateChangeIdException extends PatchbayException {
  private static final long serialVersionUID = 1L;

  private final String docId;
  private final List<String> ids;

  /**
   * Creates the exception.
   *
   * @param docId the document
   * @param ids the duplicate change ids, in the order of the rejected list
   */
  public DuplicateChangeIdException(String docId, List<String> ids) {
    super(409, "Change ids already committed: " + ids);
    this.docId = docId;
    this.ids = List.copyOf(ids);
  }

  /** Returns the document whose change ids were duplicated. */
  public String docId() {
    return docId;
  }

  /** Returns the duplicate change ids, in the order of the rejected list. */
  public List<String> ids() {
    return ids;
  }
}
