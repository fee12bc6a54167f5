package dev.patchbay.core.patch;

import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * JSON Patch with the Patches extensions: the entry point for apply, transform, invert and compose.
 *
 * <p>Every function is pure: documents and ops passed in are never mutated, and a returned document
 * shares every subtree the patch did not change with the input. All methods are thread-safe.
 */
public final class JsonPatch {
  private JsonPatch() {}

  /**
   * Applies a patch with Patches semantics (see {@link ApplyOptions} for the failure modes and
   * {@code docs/json-patch.md} for how they differ from RFC 6902). The input document is not
   * changed: containers along the changed paths are copied, everything else is shared.
   *
   * @param doc the document, or {@code null} for none (an {@code add} at {@code ""} creates one)
   * @param ops the ops, applied in order
   * @param options how failed ops are treated
   * @return the new document; the input itself when {@code ops} is empty or the patch aborted;
   *     {@code null} when the patch removed the root
   * @throws PatchApplyException in strict mode (and in RFC 6902 mode), for the first failed op
   */
  public static @Nullable JsonNode apply(
      @Nullable JsonNode doc, List<PatchOp> ops, ApplyOptions options) {
    return PatchApplier.apply(doc, ops, options);
  }

  /**
   * Applies a patch in the Patches default mode: failed ops are skipped, a failed {@code test}
   * returns {@code doc} unchanged. Same as {@code apply(doc, ops, ApplyOptions.DEFAULT)}.
   */
  public static @Nullable JsonNode apply(@Nullable JsonNode doc, List<PatchOp> ops) {
    return apply(doc, ops, ApplyOptions.DEFAULT);
  }

  /**
   * Returns the ops that undo {@code ops}: applying them to {@code apply(docBefore, ops)} gives
   * back {@code docBefore}. Each op is inverted against the document as it was just before it, so
   * ops that build on each other invert correctly; ops that changed nothing (a failed or skipped
   * op, a {@code test}) contribute nothing, and a patch whose {@code test} fails inverts to the
   * empty patch. A {@code move} inverts to a move back and an {@code @txt} edit to the inverse
   * Delta where that restores the text exactly; every other change inverts to {@code add}, {@code
   * remove} or {@code replace} at concrete array indexes.
   *
   * @param docBefore the document the patch applies to
   * @param ops the patch
   * @return the inverse patch, in the order it must be applied
   * @throws dev.patchbay.core.PatchbayException with code 400 for an op this version does not know
   */
  public static List<PatchOp> invert(@Nullable JsonNode docBefore, List<PatchOp> ops) {
    return PatchInverter.invert(docBefore, ops);
  }

  /**
   * Returns {@code ops} with runs of mergeable ops folded together: an op of kind {@code replace},
   * {@code @inc}, {@code @bit}, {@code @max}, {@code @min} or {@code @txt} that follows one of the
   * same kind at the same path (with only unrelated paths in between) is merged into it
   * ({@code @inc} values add up, {@code @txt} Deltas compose, the last {@code replace} wins, …).
   * Soft ops are never merged. The result applies to the same document as {@code ops} would.
   *
   * @param ops the patch
   * @return the composed patch
   * @throws dev.patchbay.core.PatchbayException with code 400 when {@code @txt} values to merge are
   *     not Deltas
   */
  public static List<PatchOp> compose(List<PatchOp> ops) {
    return PatchComposer.compose(ops);
  }

  /**
   * Whether no op of {@code a} can touch an op of {@code b}: no path or {@code from} of one is at,
   * above or under one of the other, and neither addresses an array element beside the other.
   * Conservative: {@code false} may still mean independent.
   */
  public static boolean independent(List<PatchOp> a, List<PatchOp> b) {
    return PatchTransformer.independent(a, b);
  }

  /**
   * Returns {@code otherOps} rewritten to apply after {@code thisOps}. With {@code obj == null}
   * (the form the sync algorithms use) a numeric last path segment is always an array index.
   *
   * @param obj the document both patches were made on, or {@code null} for the stateless form
   * @param thisOps the ops that are applied first
   * @param otherOps the ops to transform
   * @param otherOpsFirst {@code true} when advancing committed ops past a queue (later writer wins)
   */
  public static List<PatchOp> transform(
      @Nullable JsonNode obj,
      List<PatchOp> thisOps,
      List<PatchOp> otherOps,
      boolean otherOpsFirst) {
    return PatchTransformer.transform(obj, thisOps, otherOps, otherOpsFirst);
  }

  /**
   * Returns {@code otherOps} rewritten to apply after each of {@code thisPatches} in turn: the
   * stateless {@code transform(null, patch, ops, false)} once per patch, computed without the
   * intermediate text of a text edit that only concurrent text edits move.
   */
  public static List<PatchOp> transformPast(
      List<List<PatchOp>> thisPatches, List<PatchOp> otherOps) {
    return PatchTransformer.transformPast(thisPatches, otherOps);
  }

  /** Stateless transform: {@code transform(null, thisOps, otherOps, false)}. */
  public static List<PatchOp> transform(List<PatchOp> thisOps, List<PatchOp> otherOps) {
    return transform(null, thisOps, otherOps, false);
  }
}
