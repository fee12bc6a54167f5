package dev.patchbay.core.patch;

import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The "initialise if absent" convention: adding an empty object or array is taken as creating a map
 * or collection that concurrent writers may also create. When two patches both add an empty
 * container of the same kind at the same path, the later add is dropped so the ops both made under
 * it merge onto the first container instead of one wiping out the other.
 */
final class SoftWrites {
  private SoftWrites() {}

  /** Returns whether {@code value} is an empty object or an empty array. */
  static boolean isEmptyContainer(@Nullable JsonNode value) {
    return value != null && (value.isObject() || value.isArray()) && value.isEmpty();
  }

  /**
   * Drops the other ops that add an empty container of the same kind as {@code value} at {@code
   * path}; everything else, including ops under the path, is kept.
   */
  static List<PatchOp> update(String path, List<PatchOp> ops, JsonNode value) {
    boolean array = value.isArray();
    return OpWalk.map(
        ops,
        (op, index, walk) -> {
          JsonNode other = op.value();
          boolean sameEmpty =
              "add".equals(op.op())
                  && op.path().equals(path)
                  && isEmptyContainer(other)
                  && other.isArray() == array;
          if (!sameEmpty) {
            walk.emit(op);
          }
        });
  }
}
