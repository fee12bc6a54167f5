package dev.patchbay.core.patch;

import static dev.patchbay.core.JsonAssertions.assertJsonEquals;

import dev.patchbay.core.ConformanceVectors;
import dev.patchbay.core.ConformanceVectors.Vector;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * The {@code transform} vectors recorded from the Patches reference: {@code otherOps} transformed
 * past {@code thisOps} must come out exactly as the reference computed them. A vector without
 * {@code obj} is the stateless form (no document).
 */
class TransformVectorsTest {

  static List<Arguments> vectors() {
    return ConformanceVectors.argumentsOfKind("transform");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void transform_recordedVector_matchesReference(Vector vector) {
    JsonNode input = vector.input();
    JsonNode obj = input.get("obj");
    JsonNode otherOpsFirst = input.get("otherOpsFirst");
    List<PatchOp> actual =
        JsonPatch.transform(
            obj == null || obj.isNull() ? null : obj,
            PatchOp.listFromJson(input.get("thisOps")),
            PatchOp.listFromJson(input.get("otherOps")),
            otherOpsFirst != null && otherOpsFirst.asBoolean());
    assertJsonEquals(vector.result(), PatchOp.listToJson(actual));
  }
}
