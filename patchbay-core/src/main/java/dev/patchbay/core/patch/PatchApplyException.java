package dev.patchbay.core.patch;

import dev.patchbay.core.PatchbayException;

/**
 * Thrown by a strict {@link JsonPatch#apply} when an op cannot be applied. The code is 400; the
 * message is the reason as Patches words it (for example {@code "[op:add] invalid array index:
 * /arr/5"}), and {@link #opIndex()} and {@link #op()} name the op that failed.
 */
public final class PatchApplyException extends PatchbayException {
  private static final long serialVersionUID = 1L;

  private final int opIndex;
  private final transient PatchOp op;

  /**
   * Creates the exception for the op at {@code opIndex} of the patch.
   *
   * @param message the reason the op failed
   * @param opIndex the position of the failing op in the patch
   * @param op the failing op
   */
  public PatchApplyException(String message, int opIndex, PatchOp op) {
    super(400, message);
    this.opIndex = opIndex;
    this.op = op;
  }

  /** Returns the position of the failing op in the patch (0-based). */
  public int opIndex() {
    return opIndex;
  }

  /** Returns the op that failed. */
  public PatchOp op() {
    return op;
  }
}
