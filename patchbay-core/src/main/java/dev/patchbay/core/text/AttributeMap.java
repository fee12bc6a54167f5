package dev.patchbay.core.text;

import dev.patchbay.core.json.Json;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The attribute algebra of quill-delta 5.1.0 on optional attribute maps. A JSON null value is a
 * real value here ("remove this format"); an absent key is quill's {@code undefined}. Results are
 * new nodes; the inputs are never modified.
 */
final class AttributeMap {
  private AttributeMap() {}

  /**
   * The attributes of {@code a} then {@code b} ({@code b} wins). With {@code keepNull} false the
   * nulls of {@code b} are dropped (they have nothing left to remove); nulls from {@code a} stay,
   * as in quill. Returns {@code null} when the result is empty.
   */
  static @Nullable ObjectNode compose(
      @Nullable ObjectNode a, @Nullable ObjectNode b, boolean keepNull) {
    ObjectNode result = Json.object();
    if (b != null) {
      for (Map.Entry<String, JsonNode> e : b.properties()) {
        if (keepNull || !e.getValue().isNull()) {
          result.set(e.getKey(), e.getValue());
        }
      }
    }
    if (a != null) {
      for (Map.Entry<String, JsonNode> e : a.properties()) {
        if (b == null || !b.has(e.getKey())) {
          result.set(e.getKey(), e.getValue());
        }
      }
    }
    return result.isEmpty() ? null : result;
  }

  /**
   * The attributes that turn {@code a} into {@code b}: changed values from {@code b}, removed keys
   * as null. Returns {@code null} when they are the same.
   */
  static @Nullable ObjectNode diff(@Nullable ObjectNode a, @Nullable ObjectNode b) {
    ObjectNode result = Json.object();
    if (a != null) {
      for (Map.Entry<String, JsonNode> e : a.properties()) {
        JsonNode other = b == null ? null : b.get(e.getKey());
        if (!Json.equal(e.getValue(), other)) {
          result.set(e.getKey(), other == null ? Json.NODES.nullNode() : other);
        }
      }
    }
    if (b != null) {
      for (Map.Entry<String, JsonNode> e : b.properties()) {
        JsonNode mine = a == null ? null : a.get(e.getKey());
        if (mine == null) {
          result.set(e.getKey(), e.getValue());
        }
      }
    }
    return result.isEmpty() ? null : result;
  }

  /**
   * The attributes that undo {@code attr} applied over {@code base}: base values for the keys
   * {@code attr} changed, null for keys {@code attr} added. Never {@code null}; may be empty.
   */
  static ObjectNode invert(@Nullable ObjectNode attr, @Nullable ObjectNode base) {
    ObjectNode result = Json.object();
    if (base != null) {
      for (Map.Entry<String, JsonNode> e : base.properties()) {
        JsonNode mine = attr == null ? null : attr.get(e.getKey());
        if (mine != null && !strictEquals(e.getValue(), mine)) {
          result.set(e.getKey(), e.getValue());
        }
      }
    }
    if (attr != null) {
      for (Map.Entry<String, JsonNode> e : attr.properties()) {
        if (base == null || !base.has(e.getKey())) {
          result.set(e.getKey(), Json.NODES.nullNode());
        }
      }
    }
    return result;
  }

  /**
   * {@code b} transformed against {@code a}: without priority {@code b} simply wins; with priority
   * only the keys {@code a} did not set survive. Returns {@code null} when nothing is left.
   */
  static @Nullable ObjectNode transform(
      @Nullable ObjectNode a, @Nullable ObjectNode b, boolean priority) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return null;
    }
    if (!priority) {
      return b;
    }
    ObjectNode result = Json.object();
    for (Map.Entry<String, JsonNode> e : b.properties()) {
      if (!a.has(e.getKey())) {
        result.set(e.getKey(), e.getValue());
      }
    }
    return result.isEmpty() ? null : result;
  }

  // JavaScript's ===: primitives compare by value; two objects or arrays are never the same one
  // here, because attribute maps from different ops are always different objects in quill.
  private static boolean strictEquals(JsonNode a, JsonNode b) {
    if (a.isContainer() || b.isContainer()) {
      return false;
    }
    return Json.equal(a, b);
  }
}
