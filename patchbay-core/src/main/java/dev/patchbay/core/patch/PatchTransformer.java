package dev.patchbay.core.patch;

import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** The OT transform of JSON patches. PLACEHOLDER: the transform helper replaces the body. */
final class PatchTransformer {
  private PatchTransformer() {}

  static List<PatchOp> transform(
      @Nullable JsonNode obj,
      List<PatchOp> thisOps,
      List<PatchOp> otherOps,
      boolean otherOpsFirst) {
    throw new UnsupportedOperationException("transform not implemented yet");
  }
}
