package dev.patchbay.core.text;

import static dev.patchbay.core.JsonAssertions.assertJsonEquals;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.ConformanceVectors;
import dev.patchbay.core.ConformanceVectors.Vector;
import dev.patchbay.core.patch.Paths;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * Runs {@link TextOps#apply} against the recorded {@code apply} vectors whose ops are all {@code
 * @txt} ops at one top-level path: the value at that path in the input document is the stored
 * text, and after applying the ops in order it must equal the value at that path in the result.
 * The full JSON Patch engine runs every apply vector elsewhere; this isolates the text rule.
 */
class TextOpsApplyVectorsTest {

  static Stream<Arguments> textVectors() {
    return ConformanceVectors.ofKind("apply").stream()
        .filter(TextOpsApplyVectorsTest::isTopLevelTextOnly)
        .map(v -> Arguments.of(Named.of(v.displayName(), v)));
  }

  private static boolean isTopLevelTextOnly(Vector v) {
    JsonNode ops = v.input().get("ops");
    if (ops == null || ops.isEmpty() || v.error() != null) {
      return false;
    }
    String path = ops.get(0).get("path").stringValue();
    for (JsonNode op : ops) {
      if (!"@txt".equals(op.get("op").stringValue())
          || !path.equals(op.get("path").stringValue())) {
        return false;
      }
    }
    return Paths.split(path).size() == 1 && !path.equals("/-");
  }

  @ParameterizedTest
  @MethodSource("textVectors")
  void apply_recordedTextVector_matchesReference(Vector v) {
    String key = Paths.split(v.input().get("ops").get(0).get("path").stringValue()).get(0);
    JsonNode opts = v.input().get("opts");
    boolean legacy =
        opts != null
            && opts.get("legacyTextOverrunPadding") != null
            && opts.get("legacyTextOverrunPadding").asBoolean();
    JsonNode value = valueAt(v.input().get("obj"), key);
    for (JsonNode op : v.input().get("ops")) {
      value = TextOps.apply(value, op.get("value"), legacy);
    }
    assertJsonEquals(valueAt(v.result(), key), value);
  }

  @Test
  void textVectors_filter_selectsTheTextSpecs() {
    // Guards the filter: it must keep the bulk of the text vectors, overrun specs included.
    List<String> files =
        ConformanceVectors.ofKind("apply").stream()
            .filter(TextOpsApplyVectorsTest::isTopLevelTextOnly)
            .map(Vector::file)
            .toList();
    assertThat(files).hasSizeGreaterThan(1200);
    assertThat(files)
        .anyMatch(f -> f.endsWith("txt-retain-overrun.spec.ts"))
        .anyMatch(f -> f.endsWith("txt-retain-overrun-reconstruction.spec.ts"));
  }

  private static @Nullable JsonNode valueAt(JsonNode doc, String key) {
    JsonNode value;
    if (doc.isArray()) {
      value = doc.get(Integer.parseInt(key));
    } else {
      value = doc.get(key);
    }
    return value;
  }
}
