package dev.patchbay.core.patch;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.core.text.TextOps;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Merges ops of a patch that can be folded into one ({@link JsonPatch#compose}): a later {@code
 * replace}, {@code @inc}, {@code @bit}, {@code @max}, {@code @min} or {@code @txt} at the same path
 * as an earlier op of the same kind is folded into the earlier op, as long as nothing in between
 * could have changed what that path means. Any other op ({@code add}, {@code remove}, {@code move},
 * {@code copy}, {@code test}) ends every merge, since it may shift array indexes or read the value;
 * an op above or below a path ends merging at that path.
 */
final class PatchComposer {
  private PatchComposer() {}

  static List<PatchOp> compose(List<PatchOp> ops) {
    List<PatchOp> out = new ArrayList<>(ops.size());
    Map<String, Integer> openAt = new HashMap<>();
    for (PatchOp op : ops) {
      if (!composable(op.type())) {
        openAt.clear();
        out.add(op);
        continue;
      }
      String path = op.path();
      Integer index = openAt.get(path);
      if (index != null) {
        PatchOp earlier = out.get(index);
        if (earlier.op().equals(op.op()) && earlier.soft() == op.soft()) {
          out.set(index, op.withValue(merge(op.type(), earlier.value(), op.value())));
          continue;
        }
      }
      // A write above or below this path changes what an open op there refers to.
      openAt.keySet().removeIf(p -> Paths.isUnder(p, path) || Paths.isUnder(path, p));
      out.add(op);
      openAt.put(path, out.size() - 1);
    }
    return List.copyOf(out);
  }

  private static boolean composable(OpType type) {
    switch (type) {
      case REPLACE:
      case INC:
      case BIT:
      case MAX:
      case MIN:
      case TXT:
        return true;
      default:
        return false;
    }
  }

  private static @Nullable JsonNode merge(
      OpType type, @Nullable JsonNode first, @Nullable JsonNode second) {
    switch (type) {
      case INC:
        return Js.plus(first, second);
      case BIT:
        return Json.NODES.numberNode(combineBitmasks(Js.toInt32(first), Js.toInt32(second)));
      case MAX:
        return Js.greater(first, second) ? first : second;
      case MIN:
        return Js.less(first, second) ? first : second;
      case TXT:
        if (first == null || second == null) {
          throw new PatchbayException(400, "Cannot compose @txt ops: value is not a Delta");
        }
        return TextOps.compose(first, second);
      default:
        return second;
    }
  }

  /** Two {@code @bit} masks as one: the later mask's bits win where both touch a bit. */
  static int combineBitmasks(int a, int b) {
    int aOff = (a >> 15) & 0x7fff;
    int aOn = a & 0x7fff;
    int bOff = (b >> 15) & 0x7fff;
    int bOn = b & 0x7fff;
    int on = (aOn & ~bOff) | bOn;
    int off = (aOff & ~bOn) | bOff;
    return (off << 15) | on;
  }
}
