package dev.patchbay.core.patch;

/** The kinds of JSON Patch operation Patchbay knows: RFC 6902 plus the Patches extensions. */
public enum OpType {
  ADD("add"),
  REMOVE("remove"),
  REPLACE("replace"),
  MOVE("move"),
  COPY("copy"),
  TEST("test"),
  /** {@code @inc}: adds {@code value} to the current number (missing counts as 0). */
  INC("@inc"),
  /** {@code @bit}: a 30-bit mask, low 15 bits turn bits on, high 15 turn them off. */
  BIT("@bit"),
  /** {@code @max}: sets the value when it is greater than the current one or there is none. */
  MAX("@max"),
  /** {@code @min}: sets the value when it is smaller than the current one or there is none. */
  MIN("@min"),
  /** {@code @txt}: composes a rich-text Delta onto the text at the path. */
  TXT("@txt"),
  /** An op name this version does not know. */
  UNKNOWN("");

  private final String wireName;

  OpType(String wireName) {
    this.wireName = wireName;
  }

  /** Returns the name of this op on the wire ({@code ""} for {@link #UNKNOWN}). */
  public String wireName() {
    return wireName;
  }

  /** Returns the type of a wire op name, {@link #UNKNOWN} when it is not one of ours. */
  public static OpType of(String op) {
    switch (op) {
      case "add":
        return ADD;
      case "remove":
        return REMOVE;
      case "replace":
        return REPLACE;
      case "move":
        return MOVE;
      case "copy":
        return COPY;
      case "test":
        return TEST;
      case "@inc":
        return INC;
      case "@bit":
        return BIT;
      case "@max":
        return MAX;
      case "@min":
        return MIN;
      case "@txt":
        return TXT;
      default:
        return UNKNOWN;
    }
  }
}
