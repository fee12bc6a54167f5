package dev.patchbay.core.text;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One Delta op: an insert (text or embed object), a retain (count or embed object) or a delete.
 *
 * <p>The shapes mirror quill-delta's JSON ops so a Delta read from the wire is written back the
 * same way: empty attribute maps and zero-length ops are kept as given, because quill keeps them
 * too and some of its results depend on them. Instances are immutable; the attribute and embed
 * nodes are shared and never mutated.
 */
final class Op {
  /** The length an exhausted iterator reports: quill's {@code Infinity}. */
  static final int INFINITE = Integer.MAX_VALUE;

  /** The largest count accepted from JSON; leaves room below {@link #INFINITE}. */
  private static final double MAX_COUNT = Integer.MAX_VALUE - 1;

  enum Kind {
    INSERT,
    RETAIN,
    DELETE
  }

  final Kind kind;
  final @Nullable String text;
  final @Nullable ObjectNode embed;
  final int count;
  final @Nullable ObjectNode attributes;

  private Op(
      Kind kind,
      @Nullable String text,
      @Nullable ObjectNode embed,
      int count,
      @Nullable ObjectNode attributes) {
    this.kind = kind;
    this.text = text;
    this.embed = embed;
    this.count = count;
    this.attributes = attributes;
  }

  static Op insert(String text, @Nullable ObjectNode attributes) {
    return new Op(Kind.INSERT, text, null, 0, attributes);
  }

  static Op insertEmbed(ObjectNode embed, @Nullable ObjectNode attributes) {
    return new Op(Kind.INSERT, null, embed, 0, attributes);
  }

  static Op retain(int count, @Nullable ObjectNode attributes) {
    return new Op(Kind.RETAIN, null, null, count, attributes);
  }

  static Op retainEmbed(ObjectNode embed, @Nullable ObjectNode attributes) {
    return new Op(Kind.RETAIN, null, embed, 0, attributes);
  }

  static Op delete(int count) {
    return new Op(Kind.DELETE, null, null, count, null);
  }

  boolean isInsert() {
    return kind == Kind.INSERT;
  }

  boolean isTextInsert() {
    return kind == Kind.INSERT && text != null;
  }

  boolean isDelete() {
    return kind == Kind.DELETE;
  }

  boolean isRetain() {
    return kind == Kind.RETAIN;
  }

  /** A retain of a count (quill: {@code typeof op.retain === 'number'}). */
  boolean isCountRetain() {
    return kind == Kind.RETAIN && embed == null;
  }

  /** A retain of an embed object (quill 5: {@code typeof op.retain === 'object'}). */
  boolean isEmbedRetain() {
    return kind == Kind.RETAIN && embed != null;
  }

  /** The insert or retain payload as quill sees it: the text, the embed object, or the count. */
  int length() {
    switch (kind) {
      case DELETE:
        return count;
      case RETAIN:
        return embed == null ? count : 1;
      default:
        return text != null ? text.length() : 1;
    }
  }

  /** Returns this op with other attributes (same payload). */
  Op withAttributes(@Nullable ObjectNode attrs) {
    return new Op(kind, text, embed, count, attrs);
  }

  ObjectNode toJson() {
    // Sized for the two members an op has at most: a walk makes one of these per op per step, and
    // the default map's 16-slot table was the largest allocation of the text transform.
    ObjectNode node = new ObjectNode(Json.NODES, new LinkedHashMap<>(4));
    switch (kind) {
      case DELETE:
        node.put("delete", count);
        break;
      case RETAIN:
        if (embed != null) {
          node.set("retain", embed);
        } else {
          node.put("retain", count);
        }
        break;
      default:
        if (text != null) {
          node.put("insert", text);
        } else {
          node.set("insert", embed);
        }
    }
    if (attributes != null) {
      node.set("attributes", attributes);
    }
    return node;
  }

  /**
   * Reads one op the way quill classifies it: a numeric {@code delete} wins, then a numeric or
   * object {@code retain}, then {@code insert}.
   *
   * @throws PatchbayException (400) for anything that is not a well-formed op
   */
  static Op fromJson(JsonNode node) {
    if (!node.isObject()) {
      throw invalid("an op must be an object: " + Json.write(node));
    }
    ObjectNode attributes = readAttributes(node);
    JsonNode delete = node.get("delete");
    if (delete != null && delete.isNumber()) {
      return delete(readCount(delete, node));
    }
    JsonNode retain = node.get("retain");
    if (retain != null && retain.isNumber()) {
      return retain(readCount(retain, node), attributes);
    }
    if (retain != null && retain.isObject()) {
      return retainEmbed((ObjectNode) retain, attributes);
    }
    JsonNode insert = node.get("insert");
    if (insert != null && insert.isString()) {
      return insert(insert.stringValue(), attributes);
    }
    if (insert != null && insert.isObject()) {
      return insertEmbed((ObjectNode) insert, attributes);
    }
    throw invalid("not an insert, retain or delete op: " + Json.write(node));
  }

  private static @Nullable ObjectNode readAttributes(JsonNode node) {
    JsonNode attributes = node.get("attributes");
    if (attributes == null || attributes.isNull()) {
      return null;
    }
    if (!attributes.isObject()) {
      throw invalid("attributes must be an object: " + Json.write(node));
    }
    return (ObjectNode) attributes;
  }

  private static int readCount(JsonNode value, JsonNode node) {
    double d = value.doubleValue();
    if (!(d >= 0) || d > MAX_COUNT || d != Math.rint(d)) {
      throw invalid("a length must be a non-negative integer: " + Json.write(node));
    }
    return (int) d;
  }

  static PatchbayException invalid(String message) {
    return new PatchbayException(400, "Invalid delta: " + message);
  }

  /** Adds two lengths, failing instead of wrapping around. */
  static int add(int a, int b) {
    long sum = (long) a + b;
    if (sum >= INFINITE) {
      throw new PatchbayException(400, "Invalid delta: length overflow");
    }
    return (int) sum;
  }

  /** lodash {@code isEqual} on two optional attribute maps: absent equals only absent. */
  static boolean sameAttributes(@Nullable ObjectNode a, @Nullable ObjectNode b) {
    if (a == null || b == null) {
      return a == b;
    }
    return Json.equal(a, b);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Op)) {
      return false;
    }
    Op other = (Op) o;
    return kind == other.kind
        && count == other.count
        && Objects.equals(text, other.text)
        && sameAttributes(embed, other.embed)
        && sameAttributes(attributes, other.attributes);
  }

  @Override
  public int hashCode() {
    // Attribute and embed values hash by their keys only: Json.equal treats 1 and 1.0 as equal,
    // the nodes' own hash codes do not.
    return Objects.hash(kind, count, text, keysHash(embed), keysHash(attributes));
  }

  private static int keysHash(@Nullable ObjectNode node) {
    if (node == null) {
      return -1;
    }
    int h = 0;
    for (Iterator<String> it = node.propertyNames().iterator(); it.hasNext(); ) {
      h += it.next().hashCode();
    }
    return h;
  }

  @Override
  public String toString() {
    return Json.write(toJson());
  }
}
