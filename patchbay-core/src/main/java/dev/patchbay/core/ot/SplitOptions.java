package dev.patchbay.core.ot;

import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * How {@link ChangeBatching#breakChanges} measures and what it does with ops it cannot split.
 * Instances are immutable; start from {@link #defaults()}.
 *
 * @param sizeCalculator the storage size measure, or {@code null} for the JSON byte size
 * @param maxUnsplittableBytes the hard ceiling for an op that cannot be split: below it the op is
 *     emitted anyway (and reported), above it splitting fails with {@link
 *     UnsplittableChangeException}. Keep it well above the split budget, at what the store really
 *     refuses. Infinite by default.
 * @param docId the document id, carried on reports and exceptions
 * @param onOversizedOp called for every op that could not be split below the budget, or {@code
 *     null}
 */
public record SplitOptions(
    @Nullable SizeCalculator sizeCalculator,
    double maxUnsplittableBytes,
    @Nullable String docId,
    @Nullable Consumer<OversizedOp> onOversizedOp) {

  private static final SplitOptions DEFAULTS =
      new SplitOptions(null, Double.POSITIVE_INFINITY, null, null);

  /** Validates the ceiling. */
  public SplitOptions {
    if (Double.isNaN(maxUnsplittableBytes) || maxUnsplittableBytes < 0) {
      throw new IllegalArgumentException(
          "maxUnsplittableBytes must be >= 0, was " + maxUnsplittableBytes);
    }
  }

  /** Returns the defaults: JSON byte sizes, no ceiling, no document id, no listener. */
  public static SplitOptions defaults() {
    return DEFAULTS;
  }

  /** Returns these options with another size calculator ({@code null}: JSON byte size). */
  public SplitOptions withSizeCalculator(@Nullable SizeCalculator calculator) {
    return new SplitOptions(calculator, maxUnsplittableBytes, docId, onOversizedOp);
  }

  /** Returns these options with another ceiling for unsplittable ops. */
  public SplitOptions withMaxUnsplittableBytes(double bytes) {
    return new SplitOptions(sizeCalculator, bytes, docId, onOversizedOp);
  }

  /** Returns these options with another document id. */
  public SplitOptions withDocId(@Nullable String id) {
    return new SplitOptions(sizeCalculator, maxUnsplittableBytes, id, onOversizedOp);
  }

  /** Returns these options with another listener for oversized ops. */
  public SplitOptions withOnOversizedOp(@Nullable Consumer<OversizedOp> listener) {
    return new SplitOptions(sizeCalculator, maxUnsplittableBytes, docId, listener);
  }
}
