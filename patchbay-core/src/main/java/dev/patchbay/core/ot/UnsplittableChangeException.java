package dev.patchbay.core.ot;

import dev.patchbay.core.PatchbayException;
import org.jspecify.annotations.Nullable;

/**
 * Thrown by change splitting for an op that has no seam to cut on and is larger than {@link
 * SplitOptions#maxUnsplittableBytes()}: the store is known to refuse it, so every retry would fail
 * the same way. The change is defective; surface it, never retry it. Code 413.
 */
public final class UnsplittableChangeException extends PatchbayException {
  private static final long serialVersionUID = 1L;

  private final String op;
  private final String path;
  private final double bytes;
  private final double maxBytes;
  private final @Nullable String docId;
  private final @Nullable String changeId;

  /** Creates the exception for the op {@code op} at {@code path}, measured at {@code bytes}. */
  public UnsplittableChangeException(
      String op,
      String path,
      double bytes,
      double maxBytes,
      @Nullable String docId,
      @Nullable String changeId) {
    super(
        413,
        "Operation "
            + op
            + " at \""
            + path
            + "\" is "
            + format(bytes)
            + " bytes, cannot be split, and exceeds the "
            + format(maxBytes)
            + "-byte limit");
    this.op = op;
    this.path = path;
    this.bytes = bytes;
    this.maxBytes = maxBytes;
    this.docId = docId;
    this.changeId = changeId;
  }

  /** Returns the op name that could not be split. */
  public String op() {
    return op;
  }

  /** Returns the path of the op. */
  public String path() {
    return path;
  }

  /** Returns the measured size of the op in its change. */
  public double bytes() {
    return bytes;
  }

  /** Returns the ceiling it exceeded. */
  public double maxBytes() {
    return maxBytes;
  }

  /** Returns the document id, when the caller named it. */
  public @Nullable String docId() {
    return docId;
  }

  /** Returns the id of the change carrying the op. */
  public @Nullable String changeId() {
    return changeId;
  }

  private static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
