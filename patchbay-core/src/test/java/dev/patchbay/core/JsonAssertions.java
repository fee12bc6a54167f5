package dev.patchbay.core;

import dev.patchbay.core.json.Json;
import org.jspecify.annotations.Nullable;
import org.opentest4j.AssertionFailedError;
import tools.jackson.databind.JsonNode;

/** Assertions on JSON trees with the conformance rules: numbers by value, keys in any order. */
public final class JsonAssertions {
  private JsonAssertions() {}

  /** Fails unless the two trees are equal by {@link Json#equal}; the message shows both. */
  public static void assertJsonEquals(@Nullable JsonNode expected, @Nullable JsonNode actual) {
    if (!Json.equal(normalize(expected), normalize(actual))) {
      String e = expected == null ? "<absent>" : Json.write(expected);
      String a = actual == null ? "<absent>" : Json.write(actual);
      throw new AssertionFailedError("JSON differs\nexpected: " + e + "\n  actual: " + a, e, a);
    }
  }

  // A recorded JavaScript undefined and a JSON null are the same result for our purposes.
  private static @Nullable JsonNode normalize(@Nullable JsonNode node) {
    return node == null || node.isMissingNode() ? Json.NODES.nullNode() : node;
  }
}
