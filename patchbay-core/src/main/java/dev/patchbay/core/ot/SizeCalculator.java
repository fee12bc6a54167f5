package dev.patchbay.core.ot;

import tools.jackson.databind.JsonNode;

/**
 * Measures how many bytes a change will take in storage, for example its compressed size. Change
 * batching calls it with the JSON form of a (candidate) change. Without one, the size is the UTF-8
 * length of the JSON text ({@link ChangeBatching#jsonByteSize(JsonNode)}).
 *
 * <p>Implementations must be pure and deterministic: the splitter measures the same data more than
 * once and relies on getting the same answer.
 */
@FunctionalInterface
public interface SizeCalculator {
  /**
   * Returns the storage size of {@code json} in bytes.
   *
   * @param json the JSON form of a change; never modified by the caller afterwards, never to be
   *     modified by the calculator
   */
  double sizeOf(JsonNode json);
}
