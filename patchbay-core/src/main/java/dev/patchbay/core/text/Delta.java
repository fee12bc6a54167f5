package dev.patchbay.core.text;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * A rich-text Delta (quill-delta 5.1.0 semantics). PLACEHOLDER API: the delta helper replaces the
 * bodies. Do not rely on anything but the signatures.
 */
public final class Delta {
  private Delta() {}

  /** Reads a Delta from an ops array or a {@code {"ops":[…]}} object. */
  public static Delta fromJson(JsonNode json) {
    throw new UnsupportedOperationException("Delta not implemented yet");
  }

  /** Returns the ops array. */
  public ArrayNode toJson() {
    throw new UnsupportedOperationException("Delta not implemented yet");
  }

  /** Returns this Delta composed with {@code other} (this, then other). */
  public Delta compose(Delta other) {
    throw new UnsupportedOperationException("Delta not implemented yet");
  }

  /** Returns {@code other} transformed to apply after this; {@code priority}: this came first. */
  public Delta transform(Delta other, boolean priority) {
    throw new UnsupportedOperationException("Delta not implemented yet");
  }

  /** Returns the position {@code index} transformed by this Delta. */
  public int transformPosition(int index, boolean priority) {
    throw new UnsupportedOperationException("Delta not implemented yet");
  }

  /** Returns the Delta that undoes this one when applied to the result of {@code base}. */
  public Delta invert(Delta base) {
    throw new UnsupportedOperationException("Delta not implemented yet");
  }

  /** Returns the length of this Delta (inserts + retains + deletes). */
  public int length() {
    throw new UnsupportedOperationException("Delta not implemented yet");
  }
}
