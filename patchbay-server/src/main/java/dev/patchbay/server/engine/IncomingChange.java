package dev.patchbay.server.engine;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.core.patch.OpType;
import dev.patchbay.core.patch.PatchOp;
import dev.patchbay.core.patch.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A change as a client sends it ({@code ChangeInput}): only {@code id} and {@code ops} are
 * required; the server fills in what is missing. Absent members are {@code null}, which matters: an
 * explicit {@code baseRev: 0} means "made on an empty document", an absent one "commit at head".
 */
public record IncomingChange(
    String id,
    @Nullable Long baseRev,
    @Nullable Long rev,
    List<PatchOp> ops,
    @Nullable Long createdAt,
    @Nullable String batchId,
    Map<String, JsonNode> metadata) {

  private static final Set<String> NAMED =
      Set.of("id", "baseRev", "rev", "ops", "createdAt", "committedAt", "batchId", "clientId");

  /** Validates and copies. */
  public IncomingChange {
    Objects.requireNonNull(id, "id");
    ops = List.copyOf(ops);
    metadata = Map.copyOf(metadata);
  }

  /**
   * Reads a change input from JSON.
   *
   * @throws PatchbayException with code 400 naming the problem
   */
  public static IncomingChange fromJson(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new PatchbayException(400, "Invalid change: expected an object");
    }
    JsonNode id = node.get("id");
    if (id == null || !id.isString() || id.stringValue().isEmpty()) {
      throw new PatchbayException(400, "Invalid change: id must be a non-empty string");
    }
    if (id.stringValue().length() > 256) {
      throw new PatchbayException(400, "Invalid change: id is longer than 256 characters");
    }
    Map<String, JsonNode> metadata = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      if (!NAMED.contains(e.getKey())) {
        metadata.put(e.getKey(), e.getValue());
      }
    }
    List<PatchOp> ops;
    try {
      ops = PatchOp.listFromJson(node.get("ops"));
      for (PatchOp op : ops) {
        validate(op);
      }
    } catch (PatchbayException e) {
      throw new PatchbayException(
          400,
          "Invalid change " + id.stringValue() + ": " + e.getMessage(),
          Json.object().put("changeId", id.stringValue()).put("scope", "change"));
    }
    return new IncomingChange(
        id.stringValue(),
        revision(node, "baseRev"),
        revision(node, "rev"),
        ops,
        revision(node, "createdAt"),
        string(node, "batchId"),
        metadata);
  }

  /** Rejects what no client could apply: unknown ops, bad pointers, missing operands. */
  private static void validate(PatchOp op) {
    if (!Paths.isPointer(op.path())) {
      throw new PatchbayException(400, "invalid JSON Pointer " + op.path());
    }
    OpType type = op.type();
    switch (type) {
      case UNKNOWN -> throw new PatchbayException(400, "unknown op " + op.op());
      case MOVE, COPY -> {
        if (op.from() == null || !Paths.isPointer(op.from())) {
          throw new PatchbayException(400, op.op() + " needs a from pointer");
        }
      }
      case REMOVE -> {}
      case INC, BIT -> {
        if (op.value() == null || !op.value().isNumber()) {
          throw new PatchbayException(400, op.op() + " needs a number value");
        }
      }
      case TXT -> {
        if (op.value() == null || !(op.value().isArray() || op.value().isObject())) {
          throw new PatchbayException(400, "@txt needs a Delta value");
        }
      }
      default -> {
        if (op.value() == null) {
          throw new PatchbayException(400, op.op() + " needs a value");
        }
      }
    }
  }

  private static @Nullable Long revision(JsonNode node, String name) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber() || v.doubleValue() < 0 || v.doubleValue() != Math.rint(v.doubleValue())) {
      throw new PatchbayException(
          400, "Invalid change: " + name + " must be a non-negative integer");
    }
    return v.longValue();
  }

  private static @Nullable String string(JsonNode node, String name) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isString()) {
      throw new PatchbayException(400, "Invalid change: " + name + " must be a string");
    }
    return v.stringValue();
  }
}
