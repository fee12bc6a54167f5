package dev.patchbay.core.patch;

import static dev.patchbay.core.JsonAssertions.assertJsonEquals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.patchbay.core.ConformanceVectors;
import dev.patchbay.core.ConformanceVectors.Vector;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * Every {@code apply} vector recorded from the Patches reference: the same document, ops and
 * options must give the same document, or throw where the reference threw in strict mode.
 */
class ApplyVectorsTest {

  static List<Arguments> vectors() {
    return ConformanceVectors.argumentsOfKind("apply");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void apply_recordedVector_matchesReference(Vector vector) {
    JsonNode input = vector.input();
    @Nullable JsonNode doc = document(input.get("obj"));
    JsonNode snapshot = doc == null ? null : doc.deepCopy();
    List<PatchOp> ops = PatchOp.listFromJson(input.get("ops"));
    ApplyOptions options = options(input.get("opts"));

    if (vector.error() != null) {
      PatchApplyException e =
          assertThrows(PatchApplyException.class, () -> JsonPatch.apply(doc, ops, options));
      assertThat(e.getMessage()).isEqualTo(vector.error());
      assertThat(e.code()).isEqualTo(400);
    } else {
      assertJsonEquals(vector.result(), JsonPatch.apply(doc, ops, options));
    }
    if (doc != null) {
      assertJsonEquals(snapshot, doc);
    }
  }

  private static @Nullable JsonNode document(@Nullable JsonNode obj) {
    return obj == null || obj.isNull() ? null : obj;
  }

  static ApplyOptions options(@Nullable JsonNode opts) {
    ApplyOptions options = ApplyOptions.DEFAULT;
    if (opts == null) {
      return options;
    }
    return options
        .withStrict(flag(opts, "strict"))
        .withRigid(flag(opts, "rigid"))
        .withPartial(flag(opts, "partial"))
        .withSilent(flag(opts, "silent"))
        .withLegacyTextOverrunPadding(flag(opts, "legacyTextOverrunPadding"));
  }

  private static boolean flag(JsonNode opts, String name) {
    JsonNode value = opts.get(name);
    return value != null && value.asBoolean();
  }
}
