package dev.patchbay.core.ot;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.patch.PatchOp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Builders and a plain-text Delta replayer shared by the batching tests. */
final class BatchingFixtures {
  private BatchingFixtures() {}

  static Change change(String id, long rev, long baseRev, List<PatchOp> ops) {
    return Change.of(id, baseRev, rev, ops, 0);
  }

  static Change change(long rev, List<PatchOp> ops) {
    return change("change-" + rev, rev, 0, ops);
  }

  static PatchOp op(String op, String path, JsonNode value) {
    return PatchOp.of(op, path, value);
  }

  static JsonNode json(String text) {
    return Json.parse(text);
  }

  static String repeat(char c, int n) {
    return String.valueOf(c).repeat(n);
  }

  /** Text that resists compression: uniform draws from a wide CJK alphabet. */
  static String highEntropyText(int length, long seed) {
    Random random = new Random(seed);
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append((char) (0x4e00 + random.nextInt(2000)));
    }
    return sb.toString();
  }

  /** The same in the astral plane: every character is a surrogate pair. */
  static String astralText(int codePoints, long seed) {
    Random random = new Random(seed);
    StringBuilder sb = new StringBuilder(codePoints * 2);
    for (int i = 0; i < codePoints; i++) {
      sb.appendCodePoint(0x1f000 + random.nextInt(2000));
    }
    return sb.toString();
  }

  static ObjectNode insert(String text) {
    ObjectNode op = Json.object();
    op.put("insert", text);
    return op;
  }

  static ObjectNode retain(long n) {
    ObjectNode op = Json.object();
    op.put("retain", n);
    return op;
  }

  static ObjectNode delete(long n) {
    ObjectNode op = Json.object();
    op.put("delete", n);
    return op;
  }

  static ArrayNode delta(JsonNode... ops) {
    ArrayNode array = Json.array();
    for (JsonNode op : ops) {
      array.add(op);
    }
    return array;
  }

  /** A JSON-size-proportional calculator, like a fixed compression-ratio estimate. */
  static SizeCalculator ratio(double factor) {
    return json -> ChangeBatching.jsonByteSize(json) * factor;
  }

  /** Returns whether a string has a surrogate that is not part of a pair. */
  static boolean hasLoneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return true;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A document as a list of units (a UTF-16 code unit of text, or one embed), each with its
   * attributes: enough to replay text deltas the way composing them onto a document does.
   */
  static final class Doc {
    final List<JsonNode> units = new ArrayList<>();
    final List<Map<String, JsonNode>> attributes = new ArrayList<>();

    static Doc of(String text) {
      Doc doc = new Doc();
      for (int i = 0; i < text.length(); i++) {
        doc.units.add(Json.NODES.stringNode(String.valueOf(text.charAt(i))));
        doc.attributes.add(Map.of());
      }
      return doc;
    }

    Doc apply(JsonNode delta) {
      Doc out = new Doc();
      int cursor = 0;
      for (JsonNode op : delta) {
        Map<String, JsonNode> attrs = attributesOf(op.get("attributes"));
        if (op.has("insert")) {
          JsonNode insert = op.get("insert");
          if (insert.isString()) {
            String text = insert.stringValue();
            for (int i = 0; i < text.length(); i++) {
              out.units.add(Json.NODES.stringNode(String.valueOf(text.charAt(i))));
              out.attributes.add(attrs);
            }
          } else {
            out.units.add(insert);
            out.attributes.add(attrs);
          }
        } else if (op.has("retain")) {
          long n = op.get("retain").longValue();
          for (long i = 0; i < n; i++, cursor++) {
            out.units.add(units.get(cursor));
            Map<String, JsonNode> merged = new LinkedHashMap<>(attributes.get(cursor));
            merged.putAll(attrs);
            out.attributes.add(merged);
          }
        } else if (op.has("delete")) {
          cursor += op.get("delete").intValue();
        }
      }
      for (; cursor < units.size(); cursor++) {
        out.units.add(units.get(cursor));
        out.attributes.add(attributes.get(cursor));
      }
      return out;
    }

    private static Map<String, JsonNode> attributesOf(JsonNode attrs) {
      if (attrs == null || !attrs.isObject()) {
        return Map.of();
      }
      Map<String, JsonNode> map = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : attrs.properties()) {
        map.put(e.getKey(), e.getValue());
      }
      return map;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Doc d && units.equals(d.units) && attributes.equals(d.attributes);
    }

    @Override
    public int hashCode() {
      return units.hashCode();
    }

    @Override
    public String toString() {
      return units.size() + " units";
    }
  }
}
