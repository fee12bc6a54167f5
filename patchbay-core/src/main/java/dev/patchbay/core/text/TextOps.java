package dev.patchbay.core.text;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * The Patches text rules behind the {@code @txt} op (upstream {@code json-patch/ops/text.ts}).
 *
 * <p>A text field stores a Delta document as {@code {"ops":[…]}} (a bare ops array is read too). An
 * {@code @txt} op's value is a change Delta, canonically a bare ops array ({@code {"ops":[…]}} is
 * accepted). The pieces the JSON Patch engine needs:
 *
 * <ul>
 *   <li>apply: {@link #apply};
 *   <li>transform: {@code other' = thisDelta.transform(otherDelta, true)}, then advance {@code
 *       thisDelta = otherDelta.transform(thisDelta, false)} before the next {@code @txt} op of the
 *       other patch; an op whose value is not a Delta ({@link #deltaOf} returns {@code null}) is
 *       dropped;
 *   <li>invert: {@link #invert} (when there was no prior value the inverse is a {@code remove});
 *   <li>compose of two {@code @txt} ops: {@link #compose}.
 * </ul>
 */
public final class TextOps {
  /** Padding bigger than this is refused rather than allocated (legacy replay only). */
  private static final int MAX_LEGACY_PADDING = 1 << 24;

  private static final Delta NEWLINE = Delta.builder().insert("\n").build();

  private TextOps() {}

  /**
   * Composes a Delta (an ops array, or a {@code {"ops":[…]}} object) onto the text stored at a path
   * and returns the new stored value, a {@code {"ops":[…]}} object ending in a newline.
   *
   * <p>A current value that is not text (absent, null, a string, an array whose first element has
   * no insert, …) starts over as a document holding one newline. After the compose, retains and
   * deletes that ran past the end of the text are dropped and a final newline is ensured
   * (DAB-1064), so an edit made against a longer text lands after the last newline.
   *
   * @param current the stored text ({@code {"ops":[…]}} or a bare ops array), or {@code null}
   * @param delta the Delta to compose
   * @param legacyOverrunPadding pad retains that overrun the text with spaces (history replay)
   * @throws PatchbayException (400) with message {@code "Invalid delta"} when {@code delta} is not
   *     a Delta (the op fails), or another 400 when the Delta or the stored text is malformed
   */
  public static JsonNode apply(
      @Nullable JsonNode current, JsonNode delta, boolean legacyOverrunPadding) {
    ArrayNode ops = opsOf(delta);
    if (ops == null) {
      throw new PatchbayException(400, "Invalid delta");
    }
    Delta change = Delta.fromJson(ops);
    Delta composed = readDocument(current).compose(change);
    return dropOverrun(composed, legacyOverrunPadding).toDocumentJson();
  }

  /**
   * Returns the ops array of a Delta value: the value itself when it is an array, its {@code ops}
   * member when that is an array, otherwise {@code null}.
   */
  public static @Nullable ArrayNode opsOf(@Nullable JsonNode value) {
    if (value == null) {
      return null;
    }
    if (value.isArray()) {
      return (ArrayNode) value;
    }
    if (value.isObject()) {
      JsonNode ops = value.get("ops");
      if (ops != null && ops.isArray()) {
        return (ArrayNode) ops;
      }
    }
    return null;
  }

  /**
   * Returns the Delta of an {@code @txt} value, or {@code null} when the value is not a Delta (an
   * ops array or {@code {"ops":[…]}}).
   *
   * @throws PatchbayException (400) when it is an ops array holding a malformed op
   */
  public static @Nullable Delta deltaOf(@Nullable JsonNode value) {
    ArrayNode ops = opsOf(value);
    return ops == null ? null : Delta.fromJson(ops);
  }

  /**
   * Returns the document stored at a text field as {@link #apply} reads it: an ops array counts
   * when its first op has a truthy {@code insert}; an object counts when its {@code ops} member is
   * truthy (read as quill's constructor reads it, so a non-array gives an empty document); anything
   * else is a fresh document holding one newline.
   *
   * @throws PatchbayException (400) when the stored ops are malformed
   */
  public static Delta readDocument(@Nullable JsonNode current) {
    if (current == null) {
      return NEWLINE;
    }
    if (current.isArray()) {
      if (!current.isEmpty()) {
        JsonNode first = current.get(0);
        if (first.isNull()) {
          // Upstream fails here reading a property of null.
          throw new PatchbayException(400, "Invalid text document: first op is null");
        }
        if (first.isObject() && Json.truthy(first.get("insert"))) {
          return Delta.fromJson(current);
        }
      }
      return NEWLINE;
    }
    if (current.isObject()) {
      JsonNode ops = current.get("ops");
      if (Json.truthy(ops)) {
        if (ops.isArray()) {
          return Delta.fromJson(ops);
        }
        JsonNode nested = ops.get("ops");
        if (ops.isObject() && nested != null && nested.isArray()) {
          return Delta.fromJson(nested);
        }
        return Delta.empty();
      }
    }
    return NEWLINE;
  }

  /**
   * Returns the inverse of an {@code @txt} op's value: the ops array that undoes it on the text it
   * was applied to.
   *
   * @param value the op's Delta (ops array or {@code {"ops":[…]}})
   * @param oldValue the text before the op ({@code {"ops":[…]}} or an ops array)
   * @throws PatchbayException (400) when either is not a Delta
   */
  public static ArrayNode invert(JsonNode value, JsonNode oldValue) {
    ArrayNode ops = opsOf(value);
    if (ops == null) {
      throw new PatchbayException(400, "Cannot invert @txt op: value is not a Delta ops array");
    }
    ArrayNode baseOps = opsOf(oldValue);
    if (baseOps == null) {
      throw new PatchbayException(
          400, "Cannot invert @txt op: prior value is not a Delta ops array");
    }
    return Delta.fromJson(ops).invert(Delta.fromJson(baseOps)).toJson();
  }

  /**
   * Returns the ops array of two consecutive {@code @txt} values composed into one.
   *
   * @throws PatchbayException (400) when either is not a Delta
   */
  public static ArrayNode compose(JsonNode first, JsonNode second) {
    ArrayNode ops1 = opsOf(first);
    if (ops1 == null) {
      throw new PatchbayException(
          400, "Cannot compose @txt ops: first value is not a Delta ops array");
    }
    ArrayNode ops2 = opsOf(second);
    if (ops2 == null) {
      throw new PatchbayException(
          400, "Cannot compose @txt ops: second value is not a Delta ops array");
    }
    return Delta.fromJson(ops1).compose(Delta.fromJson(ops2)).toJson();
  }

  /**
   * Turns a composed document back into a document. A stored document holds inserts only, so a
   * retain or delete left after the compose points past its end: the change was made against a
   * longer text. Turning such retains into spaces (the old rule, kept for replaying history that
   * was written under it) invents text that later offsets then land in, so they are dropped.
   */
  static Delta dropOverrun(Delta composed, boolean legacyPadding) {
    List<Op> ops = new ArrayList<>(composed.ops());
    while (!ops.isEmpty() && !ops.get(ops.size() - 1).isInsert()) {
      ops.remove(ops.size() - 1);
    }
    Delta.Builder doc = new Delta.Builder(ops);
    Op last = doc.last();
    if (last == null || !last.isTextInsert() || !last.text.endsWith("\n")) {
      doc.push(Op.insert("\n", null));
    }
    boolean stranded = false;
    for (Op op : doc.ops) {
      stranded |= !op.isInsert();
    }
    if (!stranded) {
      return doc.build();
    }
    // Rebuilding through push merges the inserts that the dropped ops used to separate.
    Delta.Builder rebuilt = new Delta.Builder();
    for (Op op : doc.ops) {
      if (op.isInsert()) {
        rebuilt.push(op);
      } else if (legacyPadding && op.isRetain() && (op.embed != null || op.count > 0)) {
        // Upstream pads an embed retain with a zero-length string (its length is not a number).
        int width = op.embed != null ? 0 : op.count;
        if (width > MAX_LEGACY_PADDING) {
          throw new PatchbayException(400, "Invalid delta: text overrun too large to pad");
        }
        rebuilt.push(Op.insert(" ".repeat(width), op.attributes));
      }
    }
    return rebuilt.build();
  }
}
