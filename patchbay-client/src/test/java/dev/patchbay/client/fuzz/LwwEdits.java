package dev.patchbay.client.fuzz;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.patch.ApplyOptions;
import dev.patchbay.core.patch.JsonPatch;
import dev.patchbay.core.patch.PatchOp;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Random edits of a last-write-wins document, each valid against the state it is made on: the ops
 * such a document takes ({@code add}, {@code replace}, {@code remove}, {@code @inc}, {@code @bit},
 * {@code @max}, {@code @min}), on top-level fields, on keys of an object that is itself replaced
 * and removed whole (the parent and child rows of the server's per-path store), and deep paths
 * whose parents the write creates. An edit has one to three operations.
 */
final class LwwEdits {
  private final boolean nested;

  /**
   * @param nested whether edits write below top-level fields (object keys, the object replaced or
   *     removed whole, deep paths); see {@link ConvergenceFuzz.Options#lwwNested()}
   */
  LwwEdits(boolean nested) {
    this.nested = nested;
  }

  /** Returns one random edit that applies strictly to {@code state}, or an empty list. */
  List<PatchOp> edit(@Nullable JsonNode state, SplittableRandom random, String tag) {
    List<PatchOp> ops = new ArrayList<>();
    JsonNode scratch = state == null ? Json.object() : state;
    int count = 1 + (random.nextInt(4) == 0 ? 1 + random.nextInt(2) : 0);
    for (int i = 0; i < count; i++) {
      PatchOp op = op(random, tag + (i == 0 ? "" : "." + i));
      try {
        scratch = JsonPatch.apply(scratch, List.of(op), ApplyOptions.STRICT);
        ops.add(op);
      } catch (RuntimeException e) {
        // Not applicable to this state; draw on.
      }
    }
    return ops;
  }

  private PatchOp op(SplittableRandom random, String tag) {
    int kind = random.nextInt(12);
    if (!nested && kind >= 2 && kind <= 6) {
      // Top-level keys instead: replaced and removed, so LWW removes and ties are still made.
      String key = "/k" + random.nextInt(5);
      return kind == 4 ? PatchOp.remove(key) : PatchOp.replace(key, Json.NODES.stringNode(tag));
    }
    switch (kind) {
      case 0, 1:
        return PatchOp.replace("/title", Json.NODES.stringNode(tag));
      case 2, 3:
        return PatchOp.replace("/obj/k" + random.nextInt(5), Json.NODES.stringNode(tag));
      case 4:
        return PatchOp.remove("/obj/k" + random.nextInt(5));
      case 5:
        return random.nextInt(3) == 0
            ? PatchOp.remove("/obj")
            : PatchOp.replace("/obj", Json.object().put("k" + random.nextInt(5), tag));
      case 6:
        return PatchOp.replace(
            "/deep/d" + random.nextInt(3) + "/v", Json.NODES.numberNode(random.nextInt(100)));
      case 7:
        return PatchOp.of("@inc", "/n", Json.NODES.numberNode(1 + random.nextInt(3)));
      case 8:
        return PatchOp.of("@max", "/hi", Json.NODES.numberNode(random.nextInt(100)));
      case 9:
        return PatchOp.of("@min", "/lo", Json.NODES.numberNode(random.nextInt(1000)));
      case 10:
        {
          int index = random.nextInt(15);
          int mask = random.nextBoolean() ? 1 << index : 1 << (index + 15);
          return PatchOp.of("@bit", "/flags", Json.NODES.numberNode(mask));
        }
      default:
        return nested
            ? PatchOp.add("/tags/t" + random.nextInt(4), Json.NODES.booleanNode(true))
            : PatchOp.add("/t" + random.nextInt(4), Json.NODES.booleanNode(true));
    }
  }
}
