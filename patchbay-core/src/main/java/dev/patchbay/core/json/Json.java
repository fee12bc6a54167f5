package dev.patchbay.core.json;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSON helpers shared by every module: the one mapper, equality with JavaScript semantics, and
 * shallow copies for copy-on-write updates.
 *
 * <p>Patchbay treats every {@link JsonNode} it receives or returns as immutable: no function in
 * core mutates a node it was given. Code that builds a new tree copies the containers along the
 * path it changes ({@link #shallowCopy(ObjectNode)}) and shares everything else.
 */
public final class Json {
  /** The shared mapper. Immutable and thread-safe. */
  public static final JsonMapper MAPPER = JsonMapper.builder().build();

  /** The shared node factory. */
  public static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Json() {}

  /**
   * Parses JSON text into a tree.
   *
   * @throws JacksonException when the text is not valid JSON
   */
  public static JsonNode parse(String text) {
    return MAPPER.readTree(text);
  }

  /** Writes a tree as compact JSON text. */
  public static String write(JsonNode node) {
    if (node.isInt() || node.isLong()) {
      return Long.toString(node.longValue()); // request ids: no mapper round for a number
    }
    if (node.isString()) {
      return quote(node.stringValue());
    }
    return MAPPER.writeValueAsString(node);
  }

  /**
   * Returns {@code text} as a JSON string, exactly as {@link #write} writes a string node.
   * Printable ASCII without quotes or backslashes (document ids, request ids) is only wrapped in
   * quotes; the mapper writes everything else.
   */
  public static String quote(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        return MAPPER.writeValueAsString(NODES.stringNode(text));
      }
    }
    return '"' + text + '"';
  }

  /** Returns a new empty object node. */
  public static ObjectNode object() {
    return NODES.objectNode();
  }

  /** Returns a new empty array node. */
  public static ArrayNode array() {
    return NODES.arrayNode();
  }

  /**
   * Returns a number node for a JavaScript number: integral values within the long range become
   * integer nodes, so they are written as {@code 2} and not {@code 2.0}, as JavaScript writes them.
   */
  public static JsonNode number(double value) {
    if (value == Math.rint(value)
        && !Double.isInfinite(value)
        && Math.abs(value) < 9.007199254740992E15) {
      long l = (long) value;
      if (l == (int) l) {
        return NODES.numberNode((int) l);
      }
      return NODES.numberNode(l);
    }
    return NODES.numberNode(value);
  }

  /** Returns a new object node holding the same properties as {@code node} (children shared). */
  public static ObjectNode shallowCopy(ObjectNode node) {
    Map<String, JsonNode> copy = new LinkedHashMap<>(Math.max(4, node.size() * 2));
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      copy.put(e.getKey(), e.getValue());
    }
    return new ObjectNode(NODES, copy);
  }

  /** Returns a new array node holding the same elements as {@code node} (children shared). */
  public static ArrayNode shallowCopy(ArrayNode node) {
    ArrayList<JsonNode> copy = new ArrayList<>(node.size() + 4);
    for (JsonNode child : node) {
      copy.add(child);
    }
    return new ArrayNode(NODES, copy);
  }

  /**
   * Deep equality with JavaScript semantics: numbers compare by value ({@code 1 == 1.0}), object
   * keys in any order, arrays in order. A Java {@code null} (an absent value) equals only another
   * Java {@code null} or a missing node.
   */
  public static boolean equal(@Nullable JsonNode a, @Nullable JsonNode b) {
    if (a == b) {
      return true;
    }
    boolean aAbsent = a == null || a.isMissingNode();
    boolean bAbsent = b == null || b.isMissingNode();
    if (aAbsent || bAbsent) {
      return aAbsent && bAbsent;
    }
    if (a.isNumber() && b.isNumber()) {
      if (a.isIntegralNumber()
          && b.isIntegralNumber()
          && a.canConvertToLong()
          && b.canConvertToLong()) {
        return a.longValue() == b.longValue();
      }
      return a.doubleValue() == b.doubleValue();
    }
    if (a.getNodeType() != b.getNodeType()) {
      return false;
    }
    if (a.isArray()) {
      if (a.size() != b.size()) {
        return false;
      }
      Iterator<JsonNode> ia = a.iterator();
      Iterator<JsonNode> ib = b.iterator();
      while (ia.hasNext()) {
        if (!equal(ia.next(), ib.next())) {
          return false;
        }
      }
      return true;
    }
    if (a.isObject()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (Map.Entry<String, JsonNode> e : a.properties()) {
        JsonNode other = b.get(e.getKey());
        if (other == null || !equal(e.getValue(), other)) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  /**
   * JavaScript truthiness ({@code Boolean(value)}) of a JSON value: false for an absent value
   * ({@code null} or missing, JavaScript's undefined), JSON null, false, 0, NaN and the empty
   * string; true for everything else, empty objects and arrays included.
   */
  public static boolean truthy(@Nullable JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return false;
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isNumber()) {
      double d = node.doubleValue();
      return d != 0 && !Double.isNaN(d);
    }
    if (node.isString()) {
      return !node.stringValue().isEmpty();
    }
    return true;
  }
}
