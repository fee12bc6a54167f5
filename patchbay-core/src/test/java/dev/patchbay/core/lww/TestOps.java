package dev.patchbay.core.lww;

import static dev.patchbay.core.JsonAssertions.assertJsonEquals;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.patch.PatchOp;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** Short builders for the ops LWW tests are made of. */
final class TestOps {
  private TestOps() {}

  /** Returns a JSON value for a Java value (numbers, strings, booleans, maps, lists). */
  static @Nullable JsonNode json(@Nullable Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof JsonNode) {
      return (JsonNode) value;
    }
    return Json.MAPPER.valueToTree(value);
  }

  static PatchOp op(String name, String path, @Nullable Object value, @Nullable Long ts) {
    return new PatchOp(name, path, null, json(value), false, ts, null);
  }

  static PatchOp op(String name, String path, @Nullable Object value) {
    return op(name, path, value, null);
  }

  static PatchOp remove(String path, @Nullable Long ts) {
    return op("remove", path, null, ts);
  }

  static PatchOp soft(String name, String path, @Nullable Object value, @Nullable Long ts) {
    return new PatchOp(name, path, null, json(value), true, ts, null);
  }

  static PatchOp row(String name, String path, @Nullable Object value, long ts, long rev) {
    return new PatchOp(name, path, null, json(value), false, ts, rev);
  }

  static void assertValue(@Nullable Object expected, @Nullable JsonNode actual) {
    assertJsonEquals(json(expected), actual);
  }
}
