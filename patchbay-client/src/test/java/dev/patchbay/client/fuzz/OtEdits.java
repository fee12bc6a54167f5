package dev.patchbay.client.fuzz;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.patch.ApplyOptions;
import dev.patchbay.core.patch.JsonPatch;
import dev.patchbay.core.patch.PatchOp;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Random edits of an OT document, each valid against the state it is made on: array inserts,
 * replaces, removes, moves and copies at explicit indexes (and {@code /-} appends when enabled),
 * edits inside array elements, object keys added, replaced, removed and moved into and out of the
 * array, {@code @txt} inserts and deletes, {@code @inc}, {@code @max}, {@code @min} and
 * {@code @bit}. An edit has one to three operations.
 */
final class OtEdits {
  private static final int MAX_ITEMS = 12;
  private static final int MAX_TEXT = 60;

  private final boolean appends;

  /**
   * @param appends whether {@code add /items/-} appends are among the edits
   */
  OtEdits(boolean appends) {
    this.appends = appends;
  }

  /** The operations that create the document every client then edits. */
  static List<PatchOp> seed() {
    ArrayNode items = Json.array().add("a").add("b");
    items.addObject().put("v", "c");
    ObjectNode obj = Json.object().put("k0", "x");
    ObjectNode body = Json.object();
    body.putArray("ops").addObject().put("insert", "seed\n");
    return List.of(
        PatchOp.add("/title", Json.NODES.stringNode("t")),
        PatchOp.add("/items", items),
        PatchOp.add("/obj", obj),
        PatchOp.add("/body", body),
        PatchOp.add("/n", Json.NODES.numberNode(0)),
        PatchOp.add("/hi", Json.NODES.numberNode(0)),
        PatchOp.add("/lo", Json.NODES.numberNode(1000)),
        PatchOp.add("/flags", Json.NODES.numberNode(0)));
  }

  /**
   * Returns one random edit that applies strictly to {@code state}, or an empty list when none of
   * the drawn operations applied (the state lacks what they need).
   */
  List<PatchOp> edit(@Nullable JsonNode state, SplittableRandom random, String tag) {
    List<PatchOp> ops = new ArrayList<>();
    JsonNode scratch = state;
    int count = 1 + (random.nextInt(4) == 0 ? 1 + random.nextInt(2) : 0);
    for (int i = 0; i < count && scratch != null; i++) {
      PatchOp op = op(scratch, random, tag + (i == 0 ? "" : "." + i));
      if (op == null) {
        continue;
      }
      try {
        scratch = JsonPatch.apply(scratch, List.of(op), ApplyOptions.STRICT);
        ops.add(op);
      } catch (RuntimeException e) {
        // Not applicable to this state (e.g. the field was removed by a move); draw on.
      }
    }
    return ops;
  }

  private @Nullable PatchOp op(JsonNode state, SplittableRandom random, String tag) {
    JsonNode items = state.path("items");
    int size = items.isArray() ? items.size() : -1;
    JsonNode obj = state.path("obj");
    List<String> keys = new ArrayList<>();
    if (obj.isObject()) {
      for (Iterator<String> it = obj.propertyNames().iterator(); it.hasNext(); ) {
        keys.add(it.next());
      }
    }
    int textLength = textLength(state.path("body"));
    switch (random.nextInt(20)) {
      case 0, 1:
        if (size < 0 || size >= MAX_ITEMS) {
          return size > 0 ? PatchOp.remove("/items/" + random.nextInt(size)) : null;
        }
        if (appends && random.nextInt(3) == 0) {
          return PatchOp.add("/items/-", value(random, tag));
        }
        return PatchOp.add("/items/" + random.nextInt(size + 1), value(random, tag));
      case 2:
        return size > 0
            ? PatchOp.replace("/items/" + random.nextInt(size), value(random, tag))
            : null;
      case 3:
        return size > 0 ? PatchOp.remove("/items/" + random.nextInt(size)) : null;
      case 4:
        return size > 1
            ? PatchOp.move("/items/" + random.nextInt(size), "/items/" + random.nextInt(size))
            : null;
      case 5:
        return size > 0 && size < MAX_ITEMS
            ? PatchOp.copy("/items/" + random.nextInt(size), "/items/" + random.nextInt(size + 1))
            : null;
      case 6:
        {
          if (size <= 0) {
            return null;
          }
          int i = random.nextInt(size);
          return items.get(i).isObject()
              ? PatchOp.replace("/items/" + i + "/v", Json.NODES.stringNode(tag))
              : null;
        }
      case 7:
        return keys.size() < 6
            ? PatchOp.add("/obj/k" + random.nextInt(8), Json.NODES.stringNode(tag))
            : null;
      case 8:
        return keys.isEmpty()
            ? null
            : random.nextBoolean()
                ? PatchOp.remove("/obj/" + keys.get(random.nextInt(keys.size())))
                : PatchOp.replace(
                    "/obj/" + keys.get(random.nextInt(keys.size())), Json.NODES.stringNode(tag));
      case 9:
        if (random.nextBoolean()) {
          return keys.isEmpty() || size < 0 || size >= MAX_ITEMS
              ? null
              : PatchOp.move(
                  "/obj/" + keys.get(random.nextInt(keys.size())),
                  "/items/" + random.nextInt(size + 1));
        }
        return size > 0 && obj.isObject()
            ? PatchOp.move("/items/" + random.nextInt(size), "/obj/k" + random.nextInt(8))
            : null;
      case 10:
        return PatchOp.replace("/title", Json.NODES.stringNode(tag));
      case 11, 12, 13:
        {
          if (textLength <= 0) {
            return null;
          }
          // Keep the final newline: edits stay inside the text, as an editor makes them.
          int at = random.nextInt(textLength);
          ArrayNode delta = Json.array();
          if (at > 0) {
            delta.addObject().put("retain", at);
          }
          if (textLength > MAX_TEXT || random.nextInt(3) == 0) {
            if (at >= textLength - 1) {
              return null;
            }
            delta.addObject().put("delete", Math.min(1 + random.nextInt(3), textLength - 1 - at));
          } else {
            delta.addObject().put("insert", tag);
          }
          return PatchOp.of("@txt", "/body", delta);
        }
      case 14, 15:
        return PatchOp.of("@inc", "/n", Json.NODES.numberNode(1 + random.nextInt(3)));
      case 16:
        return PatchOp.of("@max", "/hi", Json.NODES.numberNode(random.nextInt(100)));
      case 17:
        return PatchOp.of("@min", "/lo", Json.NODES.numberNode(random.nextInt(1000)));
      case 18:
        {
          int index = random.nextInt(15);
          boolean on = random.nextBoolean();
          int mask = on ? 1 << index : 1 << (index + 15);
          return PatchOp.of("@bit", "/flags", Json.NODES.numberNode(mask));
        }
      default:
        return size > 0 ? PatchOp.remove("/items/" + random.nextInt(size)) : null;
    }
  }

  private static JsonNode value(SplittableRandom random, String tag) {
    return random.nextBoolean() ? Json.NODES.stringNode(tag) : Json.object().put("v", tag);
  }

  /** Returns the length of the text value at {@code body}, or -1 when it is not a text. */
  static int textLength(JsonNode body) {
    JsonNode ops = body.path("ops");
    if (!ops.isArray()) {
      return -1;
    }
    int length = 0;
    for (JsonNode op : ops) {
      JsonNode insert = op.path("insert");
      length += insert.isString() ? insert.stringValue().length() : 1;
    }
    return length;
  }
}
