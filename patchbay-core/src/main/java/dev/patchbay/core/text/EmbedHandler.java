package dev.patchbay.core.text;

import tools.jackson.databind.JsonNode;

/**
 * How quill-delta 5 combines an embed retain ({@code {"retain": {"type": data}}}) with the embed it
 * meets. Patches registers no handler, so the public Delta operations run with none and reject such
 * combinations the way quill does; tests plug handlers in through the package-private overloads.
 */
interface EmbedHandler {
  /**
   * Composes two embed payloads; {@code keepNull} as for attributes (b is a retain of a retain).
   */
  JsonNode compose(JsonNode a, JsonNode b, boolean keepNull);

  /** Returns the payload that undoes {@code a} applied over {@code base}. */
  JsonNode invert(JsonNode a, JsonNode base);

  /** Returns {@code b} transformed against {@code a}. */
  JsonNode transform(JsonNode a, JsonNode b, boolean priority);
}
