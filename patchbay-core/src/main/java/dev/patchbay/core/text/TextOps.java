package dev.patchbay.core.text;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The Patches text rules behind the {@code @txt} op. PLACEHOLDER API: the delta helper replaces the
 * body.
 */
public final class TextOps {
  private TextOps() {}

  /**
   * Composes a Delta (an ops array, or a {@code {"ops":[…]}} object) onto the text stored at a path
   * and returns the new stored value, a {@code {"ops":[…]}} object ending in a newline.
   *
   * @param current the stored text ({@code {"ops":[…]}} or a bare ops array), or {@code null}
   * @param delta the Delta to compose
   * @param legacyOverrunPadding pad retains that overrun the text with spaces (history replay)
   */
  public static JsonNode apply(
      @Nullable JsonNode current, JsonNode delta, boolean legacyOverrunPadding) {
    throw new UnsupportedOperationException("TextOps not implemented yet");
  }
}
