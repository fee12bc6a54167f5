package dev.patchbay.core.patch;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One JSON Patch operation as it travels on the wire: {@code {op, path, from?, value?, soft?, ts?,
 * rev?}}. The op name is kept as a string so an op this version does not know survives a round
 * trip; {@link #type()} classifies it.
 *
 * <p>A Java {@code null} {@code value} means the member is absent; a JSON null is a {@code
 * NullNode}. {@code ts} and {@code rev} are the last-write-wins stamps (client edit time, server
 * revision). Instances are immutable (the value tree is never mutated) and can be shared between
 * threads.
 *
 * @param op the operation name, for example {@code "add"} or {@code "@txt"}
 * @param path the target, an RFC 6901 JSON Pointer ({@code ""} is the root)
 * @param from the source pointer of {@code move} and {@code copy}, otherwise {@code null}
 * @param value the operand, or {@code null} when absent
 * @param soft {@code true} for an initialise-only write that never overwrites existing data
 * @param ts the last-write-wins timestamp in milliseconds, or {@code null}
 * @param rev the server revision that wrote this op (last-write-wins rows), or {@code null}
 */
public record PatchOp(
    String op,
    String path,
    @Nullable String from,
    @Nullable JsonNode value,
    boolean soft,
    @Nullable Long ts,
    @Nullable Long rev) {

  /** Validates that the op name and path are present. */
  public PatchOp {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(path, "path");
  }

  /** Returns an op with just a name, a path and a value. */
  public static PatchOp of(String op, String path, @Nullable JsonNode value) {
    return new PatchOp(op, path, null, value, false, null, null);
  }

  /** Returns an {@code add} op. */
  public static PatchOp add(String path, JsonNode value) {
    return of("add", path, value);
  }

  /** Returns a {@code replace} op. */
  public static PatchOp replace(String path, JsonNode value) {
    return of("replace", path, value);
  }

  /** Returns a {@code remove} op. */
  public static PatchOp remove(String path) {
    return of("remove", path, null);
  }

  /** Returns a {@code move} op. */
  public static PatchOp move(String from, String path) {
    return new PatchOp("move", path, from, null, false, null, null);
  }

  /** Returns a {@code copy} op. */
  public static PatchOp copy(String from, String path) {
    return new PatchOp("copy", path, from, null, false, null, null);
  }

  /** Returns the kind of this op; {@link OpType#UNKNOWN} for a name this version does not know. */
  public OpType type() {
    return OpType.of(op);
  }

  /** Returns this op with another path. */
  public PatchOp withPath(String newPath) {
    return newPath.equals(path) ? this : new PatchOp(op, newPath, from, value, soft, ts, rev);
  }

  /** Returns this op with another {@code from}. */
  public PatchOp withFrom(@Nullable String newFrom) {
    return Objects.equals(newFrom, from)
        ? this
        : new PatchOp(op, path, newFrom, value, soft, ts, rev);
  }

  /** Returns this op with another value. */
  public PatchOp withValue(@Nullable JsonNode newValue) {
    return new PatchOp(op, path, from, newValue, soft, ts, rev);
  }

  /**
   * Returns this op with another op name (for example a {@code replace} turned into an {@code
   * add}).
   */
  public PatchOp withOp(String newOp) {
    return newOp.equals(op) ? this : new PatchOp(newOp, path, from, value, soft, ts, rev);
  }

  /** Returns this op with another last-write-wins timestamp. */
  public PatchOp withTs(@Nullable Long newTs) {
    return new PatchOp(op, path, from, value, soft, newTs, rev);
  }

  /** Returns this op with another server revision. */
  public PatchOp withRev(@Nullable Long newRev) {
    return new PatchOp(op, path, from, value, soft, ts, newRev);
  }

  /**
   * Reads an op from its JSON form.
   *
   * @throws PatchbayException with code 400 when {@code node} is not an object with string {@code
   *     op} and {@code path} members
   */
  public static PatchOp fromJson(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new PatchbayException(400, "Invalid patch op: expected an object");
    }
    JsonNode op = node.get("op");
    JsonNode path = node.get("path");
    if (op == null || !op.isString() || path == null || !path.isString()) {
      throw new PatchbayException(400, "Invalid patch op: op and path must be strings");
    }
    JsonNode from = node.get("from");
    if (from != null && !from.isString() && !from.isNull()) {
      throw new PatchbayException(400, "Invalid patch op: from must be a string");
    }
    JsonNode soft = node.get("soft");
    JsonNode ts = node.get("ts");
    JsonNode rev = node.get("rev");
    return new PatchOp(
        op.stringValue(),
        path.stringValue(),
        from == null || from.isNull() ? null : from.stringValue(),
        node.get("value"),
        soft != null && soft.asBoolean(),
        ts != null && ts.isNumber() ? ts.longValue() : null,
        rev != null && rev.isNumber() ? rev.longValue() : null);
  }

  /**
   * Reads a list of ops from a JSON array.
   *
   * @throws PatchbayException with code 400 when {@code node} is not an array of ops
   */
  public static List<PatchOp> listFromJson(JsonNode node) {
    if (node == null || !node.isArray()) {
      throw new PatchbayException(400, "Invalid patch: expected an array of ops");
    }
    List<PatchOp> ops = new ArrayList<>(node.size());
    for (JsonNode child : node) {
      ops.add(fromJson(child));
    }
    return List.copyOf(ops);
  }

  /** Returns the JSON form of this op, members in wire order. */
  public ObjectNode toJson() {
    ObjectNode node = Json.object();
    node.put("op", op);
    node.put("path", path);
    if (from != null) {
      node.put("from", from);
    }
    if (value != null) {
      node.set("value", value);
    }
    if (soft) {
      node.put("soft", true);
    }
    if (ts != null) {
      node.put("ts", ts);
    }
    if (rev != null) {
      node.put("rev", rev);
    }
    return node;
  }

  /** Writes {@link #toJson()} to {@code g}, member for member, without building the tree. */
  public void writeJson(JsonGenerator g) {
    g.writeStartObject();
    g.writeStringProperty("op", op);
    g.writeStringProperty("path", path);
    if (from != null) {
      g.writeStringProperty("from", from);
    }
    if (value != null) {
      g.writeName("value");
      g.writeTree(value);
    }
    if (soft) {
      g.writeBooleanProperty("soft", true);
    }
    if (ts != null) {
      g.writeNumberProperty("ts", ts.longValue());
    }
    if (rev != null) {
      g.writeNumberProperty("rev", rev.longValue());
    }
    g.writeEndObject();
  }

  /** Returns the JSON array form of a list of ops. */
  public static ArrayNode listToJson(List<PatchOp> ops) {
    ArrayNode array = Json.array();
    for (PatchOp op : ops) {
      array.add(op.toJson());
    }
    return array;
  }

  @Override
  public String toString() {
    return Json.write(toJson());
  }
}
