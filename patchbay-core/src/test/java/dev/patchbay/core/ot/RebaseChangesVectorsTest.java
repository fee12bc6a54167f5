package dev.patchbay.core.ot;

import static dev.patchbay.core.JsonAssertions.assertJsonEquals;
import static dev.patchbay.core.ot.TransformIncomingChangesVectorsTest.changes;
import static dev.patchbay.core.ot.TransformIncomingChangesVectorsTest.toJson;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.ConformanceVectors;
import dev.patchbay.core.ConformanceVectors.Vector;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** The client rebase against the vectors recorded from the reference client. */
class RebaseChangesVectorsTest {
  private static final String KIND = "rebaseChanges";

  static List<Arguments> vectors() {
    return ConformanceVectors.argumentsOfKind(KIND);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void rebaseChanges_matchesReference(Vector vector) {
    JsonNode input = vector.input();

    List<Change> result =
        OtTransforms.rebaseChanges(
            changes(input.get("serverChanges")), changes(input.get("localChanges")));

    assertJsonEquals(vector.result(), toJson(result));
  }

  @Test
  void vectors_allPresent() {
    assertThat(ConformanceVectors.ofKind(KIND)).hasSize(710);
  }
}
