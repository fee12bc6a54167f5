package dev.patchbay.loadgen;

import dev.patchbay.core.json.Json;
import java.util.Set;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads a received frame into a tree without the members no workload reads: a change's stamps
 * ({@code baseRev}, {@code createdAt}, {@code committedAt}, {@code clientId}, {@code batchId}),
 * {@code jsonrpc}, and the array value of an op (a text delta). A driver that builds a full tree of
 * every frame spends most of its CPU there, CPU the server under test then lacks: skipping still
 * tokenises every byte, but builds no node, map entry or string for what it skips. Answers' changes
 * are read without their {@code ops} (no workload reads them: an answer's catch-up only moves the
 * client's revision; commit answers are not even read here, see {@link AnswerScan}). Everything
 * else, answers' errors and documents included, is read as {@link Json#MAPPER} would.
 */
final class Skim {
  private static final JsonNodeFactory NODES = Json.NODES;
  private static final Set<String> SKIPPED =
      Set.of("jsonrpc", "baseRev", "createdAt", "committedAt", "clientId", "batchId");

  private Skim() {}

  /** Reads one JSON text. */
  static JsonNode read(byte[] utf8) {
    try (JsonParser p = Json.MAPPER.createParser(utf8)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw new IllegalArgumentException("empty frame");
      }
      if (first != JsonToken.START_OBJECT) {
        return value(p, first, Ops.KEEP);
      }
      // The top level: what a member's ops are skipped under depends on the member.
      ObjectNode frame = NODES.objectNode();
      for (JsonToken t = p.nextToken(); t == JsonToken.PROPERTY_NAME; t = p.nextToken()) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (name.equals("jsonrpc")) {
          p.skipChildren();
          continue;
        }
        frame.set(name, value(p, v, name.equals("result") ? Ops.SKIP_IN_CHANGES : Ops.KEEP));
      }
      return frame;
    }
  }

  /**
   * Where ops are skipped: nowhere, in the {@code changes} member of this object, or in the change
   * objects of this array.
   */
  private enum Ops {
    KEEP,
    SKIP_IN_CHANGES,
    SKIP
  }

  private static JsonNode value(JsonParser p, JsonToken t, Ops ops) {
    switch (t) {
      case START_OBJECT:
        return object(p, ops);
      case START_ARRAY:
        {
          ArrayNode array = NODES.arrayNode();
          Ops items = ops == Ops.SKIP ? Ops.SKIP : Ops.KEEP;
          for (JsonToken x = p.nextToken(); x != JsonToken.END_ARRAY; x = p.nextToken()) {
            array.add(value(p, x, items));
          }
          return array;
        }
      case VALUE_STRING:
        return NODES.stringNode(p.getString());
      case VALUE_NUMBER_INT:
        return p.getNumberType() == JsonParser.NumberType.INT
            ? NODES.numberNode(p.getIntValue())
            : NODES.numberNode(p.getLongValue());
      case VALUE_NUMBER_FLOAT:
        return NODES.numberNode(p.getDoubleValue());
      case VALUE_TRUE:
        return NODES.booleanNode(true);
      case VALUE_FALSE:
        return NODES.booleanNode(false);
      case VALUE_NULL:
        return NODES.nullNode();
      default:
        throw new IllegalArgumentException("unexpected token " + t);
    }
  }

  private static ObjectNode object(JsonParser p, Ops ops) {
    ObjectNode object = NODES.objectNode();
    boolean isOp = false;
    for (JsonToken t = p.nextToken(); t == JsonToken.PROPERTY_NAME; t = p.nextToken()) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      if (SKIPPED.contains(name)
          || (isOp && v == JsonToken.START_ARRAY && name.equals("value"))
          || (ops == Ops.SKIP && v == JsonToken.START_ARRAY && name.equals("ops"))) {
        p.skipChildren();
        continue;
      }
      if (name.equals("op")) {
        isOp = true;
      }
      Ops member = ops == Ops.SKIP_IN_CHANGES && name.equals("changes") ? Ops.SKIP : Ops.KEEP;
      object.set(name, value(p, v, member));
    }
    return object;
  }
}
