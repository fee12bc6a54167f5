package dev.patchbay.core.text;

import static dev.patchbay.core.JsonAssertions.assertJsonEquals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class TextOpsTest {

  private static JsonNode j(String json) {
    return Json.parse(json);
  }

  private static JsonNode apply(JsonNode current, String delta) {
    return TextOps.apply(current, j(delta), false);
  }

  @Test
  void apply_missingTarget_startsFromANewline() {
    assertJsonEquals(
        j("{\"ops\":[{\"insert\":\"hi\\n\"}]}"),
        TextOps.apply(null, j("[{\"insert\":\"hi\"}]"), false));
    assertJsonEquals(
        j("{\"ops\":[{\"insert\":\"hello world\\n\\n\"}]}"),
        TextOps.apply(null, j("[{\"insert\":\"hello world\\n\"}]"), false));
  }

  @Test
  void apply_emptyDelta_storesTheNewlineDocument() {
    assertJsonEquals(j("{\"ops\":[{\"insert\":\"\\n\"}]}"), TextOps.apply(null, j("[]"), false));
  }

  @Test
  void apply_valueThatIsNotText_startsOver() {
    for (String current :
        new String[] {
          "null", "\"a string\"", "42", "[]", "[{\"test\":true}]", "[{\"insert\":\"\"}]", "{}"
        }) {
      assertJsonEquals(
          j("{\"ops\":[{\"insert\":\"x\\n\"}]}"), apply(j(current), "[{\"insert\":\"x\"}]"));
    }
  }

  @Test
  void apply_bareOpsArrayAndOpsObject_readTheSame() {
    String change = "[{\"retain\":2},{\"insert\":\"-\"}]";
    JsonNode expected = j("{\"ops\":[{\"insert\":\"ab-c\\n\"}]}");
    assertJsonEquals(expected, apply(j("[{\"insert\":\"abc\\n\"}]"), change));
    assertJsonEquals(expected, apply(j("{\"ops\":[{\"insert\":\"abc\\n\"}]}"), change));
    assertJsonEquals(
        expected,
        TextOps.apply(j("[{\"insert\":\"abc\\n\"}]"), j("{\"ops\":" + change + "}"), false));
  }

  @Test
  void apply_emptyOpsObject_isAnEmptyDocumentNotANewline() {
    // {"ops":[]} is a text (its ops member is truthy) with nothing in it, so the overrun retain
    // lands at the start; a missing value starts as "\n" and the insert lands after it.
    String change = "[{\"retain\":2},{\"insert\":\"x\"}]";
    assertJsonEquals(j("{\"ops\":[{\"insert\":\"x\\n\"}]}"), apply(j("{\"ops\":[]}"), change));
    assertJsonEquals(
        j("{\"ops\":[{\"insert\":\"\\nx\\n\"}]}"), TextOps.apply(null, j(change), false));
  }

  @Test
  void apply_retainPastTheEnd_dropsTheOverrunAndLandsAfterTheNewline() {
    assertJsonEquals(
        j("{\"ops\":[{\"insert\":\"abc\\nX\\n\"}]}"),
        apply(j("{\"ops\":[{\"insert\":\"abc\\n\"}]}"), "[{\"retain\":10},{\"insert\":\"X\"}]"));
  }

  @Test
  void apply_trailingRetainAndDeletePastTheEnd_areDropped() {
    assertJsonEquals(
        j("{\"ops\":[{\"insert\":\"Short\\n\"}]}"),
        apply(j("{\"ops\":[{\"insert\":\"Short\\n\"}]}"), "[{\"retain\":21},{\"delete\":5}]"));
  }

  @Test
  void apply_formattingRetainPastTheEnd_isDroppedNotPadded() {
    assertJsonEquals(
        j(
            "{\"ops\":[{\"insert\":\"ab\\n\",\"attributes\":{\"bold\":true}},{\"insert\":\"x\\n\"}]}"),
        apply(
            j("{\"ops\":[{\"insert\":\"ab\\n\"}]}"),
            "[{\"retain\":6,\"attributes\":{\"bold\":true}},{\"insert\":\"x\"}]"));
  }

  @Test
  void apply_legacyPadding_turnsTheOverrunIntoSpaces() {
    JsonNode result =
        TextOps.apply(
            j("{\"ops\":[{\"insert\":\"ab\\n\"}]}"),
            j("[{\"retain\":6},{\"insert\":\"x\"}]"),
            true);
    assertJsonEquals(j("{\"ops\":[{\"insert\":\"ab\\n   x\\n\"}]}"), result);
  }

  @Test
  void apply_legacyPadding_keepsTheRetainsFormatOnTheSpaces() {
    JsonNode result =
        TextOps.apply(
            j("{\"ops\":[{\"insert\":\"ab\\n\"}]}"),
            j("[{\"retain\":5,\"attributes\":{\"bold\":true}},{\"insert\":\"x\"}]"),
            true);
    assertJsonEquals(
        j(
            "{\"ops\":[{\"insert\":\"ab\\n  \",\"attributes\":{\"bold\":true}},"
                + "{\"insert\":\"x\\n\"}]}"),
        result);
  }

  @Test
  void apply_textEndingWithoutNewline_getsOne() {
    assertJsonEquals(
        j("{\"ops\":[{\"insert\":\"abc\"},{\"insert\":{\"image\":\"a\"}},{\"insert\":\"\\n\"}]}"),
        apply(
            j("{\"ops\":[{\"insert\":\"abc\"}]}"),
            "[{\"retain\":3},{\"insert\":{\"image\":\"a\"}}]"));
  }

  @Test
  void apply_deleteEverything_leavesANewline() {
    assertJsonEquals(
        j("{\"ops\":[{\"insert\":\"\\n\"}]}"),
        apply(j("{\"ops\":[{\"insert\":\"abc\\n\"}]}"), "[{\"delete\":4}]"));
  }

  @Test
  void apply_valueThatIsNotADelta_failsWithInvalidDelta() {
    for (String value : new String[] {"\"text\"", "{\"ops\":1}", "null", "{}"}) {
      assertThatThrownBy(() -> TextOps.apply(null, j(value), false))
          .isInstanceOf(PatchbayException.class)
          .hasMessage("Invalid delta");
    }
  }

  @Test
  void apply_storedArrayStartingWithNull_fails() {
    assertThatThrownBy(() -> apply(j("[null]"), "[{\"insert\":\"x\"}]"))
        .isInstanceOf(PatchbayException.class);
  }

  @Test
  void apply_doesNotModifyItsInputs() {
    JsonNode current = j("{\"ops\":[{\"insert\":\"abc\\n\"}]}");
    JsonNode delta = j("[{\"retain\":1,\"attributes\":{\"bold\":true}},{\"insert\":\"x\"}]");
    String before = Json.write(current) + Json.write(delta);
    TextOps.apply(current, delta, false);
    assertThat(Json.write(current) + Json.write(delta)).isEqualTo(before);
  }

  @Test
  void readDocument_nestedOpsObject_isReadLikeQuillsConstructor() {
    assertThat(TextOps.readDocument(j("{\"ops\":{\"ops\":[{\"insert\":\"a\"}]}}")))
        .isEqualTo(Delta.builder().insert("a").build());
    assertThat(TextOps.readDocument(j("{\"ops\":true}")).isEmpty()).isTrue();
    assertThat(TextOps.readDocument(j("{\"ops\":0}")))
        .isEqualTo(Delta.builder().insert("\n").build());
  }

  @Test
  void opsOf_acceptsBothShapes() {
    assertThat(TextOps.opsOf(j("[]"))).isNotNull();
    assertThat(TextOps.opsOf(j("{\"ops\":[]}"))).isNotNull();
    assertThat(TextOps.opsOf(j("{\"ops\":{}}"))).isNull();
    assertThat(TextOps.opsOf(null)).isNull();
    assertThat(TextOps.deltaOf(j("\"x\""))).isNull();
  }

  @Test
  void invert_undoesTheOpOnThePriorText() {
    JsonNode prior = j("{\"ops\":[{\"insert\":\"Hello world\\n\"}]}");
    JsonNode value = j("[{\"retain\":5},{\"delete\":6}]");
    JsonNode inverse = TextOps.invert(value, prior);
    assertJsonEquals(j("[{\"retain\":5},{\"insert\":\" world\"}]"), inverse);
    JsonNode after = TextOps.apply(prior, value, false);
    assertJsonEquals(prior, TextOps.apply(after, inverse, false));
  }

  @Test
  void invert_priorValueNotText_fails() {
    assertThatThrownBy(() -> TextOps.invert(j("[]"), j("\"x\"")))
        .isInstanceOf(PatchbayException.class);
    assertThatThrownBy(() -> TextOps.invert(j("1"), j("[]"))).isInstanceOf(PatchbayException.class);
  }

  @Test
  void compose_twoTextOps_composeTheirDeltas() {
    assertJsonEquals(
        j("[{\"insert\":\"ab\"},{\"retain\":1},{\"insert\":\"c\"}]"),
        TextOps.compose(
            j("[{\"insert\":\"a\"}]"),
            j("{\"ops\":[{\"retain\":1},{\"insert\":\"b\"},{\"retain\":1},{\"insert\":\"c\"}]}")));
    assertThatThrownBy(() -> TextOps.compose(j("1"), j("[]")))
        .isInstanceOf(PatchbayException.class);
  }
}
