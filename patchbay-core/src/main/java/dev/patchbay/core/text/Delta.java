package dev.patchbay.core.text;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A rich-text Delta with the semantics of quill-delta 5.1.0, which the Patches {@code @txt} op is
 * built on: a list of ops, each an insert (text or an embed object), a retain (a count, or an embed
 * object as in quill 5) or a delete, inserts and retains with optional attributes.
 *
 * <p>A Delta is either a document (inserts only) or a change to one. {@link #compose}, {@link
 * #transform} and {@link #invert} produce exactly what quill produces, including its shortcuts
 * (trailing plain retains are chopped, ops read from JSON are kept as given where quill keeps
 * them), because clients and server must converge on identical text. Build one with {@link
 * #builder()} (which merges and orders ops as quill's {@code push} does) or read one with {@link
 * #fromJson}.
 *
 * <p>Instances are immutable and can be shared between threads. Two Deltas are equal when their ops
 * are equal as JSON.
 */
public final class Delta {
  private static final Delta EMPTY = new Delta(List.of());
  private static final Map<String, EmbedHandler> NO_HANDLERS = Map.of();

  private final List<Op> ops;

  private Delta(List<Op> ops) {
    this.ops = ops;
  }

  /** Returns the empty Delta (no ops). */
  public static Delta empty() {
    return EMPTY;
  }

  /** Returns a new builder that appends ops with quill's merge and ordering rules. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads a Delta from an ops array or a {@code {"ops":[…]}} object. The ops are kept as given (not
   * merged), as quill's constructor does.
   *
   * @throws PatchbayException (400) when the value is neither, or an op is malformed (not an insert
   *     of a string or object, a retain of a non-negative integer or object, or a delete of a
   *     non-negative integer)
   */
  public static Delta fromJson(JsonNode json) {
    JsonNode array = json;
    if (json.isObject() && json.get("ops") != null && json.get("ops").isArray()) {
      array = json.get("ops");
    }
    if (!array.isArray()) {
      throw Op.invalid("expected an ops array or {\"ops\":[...]}");
    }
    if (array.isEmpty()) {
      return EMPTY;
    }
    List<Op> ops = new ArrayList<>(array.size());
    for (JsonNode op : array) {
      ops.add(Op.fromJson(op));
    }
    return new Delta(List.copyOf(ops));
  }

  /** Returns the ops array (a new array; the op objects must be treated as immutable). */
  public ArrayNode toJson() {
    ArrayNode array = Json.array();
    for (Op op : ops) {
      array.add(op.toJson());
    }
    return array;
  }

  /** Returns the stored form of a text document: {@code {"ops":[…]}}. */
  public ObjectNode toDocumentJson() {
    ObjectNode node = Json.object();
    node.set("ops", toJson());
    return node;
  }

  /** Returns {@code true} when this Delta has no ops. */
  public boolean isEmpty() {
    return ops.isEmpty();
  }

  /** Returns {@code true} when every op is an insert, that is when this Delta is a document. */
  public boolean isDocument() {
    for (Op op : ops) {
      if (!op.isInsert()) {
        return false;
      }
    }
    return true;
  }

  /** Returns the number of ops. */
  public int size() {
    return ops.size();
  }

  List<Op> ops() {
    return ops;
  }

  /**
   * Returns the length of this Delta: text inserts count their UTF-16 code units, embeds one,
   * retains and deletes their count (an embed retain one).
   */
  public int length() {
    int length = 0;
    for (Op op : ops) {
      length = Op.add(length, op.length());
    }
    return length;
  }

  /** Returns how much longer this change makes a document: inserted minus deleted length. */
  public int changeLength() {
    int length = 0;
    for (Op op : ops) {
      if (op.isInsert() && op.length() > 0) {
        length = Op.add(length, op.length());
      } else if (op.isDelete()) {
        length -= op.count;
      }
    }
    return length;
  }

  /** Returns the ops covering {@code [start, end)} of this Delta, split where needed. */
  public Delta slice(int start, int end) {
    List<Op> out = new ArrayList<>();
    OpIterator iter = new OpIterator(ops);
    int index = 0;
    while (index < end && iter.hasNext()) {
      Op next;
      if (index < start) {
        next = iter.next(start - index);
      } else {
        next = iter.next(end - index);
        out.add(next);
      }
      index = Op.add(index, next.length());
    }
    return new Delta(List.copyOf(out));
  }

  /** Returns the ops from {@code start} to the end of this Delta. */
  public Delta slice(int start) {
    return slice(start, Op.INFINITE);
  }

  /**
   * Returns this Delta followed by {@code other}: the first op of {@code other} is merged when it
   * can be, the rest is appended as is.
   */
  public Delta concat(Delta other) {
    return new Builder(ops).concat(other.ops).build();
  }

  /**
   * Returns this Delta composed with {@code other}: one Delta with the effect of applying this,
   * then {@code other}.
   *
   * @throws PatchbayException (400) when an embed retain meets something it cannot retain (no embed
   *     handlers are registered, as in Patches)
   */
  public Delta compose(Delta other) {
    return compose(other, NO_HANDLERS);
  }

  Delta compose(Delta other, Map<String, EmbedHandler> handlers) {
    OpIterator thisIter = new OpIterator(ops);
    OpIterator otherIter = new OpIterator(other.ops);
    Builder delta = new Builder();
    // Shortcut of quill: a leading plain retain copies whole leading inserts unmerged.
    Op firstOther = otherIter.peek();
    if (firstOther != null && firstOther.isCountRetain() && firstOther.attributes == null) {
      int firstLeft = firstOther.count;
      while (thisIter.peekType() == Op.Kind.INSERT && thisIter.peekLength() <= firstLeft) {
        firstLeft -= thisIter.peekLength();
        delta.ops.add(thisIter.next());
      }
      if (firstOther.count - firstLeft > 0) {
        otherIter.next(firstOther.count - firstLeft);
      }
    }
    while (thisIter.hasNext() || otherIter.hasNext()) {
      if (otherIter.peekType() == Op.Kind.INSERT) {
        delta.push(otherIter.next());
      } else if (thisIter.peekType() == Op.Kind.DELETE) {
        delta.push(thisIter.next());
      } else {
        int length = Math.min(thisIter.peekLength(), otherIter.peekLength());
        Op thisOp = thisIter.next(length);
        Op otherOp = otherIter.next(length);
        if (otherOp.isEmbedRetain() || (otherOp.isCountRetain() && otherOp.count > 0)) {
          // A retain on a retain keeps null attributes (they still remove something later); on an
          // insert they are dropped.
          ObjectNode attributes =
              AttributeMap.compose(thisOp.attributes, otherOp.attributes, thisOp.isCountRetain());
          Op newOp = composeRetain(thisOp, otherOp, length, attributes, handlers);
          delta.push(newOp);
          // Shortcut of quill: once the rest of other is a plain retain, the rest of this is
          // copied as is.
          if (!otherIter.hasNext() && newOp.equals(delta.last())) {
            return delta.concat(thisIter.rest()).chop().build();
          }
        } else if (otherOp.isDelete() && thisOp.isRetain()) {
          delta.push(otherOp);
        }
        // An insert followed by a delete of it cancels out.
      }
    }
    return delta.chop().build();
  }

  private static Op composeRetain(
      Op thisOp,
      Op otherOp,
      int length,
      @Nullable ObjectNode attributes,
      Map<String, EmbedHandler> handlers) {
    if (thisOp.isCountRetain()) {
      return otherOp.isCountRetain()
          ? Op.retain(length, attributes)
          : Op.retainEmbed(Objects.requireNonNull(otherOp.embed), attributes);
    }
    if (otherOp.isCountRetain()) {
      return thisOp.isInsert()
          ? thisOp.withAttributes(attributes)
          : Op.retainEmbed(Objects.requireNonNull(thisOp.embed), attributes);
    }
    boolean insert = thisOp.isInsert();
    JsonNode thisData =
        thisOp.text != null
            ? Json.NODES.stringNode(thisOp.text)
            : Objects.requireNonNull(thisOp.embed);
    String type = embedType(thisData, Objects.requireNonNull(otherOp.embed));
    JsonNode composed =
        handler(handlers, type).compose(thisData.get(type), otherOp.embed.get(type), !insert);
    ObjectNode embed = Json.object();
    embed.set(type, composed);
    return insert ? Op.insertEmbed(embed, attributes) : Op.retainEmbed(embed, attributes);
  }

  /**
   * Returns {@code other} transformed to apply after this Delta, both having been made against the
   * same document. {@code priority} tells that this Delta happened first: its inserts go before
   * {@code other}'s at the same place and its attributes win.
   *
   * @throws PatchbayException (400) when two embed retains of one type meet (no embed handlers)
   */
  public Delta transform(Delta other, boolean priority) {
    return transform(other, priority, NO_HANDLERS);
  }

  Delta transform(Delta other, boolean priority, Map<String, EmbedHandler> handlers) {
    OpIterator thisIter = new OpIterator(ops);
    OpIterator otherIter = new OpIterator(other.ops);
    Builder delta = new Builder();
    while (thisIter.hasNext() || otherIter.hasNext()) {
      if (thisIter.peekType() == Op.Kind.INSERT
          && (priority || otherIter.peekType() != Op.Kind.INSERT)) {
        delta.retain(thisIter.next().length());
      } else if (otherIter.peekType() == Op.Kind.INSERT) {
        delta.push(otherIter.next());
      } else {
        int length = Math.min(thisIter.peekLength(), otherIter.peekLength());
        Op thisOp = thisIter.next(length);
        Op otherOp = otherIter.next(length);
        if (thisOp.isDelete() && thisOp.count > 0) {
          // Our delete makes their delete redundant or removes what they retained.
          continue;
        }
        if (otherOp.isDelete() && otherOp.count > 0) {
          delta.push(otherOp);
          continue;
        }
        ObjectNode attributes =
            AttributeMap.transform(thisOp.attributes, otherOp.attributes, priority);
        if (otherOp.isEmbedRetain()) {
          ObjectNode otherEmbed = Objects.requireNonNull(otherOp.embed);
          ObjectNode embed = otherEmbed;
          if (thisOp.isEmbedRetain()) {
            ObjectNode thisEmbed = Objects.requireNonNull(thisOp.embed);
            String type = firstKey(thisEmbed);
            if (Objects.equals(type, firstKey(otherEmbed))) {
              String name = type == null ? "undefined" : type;
              embed = Json.object();
              embed.set(
                  name,
                  handler(handlers, name)
                      .transform(thisEmbed.get(name), otherEmbed.get(name), priority));
            }
          }
          delta.retainEmbed(embed, attributes);
        } else {
          delta.retain(length, attributes);
        }
      }
    }
    return delta.chop().build();
  }

  /**
   * Returns where {@code index} ends up after this Delta is applied. {@code priority} tells that
   * this Delta happened first: an insert exactly at {@code index} then does not push it.
   */
  public int transformPosition(int index, boolean priority) {
    OpIterator iter = new OpIterator(ops);
    int offset = 0;
    while (iter.hasNext() && offset <= index) {
      int length = iter.peekLength();
      Op.Kind type = iter.peekType();
      iter.next();
      if (type == Op.Kind.DELETE) {
        index -= Math.min(length, index - offset);
        continue;
      } else if (type == Op.Kind.INSERT && (offset < index || !priority)) {
        index = Op.add(index, length);
      }
      offset = Op.add(offset, length);
    }
    return index;
  }

  /**
   * Returns the Delta that undoes this change: {@code base.compose(this).compose(inverted)} equals
   * {@code base}. {@code base} is the document this change was applied to.
   *
   * @throws PatchbayException (400) for an embed retain (no embed handlers are registered)
   */
  public Delta invert(Delta base) {
    return invert(base, NO_HANDLERS);
  }

  Delta invert(Delta base, Map<String, EmbedHandler> handlers) {
    Builder inverted = new Builder();
    int baseIndex = 0;
    for (Op op : ops) {
      if (op.isInsert()) {
        if (op.length() > 0) {
          inverted.delete(op.length());
        }
      } else if (op.isCountRetain() && op.attributes == null) {
        inverted.retain(op.count);
        baseIndex = Op.add(baseIndex, op.count);
      } else if ((op.isDelete() && op.count > 0) || op.isCountRetain()) {
        int length = op.count;
        for (Op baseOp : base.slice(baseIndex, Op.add(baseIndex, length)).ops) {
          if (op.isDelete()) {
            inverted.push(baseOp);
          } else if (op.count > 0 && op.attributes != null) {
            inverted.retain(baseOp.length(), AttributeMap.invert(op.attributes, baseOp.attributes));
          }
        }
        baseIndex = Op.add(baseIndex, length);
      } else if (op.isEmbedRetain()) {
        ObjectNode embed = Objects.requireNonNull(op.embed);
        Op baseOp = new OpIterator(base.slice(baseIndex, Op.add(baseIndex, 1)).ops).next();
        JsonNode baseData = baseOp.isInsert() ? insertPayload(baseOp) : null;
        String type = embedType(embed, baseData);
        ObjectNode undone = Json.object();
        undone.set(
            type,
            handler(handlers, type)
                .invert(embed.get(type), Objects.requireNonNull(baseData).get(type)));
        inverted.retainEmbed(undone, AttributeMap.invert(op.attributes, baseOp.attributes));
        baseIndex = Op.add(baseIndex, 1);
      }
    }
    return inverted.chop().build();
  }

  private static JsonNode insertPayload(Op op) {
    return op.text != null ? Json.NODES.stringNode(op.text) : Objects.requireNonNull(op.embed);
  }

  // quill's getEmbedTypeAndData: both sides must be objects whose first keys name the same type.
  private static String embedType(JsonNode a, @Nullable JsonNode b) {
    if (!a.isObject()) {
      throw new PatchbayException(400, "cannot retain a " + jsType(a));
    }
    if (b == null || !b.isObject()) {
      throw new PatchbayException(400, "cannot retain a " + jsType(b));
    }
    String type = firstKey((ObjectNode) a);
    String otherType = firstKey((ObjectNode) b);
    if (type == null || !type.equals(otherType)) {
      throw new PatchbayException(400, "embed types not matched: " + type + " != " + otherType);
    }
    return type;
  }

  private static String jsType(@Nullable JsonNode node) {
    if (node == null) {
      return "undefined";
    }
    if (node.isString()) {
      return "string";
    }
    if (node.isNumber()) {
      return "number";
    }
    if (node.isBoolean()) {
      return "boolean";
    }
    return "object";
  }

  private static @Nullable String firstKey(ObjectNode node) {
    Iterator<String> names = node.propertyNames().iterator();
    return names.hasNext() ? names.next() : null;
  }

  private static EmbedHandler handler(Map<String, EmbedHandler> handlers, String type) {
    EmbedHandler handler = handlers.get(type);
    if (handler == null) {
      throw new PatchbayException(400, "no handlers for embed type \"" + type + "\"");
    }
    return handler;
  }

  /** Returns {@code true} when {@code o} is a Delta whose ops are equal as JSON. */
  @Override
  public boolean equals(@Nullable Object o) {
    return this == o || (o instanceof Delta && ops.equals(((Delta) o).ops));
  }

  @Override
  public int hashCode() {
    return ops.hashCode();
  }

  /** Returns the ops array as compact JSON. */
  @Override
  public String toString() {
    return Json.write(toJson());
  }

  /**
   * Appends ops the way quill's {@code push} does: adjacent text inserts and count retains with
   * equal attributes merge, adjacent deletes merge, and an insert goes before a delete it follows.
   * Zero-length inserts, retains and deletes are skipped, and empty attribute maps dropped. Not
   * thread-safe; {@link #build()} returns an immutable Delta.
   */
  public static final class Builder {
    final List<Op> ops;

    Builder() {
      this.ops = new ArrayList<>();
    }

    Builder(List<Op> initial) {
      this.ops = new ArrayList<>(initial);
    }

    /** Appends a plain text insert; an empty string is skipped. */
    public Builder insert(String text) {
      return insert(text, null);
    }

    /** Appends a text insert with attributes; an empty string is skipped. */
    public Builder insert(String text, @Nullable ObjectNode attributes) {
      if (text.isEmpty()) {
        return this;
      }
      return push(Op.insert(text, nonEmpty(attributes)));
    }

    /** Appends an embed insert, for example {@code {"image":"a.png"}}. */
    public Builder insertEmbed(ObjectNode embed, @Nullable ObjectNode attributes) {
      return push(Op.insertEmbed(embed, nonEmpty(attributes)));
    }

    /** Appends a plain retain; a length of zero or less is skipped. */
    public Builder retain(int length) {
      return retain(length, null);
    }

    /** Appends a retain that applies attributes (null values remove); zero or less is skipped. */
    public Builder retain(int length, @Nullable ObjectNode attributes) {
      if (length <= 0) {
        return this;
      }
      return push(Op.retain(length, nonEmpty(attributes)));
    }

    /** Appends a retain of one embed that changes it (quill 5 embed retain). */
    public Builder retainEmbed(ObjectNode embed, @Nullable ObjectNode attributes) {
      return push(Op.retainEmbed(embed, nonEmpty(attributes)));
    }

    /** Appends a delete; a length of zero or less is skipped. */
    public Builder delete(int length) {
      if (length <= 0) {
        return this;
      }
      return push(Op.delete(length));
    }

    /**
     * Appends one op given as JSON, merging it like the other methods (but keeping it as given
     * otherwise, as quill's {@code push} does).
     *
     * @throws PatchbayException (400) when the op is malformed
     */
    public Builder push(JsonNode op) {
      return push(Op.fromJson(op));
    }

    /** Returns the Delta built so far; the builder stays usable. */
    public Delta build() {
      return ops.isEmpty() ? EMPTY : new Delta(List.copyOf(ops));
    }

    Builder push(Op newOp) {
      int index = ops.size();
      Op last = index > 0 ? ops.get(index - 1) : null;
      if (last != null) {
        if (newOp.isDelete() && last.isDelete()) {
          ops.set(index - 1, Op.delete(Op.add(last.count, newOp.count)));
          return this;
        }
        // Inserting before or after a delete at one place is the same; quill puts inserts first.
        if (last.isDelete() && newOp.isInsert()) {
          index -= 1;
          last = index > 0 ? ops.get(index - 1) : null;
          if (last == null) {
            ops.add(0, newOp);
            return this;
          }
        }
        if (Op.sameAttributes(newOp.attributes, last.attributes)) {
          if (newOp.isTextInsert() && last.isTextInsert()) {
            ops.set(index - 1, Op.insert(last.text + newOp.text, newOp.attributes));
            return this;
          }
          if (newOp.isCountRetain() && last.isCountRetain()) {
            ops.set(index - 1, Op.retain(Op.add(last.count, newOp.count), newOp.attributes));
            return this;
          }
        }
      }
      ops.add(index, newOp);
      return this;
    }

    /** Drops a trailing plain count retain, which changes nothing. */
    Builder chop() {
      if (!ops.isEmpty()) {
        Op last = ops.get(ops.size() - 1);
        if (last.isCountRetain() && last.attributes == null) {
          ops.remove(ops.size() - 1);
        }
      }
      return this;
    }

    /** Pushes the first of {@code rest}, then appends the others unmerged (quill's concat). */
    Builder concat(List<Op> rest) {
      if (!rest.isEmpty()) {
        push(rest.get(0));
        ops.addAll(rest.subList(1, rest.size()));
      }
      return this;
    }

    @Nullable Op last() {
      return ops.isEmpty() ? null : ops.get(ops.size() - 1);
    }

    private static @Nullable ObjectNode nonEmpty(@Nullable ObjectNode attributes) {
      return attributes == null || attributes.isEmpty() ? null : attributes;
    }
  }
}
