package dev.patchbay.core.text;

import static dev.patchbay.core.JsonAssertions.assertJsonEquals;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.ConformanceVectors;
import dev.patchbay.core.ConformanceVectors.Vector;
import dev.patchbay.core.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs the {@code @txt} transform rule (see {@link TextOps}) against the recorded {@code transform}
 * vectors where every op of both patches is an {@code @txt} op at one path: each op of {@code
 * thisOps} in turn transforms all of {@code otherOps}, advancing its own Delta past each of them.
 * The full transform runs every vector elsewhere; this isolates Delta's transform.
 */
class DeltaTransformVectorsTest {

  static Stream<Arguments> textVectors() {
    return ConformanceVectors.ofKind("transform").stream()
        .filter(DeltaTransformVectorsTest::isSamePathTextOnly)
        .map(v -> Arguments.of(Named.of(v.displayName(), v)));
  }

  private static boolean isSamePathTextOnly(Vector v) {
    List<JsonNode> ops = new ArrayList<>();
    v.input().get("thisOps").forEach(ops::add);
    v.input().get("otherOps").forEach(ops::add);
    if (ops.isEmpty() || v.error() != null) {
      return false;
    }
    String path = ops.get(0).get("path").stringValue();
    return ops.stream()
        .allMatch(
            op ->
                "@txt".equals(op.get("op").stringValue())
                    && path.equals(op.get("path").stringValue()));
  }

  @ParameterizedTest
  @MethodSource("textVectors")
  void transform_recordedTextVector_matchesReference(Vector v) {
    List<JsonNode> others = new ArrayList<>();
    v.input().get("otherOps").forEach(others::add);
    for (JsonNode thisOp : v.input().get("thisOps")) {
      Delta thisDelta = TextOps.deltaOf(thisOp.get("value"));
      List<JsonNode> next = new ArrayList<>();
      for (JsonNode op : others) {
        Delta otherDelta = TextOps.deltaOf(op.get("value"));
        if (thisDelta == null || otherDelta == null) {
          continue;
        }
        Delta transformed = thisDelta.transform(otherDelta, true);
        thisDelta = otherDelta.transform(thisDelta, false);
        ObjectNode copy = Json.shallowCopy((ObjectNode) op);
        copy.set("value", transformed.toJson());
        next.add(copy);
      }
      others = next;
    }
    ArrayNode actual = Json.array();
    others.forEach(actual::add);
    assertJsonEquals(v.result(), actual);
  }

  @Test
  void textVectors_filter_selectsVectors() {
    assertThat(textVectors().count()).isGreaterThan(400);
  }
}
