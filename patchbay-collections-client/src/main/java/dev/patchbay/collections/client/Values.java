package dev.patchbay.collections.client;

import dev.patchbay.core.json.Json;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** Dotted-path lookup, comparison and text rules shared by query filters and sorts. */
final class Values {
  private Values() {}

  /** The value at a dotted path, or null when a step is missing, JSON null or not an object. */
  static @Nullable JsonNode at(JsonNode data, String path) {
    JsonNode current = data;
    int start = 0;
    while (true) {
      int dot = path.indexOf('.', start);
      String part = dot < 0 ? path.substring(start) : path.substring(start, dot);
      if (!current.isObject()) {
        return null;
      }
      current = current.get(part);
      if (current == null || current.isNull()) {
        return null;
      }
      if (dot < 0) {
        return current;
      }
      start = dot + 1;
    }
  }

  /**
   * SyncLayer's ordering: numbers by value, strings lexicographically, booleans false &lt; true,
   * anything else (mixed types, objects, arrays) by its text.
   */
  static int compare(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      if (a.isIntegralNumber()
          && b.isIntegralNumber()
          && a.canConvertToLong()
          && b.canConvertToLong()) {
        return Long.compare(a.longValue(), b.longValue());
      }
      return Double.compare(a.doubleValue(), b.doubleValue());
    }
    if (a.isString() && b.isString()) {
      return a.stringValue().compareTo(b.stringValue());
    }
    if (a.isBoolean() && b.isBoolean()) {
      return Boolean.compare(a.booleanValue(), b.booleanValue());
    }
    return text(a).compareTo(text(b));
  }

  /** A value as text: a string's own characters, otherwise its JSON. */
  static String text(JsonNode value) {
    return value.isString() ? value.stringValue() : Json.write(value);
  }

  static boolean equal(@Nullable JsonNode a, @Nullable JsonNode b) {
    return Json.equal(a, b);
  }
}
