package dev.patchbay.core.lww;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.patch.OpType;
import dev.patchbay.core.patch.PatchOp;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The arithmetic of the combinable ("delta") ops {@code @inc}, {@code @bit}, {@code @max} and
 * {@code @min}: applying one to a value, and combining two of the same kind into one. Numbers
 * follow JavaScript: one double type, bit operations on 32-bit integers.
 */
final class DeltaOps {
  private DeltaOps() {}

  /** Returns whether {@code type} is a combinable op. */
  static boolean isDelta(OpType type) {
    return type == OpType.INC || type == OpType.BIT || type == OpType.MAX || type == OpType.MIN;
  }

  /**
   * Returns the value of {@code base} after applying a delta op of {@code type} with {@code
   * operand}. A {@code null} base (removed or missing) starts fresh: {@code @inc} and {@code @bit}
   * from 0, {@code @max} and {@code @min} take the operand.
   */
  static JsonNode apply(OpType type, @Nullable JsonNode base, @Nullable JsonNode operand) {
    switch (type) {
      case INC:
        return Json.number(number(base) + number(operand));
      case BIT:
        return Json.NODES.numberNode(applyBitmask(int32(base), int32(operand)));
      case MAX:
        return base == null || !greater(base, orZero(operand)) ? orZero(operand) : base;
      case MIN:
        return base == null || !greater(orZero(operand), base) ? orZero(operand) : base;
      default:
        throw new IllegalArgumentException("Not a delta op: " + type);
    }
  }

  /** Returns the operand of one op that has the effect of two ops of {@code type}, a then b. */
  static JsonNode combine(OpType type, @Nullable JsonNode a, @Nullable JsonNode b) {
    switch (type) {
      case INC:
        return Json.number(number(a) + number(b));
      case BIT:
        return Json.NODES.numberNode(combineBitmasks(int32(a), int32(b)));
      case MAX:
      case MIN:
        return apply(type, a, b);
      default:
        throw new IllegalArgumentException("Not a delta op: " + type);
    }
  }

  /**
   * Returns the base value a delta op works on when {@code existing} is the op stored for its path:
   * {@code null} when the field is removed or holds no value.
   */
  static @Nullable JsonNode baseOf(PatchOp existing) {
    JsonNode value = existing.value();
    if (existing.type() == OpType.REMOVE || value == null || value.isNull()) {
      return null;
    }
    return value;
  }

  /** Sets the low 15 bits of the mask and clears the high 15 (shifted down) in {@code num}. */
  static int applyBitmask(int num, int mask) {
    int off = (mask >> 15) & 0x7fff;
    int on = mask & 0x7fff;
    return (num & ~off) | on;
  }

  /** Returns the one mask that has the effect of applying {@code a} and then {@code b}. */
  static int combineBitmasks(int a, int b) {
    int aOff = (a >> 15) & 0x7fff;
    int aOn = a & 0x7fff;
    int bOff = (b >> 15) & 0x7fff;
    int bOn = b & 0x7fff;
    int on = (aOn & ~bOff) | bOn;
    int off = (aOff & ~bOn) | bOff;
    return (off << 15) | on;
  }

  private static JsonNode orZero(@Nullable JsonNode operand) {
    return operand == null ? Json.NODES.numberNode(0) : operand;
  }

  // Anything that is not a number counts as 0, as a missing value does.
  private static double number(@Nullable JsonNode node) {
    return node != null && node.isNumber() ? node.doubleValue() : 0;
  }

  // JavaScript's ToInt32: truncate, then keep the low 32 bits.
  private static int int32(@Nullable JsonNode node) {
    double d = number(node);
    if (!Double.isFinite(d)) {
      return 0;
    }
    return (int) (long) (d % 4294967296.0);
  }

  /**
   * Returns whether {@code a > b} for values a max/min can compare: two numbers, or two strings
   * (ISO dates compare as text). Values of other kinds are never greater, so the operand wins, as a
   * JavaScript comparison that yields false lets it.
   */
  private static boolean greater(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.doubleValue() > b.doubleValue();
    }
    if (a.isString() && b.isString()) {
      return a.stringValue().compareTo(b.stringValue()) > 0;
    }
    return false;
  }
}
