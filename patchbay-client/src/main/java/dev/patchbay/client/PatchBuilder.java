package dev.patchbay.client;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.patch.PatchOp;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Collects the JSON Patch operations of one {@link PatchesDoc#change} call. Paths are JSON Pointers
 * ({@code "/todos/0/title"}, {@code ""} for the root, {@code "/items/-"} to append). Values are
 * Jackson trees or anything Jackson can convert ({@code String}, numbers, maps, lists, records).
 *
 * <p>Besides the RFC 6902 operations it offers the Patches extensions: {@code @txt} (rich-text
 * deltas), {@code @inc}, {@code @max}, {@code @min} and {@code @bit}, which merge with concurrent
 * edits instead of overwriting them. Not thread-safe; used only inside the mutator.
 */
public final class PatchBuilder {
  /** The highest bit index {@link #bit} accepts: Patches masks hold 15 on and 15 off bits. */
  public static final int MAX_BIT_INDEX = 14;

  private final List<PatchOp> ops = new ArrayList<>();

  PatchBuilder() {}

  /** Adds {@code value} at {@code path}: inserts into an array, sets an object member. */
  public PatchBuilder add(String path, @Nullable Object value) {
    return op(PatchOp.add(path, tree(value)));
  }

  /** Replaces the value at {@code path} ({@code ""} replaces the whole document). */
  public PatchBuilder replace(String path, @Nullable Object value) {
    return op(PatchOp.replace(path, tree(value)));
  }

  /** Removes the value at {@code path}; a missing object member is not an error. */
  public PatchBuilder remove(String path) {
    return op(PatchOp.remove(path));
  }

  /** Moves the value at {@code from} to {@code path}. */
  public PatchBuilder move(String from, String path) {
    return op(PatchOp.move(from, path));
  }

  /** Copies the value at {@code from} to {@code path}. */
  public PatchBuilder copy(String from, String path) {
    return op(PatchOp.copy(from, path));
  }

  /**
   * Applies a rich-text delta to the text at {@code path} ({@code @txt}). Concurrent deltas on the
   * same text are transformed, so both edits survive.
   *
   * @param delta the delta ops, e.g. {@code [{"retain":5},{"insert":"!"}]}, as a tree or a list
   */
  public PatchBuilder text(String path, Object delta) {
    JsonNode ops = tree(delta);
    if (!ops.isArray()) {
      throw new IllegalArgumentException("A text delta is an array of ops, got " + ops);
    }
    return op(PatchOp.of("@txt", path, ops));
  }

  /** Inserts {@code text} at character {@code index} of the text at {@code path}. */
  public PatchBuilder insertText(String path, int index, String text) {
    var delta = Json.array();
    if (index > 0) {
      delta.addObject().put("retain", index);
    }
    delta.addObject().put("insert", text);
    return op(PatchOp.of("@txt", path, delta));
  }

  /** Deletes {@code length} characters at character {@code index} of the text at {@code path}. */
  public PatchBuilder deleteText(String path, int index, int length) {
    var delta = Json.array();
    if (index > 0) {
      delta.addObject().put("retain", index);
    }
    delta.addObject().put("delete", length);
    return op(PatchOp.of("@txt", path, delta));
  }

  /** Adds {@code delta} to the number at {@code path} (missing counts as 0), {@code @inc}. */
  public PatchBuilder increment(String path, double delta) {
    return op(PatchOp.of("@inc", path, Json.number(delta)));
  }

  /** Sets the value at {@code path} to {@code value} if that is larger ({@code @max}). */
  public PatchBuilder max(String path, Object value) {
    return op(PatchOp.of("@max", path, tree(value)));
  }

  /** Sets the value at {@code path} to {@code value} if that is smaller ({@code @min}). */
  public PatchBuilder min(String path, Object value) {
    return op(PatchOp.of("@min", path, tree(value)));
  }

  /**
   * Turns bit {@code index} of the number at {@code path} on or off ({@code @bit}); concurrent
   * changes to other bits of the same number all survive.
   *
   * @throws IllegalArgumentException when {@code index} is outside 0..{@value #MAX_BIT_INDEX}
   */
  public PatchBuilder bit(String path, int index, boolean on) {
    if (index < 0 || index > MAX_BIT_INDEX) {
      throw new IllegalArgumentException(
          "bit index must be 0.." + MAX_BIT_INDEX + ", was " + index);
    }
    int mask = on ? 1 << index : 1 << (index + 15);
    return op(PatchOp.of("@bit", path, Json.NODES.numberNode(mask)));
  }

  /** Adds an already built operation. */
  public PatchBuilder op(PatchOp op) {
    ops.add(op);
    return this;
  }

  List<PatchOp> ops() {
    return List.copyOf(ops);
  }

  private static JsonNode tree(@Nullable Object value) {
    if (value == null) {
      return Json.NODES.nullNode();
    }
    if (value instanceof JsonNode node) {
      return node.deepCopy();
    }
    return Json.MAPPER.valueToTree(value);
  }
}
