package dev.patchbay.core.patch;

import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * JSON Patch with the Patches extensions: the entry point for apply, transform, invert and compose.
 * PLACEHOLDER for apply/invert/compose: the apply helper fills them in.
 */
public final class JsonPatch {
  private JsonPatch() {}

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

  /** Stateless transform: {@code transform(null, thisOps, otherOps, false)}. */
  public static List<PatchOp> transform(List<PatchOp> thisOps, List<PatchOp> otherOps) {
    return transform(null, thisOps, otherOps, false);
  }
}
