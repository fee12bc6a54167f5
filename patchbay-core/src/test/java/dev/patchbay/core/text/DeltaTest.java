package dev.patchbay.core.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class DeltaTest {

  private static Delta d(String json) {
    return Delta.fromJson(Json.parse(json));
  }

  private static ObjectNode attrs(String json) {
    return (ObjectNode) Json.parse(json);
  }

  private static void assertOps(Delta actual, String expectedJson) {
    assertThat(actual).isEqualTo(d(expectedJson));
  }

  // --- builder (quill's push) ---

  @Test
  void builder_adjacentInsertsWithSameAttributes_merge() {
    Delta delta =
        Delta.builder()
            .insert("ab", attrs("{\"bold\":true}"))
            .insert("cd", attrs("{\"bold\":true}"))
            .insert("e")
            .build();
    assertOps(delta, "[{\"insert\":\"abcd\",\"attributes\":{\"bold\":true}},{\"insert\":\"e\"}]");
  }

  @Test
  void builder_retainsAndDeletes_mergeWithTheirKind() {
    Delta delta = Delta.builder().retain(2).retain(3).delete(1).delete(2).build();
    assertOps(delta, "[{\"retain\":5},{\"delete\":3}]");
  }

  @Test
  void builder_insertAfterDelete_goesBeforeTheDeleteAndMerges() {
    Delta delta = Delta.builder().insert("a").delete(2).insert("b").build();
    assertOps(delta, "[{\"insert\":\"ab\"},{\"delete\":2}]");
  }

  @Test
  void builder_insertAfterLeadingDelete_goesFirst() {
    Delta delta = Delta.builder().delete(2).insert("b").build();
    assertOps(delta, "[{\"insert\":\"b\"},{\"delete\":2}]");
  }

  @Test
  void builder_zeroLengthsAndEmptyAttributes_areSkipped() {
    Delta delta = Delta.builder().insert("").retain(0).delete(0).retain(2, Json.object()).build();
    assertOps(delta, "[{\"retain\":2}]");
  }

  @Test
  void builder_embedInserts_neverMerge() {
    ObjectNode image = attrs("{\"image\":\"a.png\"}");
    Delta delta = Delta.builder().insertEmbed(image, null).insertEmbed(image, null).build();
    assertThat(delta.size()).isEqualTo(2);
    assertThat(delta.length()).isEqualTo(2);
  }

  @Test
  void builder_pushJson_mergesButKeepsTheOpOtherwise() {
    Delta delta =
        Delta.builder()
            .push(Json.parse("{\"insert\":\"a\"}"))
            .push(Json.parse("{\"insert\":\"b\",\"attributes\":{}}"))
            .build();
    // An empty attribute map is not "no attributes" for quill's isEqual, so no merge.
    assertOps(delta, "[{\"insert\":\"a\"},{\"insert\":\"b\",\"attributes\":{}}]");
  }

  // --- JSON ---

  @Test
  void fromJson_opsObjectOrArray_readTheSame() {
    assertThat(d("{\"ops\":[{\"insert\":\"a\"}]}")).isEqualTo(d("[{\"insert\":\"a\"}]"));
  }

  @Test
  void fromJson_adjacentInserts_areKeptUnmerged() {
    Delta delta = d("[{\"insert\":\"a\"},{\"insert\":\"b\"}]");
    assertThat(delta.size()).isEqualTo(2);
    assertThat(delta).isNotEqualTo(d("[{\"insert\":\"ab\"}]"));
  }

  @Test
  void fromJson_malformed_throws400() {
    for (String bad :
        new String[] {
          "\"text\"",
          "{\"ops\":\"x\"}",
          "[1]",
          "[{}]",
          "[{\"retain\":-1}]",
          "[{\"retain\":1.5}]",
          "[{\"delete\":\"2\"}]",
          "[{\"insert\":5}]",
          "[{\"insert\":\"a\",\"attributes\":\"bold\"}]"
        }) {
      assertThatThrownBy(() -> d(bad))
          .as(bad)
          .isInstanceOf(PatchbayException.class)
          .extracting(e -> ((PatchbayException) e).code())
          .isEqualTo(400);
    }
  }

  @Test
  void toJson_andDocumentJson_roundTrip() {
    String ops =
        "[{\"insert\":\"a\",\"attributes\":{\"bold\":true}},{\"insert\":{\"image\":\"x\"}},"
            + "{\"retain\":{\"image\":\"y\"}},{\"retain\":2},{\"delete\":1}]";
    Delta delta = d(ops);
    assertThat(Json.equal(delta.toJson(), Json.parse(ops))).isTrue();
    assertThat(Json.equal(delta.toDocumentJson(), Json.parse("{\"ops\":" + ops + "}"))).isTrue();
    assertThat(Delta.fromJson(delta.toDocumentJson())).isEqualTo(delta);
  }

  @Test
  void equals_attributeNumbersCompareByValue() {
    Delta a = d("[{\"retain\":1,\"attributes\":{\"size\":1}}]");
    Delta b = d("[{\"retain\":1,\"attributes\":{\"size\":1.0}}]");
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(d("[{\"retain\":1,\"attributes\":{\"size\":2}}]"));
  }

  @Test
  void length_countsEveryKind() {
    Delta delta =
        d("[{\"insert\":\"ab\"},{\"insert\":{\"image\":\"x\"}},{\"retain\":3},{\"delete\":4}]");
    assertThat(delta.length()).isEqualTo(10);
    assertThat(delta.changeLength()).isEqualTo(-1);
  }

  @Test
  void slice_splitsOpsAtTheBounds() {
    Delta doc = Delta.builder().insert("Hello", attrs("{\"bold\":true}")).insert(" world").build();
    assertOps(
        doc.slice(3, 8),
        "[{\"insert\":\"lo\",\"attributes\":{\"bold\":true}},{\"insert\":\" wo\"}]");
    assertOps(doc.slice(6), "[{\"insert\":\"world\"}]");
  }

  // --- compose ---

  @Test
  void compose_retainWithAttributes_formatsInsert() {
    Delta doc = Delta.builder().insert("abc", attrs("{\"bold\":true}")).build();
    Delta change = Delta.builder().retain(1, attrs("{\"bold\":null,\"italic\":true}")).build();
    // On an insert a null removes the format and is not kept.
    assertOps(
        doc.compose(change),
        "[{\"insert\":\"a\",\"attributes\":{\"italic\":true}},"
            + "{\"insert\":\"bc\",\"attributes\":{\"bold\":true}}]");
  }

  @Test
  void compose_retainOnRetain_keepsNullAttributes() {
    Delta first = Delta.builder().retain(3, attrs("{\"bold\":true}")).build();
    Delta second = Delta.builder().retain(1, attrs("{\"bold\":null}")).build();
    assertOps(
        first.compose(second),
        "[{\"retain\":1,\"attributes\":{\"bold\":null}},"
            + "{\"retain\":2,\"attributes\":{\"bold\":true}}]");
  }

  @Test
  void compose_insertThenDeleteOfIt_cancelsOut() {
    Delta a = Delta.builder().insert("abc").build();
    Delta b = Delta.builder().retain(1).delete(1).build();
    assertOps(a.compose(b), "[{\"insert\":\"ac\"}]");
  }

  @Test
  void compose_deleteOnRetain_isKeptAndTrailingRetainChopped() {
    assertOps(d("[{\"retain\":2}]").compose(d("[{\"delete\":1}]")), "[{\"delete\":1}]");
  }

  @Test
  void compose_retainBeyondTheDocument_staysARetain() {
    Delta doc = Delta.builder().insert("abc").build();
    Delta change = Delta.builder().retain(5).insert("x").build();
    assertOps(doc.compose(change), "[{\"insert\":\"abc\"},{\"retain\":2},{\"insert\":\"x\"}]");
  }

  @Test
  void compose_leadingPlainRetain_copiesWholeInsertsUnmerged() {
    Delta doc = d("[{\"insert\":\"a\"},{\"insert\":\"b\"}]");
    assertOps(
        doc.compose(d("[{\"retain\":2},{\"insert\":\"x\"}]")),
        "[{\"insert\":\"a\"},{\"insert\":\"bx\"}]");
  }

  @Test
  void compose_restOfOtherIsRetain_copiesTheRestAsIs() {
    Delta doc = d("[{\"insert\":\"x\"},{\"insert\":\"y\"},{\"insert\":\"z\"}]");
    Delta change = Delta.builder().retain(1, attrs("{\"bold\":true}")).build();
    assertOps(
        doc.compose(change),
        "[{\"insert\":\"x\",\"attributes\":{\"bold\":true}},{\"insert\":\"y\"},{\"insert\":\"z\"}]");
  }

  @Test
  void compose_withEmpty_isIdentityOnNormalisedDeltas() {
    Delta doc = Delta.builder().insert("ab", attrs("{\"bold\":true}")).insert("c\n").build();
    assertThat(doc.compose(Delta.empty())).isEqualTo(doc);
    assertThat(Delta.empty().compose(doc)).isEqualTo(doc);
  }

  @Test
  void compose_embedRetainOnEmbedWithoutHandler_throws() {
    Delta doc = d("[{\"insert\":{\"counter\":1}}]");
    Delta change = d("[{\"retain\":{\"counter\":2}}]");
    assertThatThrownBy(() -> doc.compose(change))
        .isInstanceOf(PatchbayException.class)
        .hasMessage("no handlers for embed type \"counter\"");
  }

  @Test
  void compose_embedRetainOnText_throws() {
    assertThatThrownBy(() -> d("[{\"insert\":\"a\"}]").compose(d("[{\"retain\":{\"x\":1}}]")))
        .isInstanceOf(PatchbayException.class)
        .hasMessage("cannot retain a string");
  }

  @Test
  void compose_embedRetainWithHandler_composesThePayload() {
    Delta doc = d("[{\"insert\":{\"counter\":1},\"attributes\":{\"bold\":true}}]");
    Delta change = d("[{\"retain\":{\"counter\":2},\"attributes\":{\"bold\":null}}]");
    assertOps(doc.compose(change, COUNTER), "[{\"insert\":{\"counter\":3}}]");
    // quill keeps nulls only on a count retain; on an embed retain they are dropped.
    assertOps(
        d("[{\"retain\":{\"counter\":1}}]").compose(change, COUNTER),
        "[{\"retain\":{\"counter\":3}}]");
  }

  @Test
  void compose_plainRetainOverEmbedRetain_keepsTheEmbedRetain() {
    Delta first = d("[{\"retain\":{\"counter\":1}}]");
    Delta second = d("[{\"retain\":1,\"attributes\":{\"bold\":true}}]");
    assertOps(
        first.compose(second), "[{\"retain\":{\"counter\":1},\"attributes\":{\"bold\":true}}]");
  }

  // --- transform ---

  @Test
  void transform_insertsAtOnePlace_priorityPutsThisFirst() {
    Delta a = Delta.builder().insert("A").build();
    Delta b = Delta.builder().insert("B").build();
    assertOps(a.transform(b, true), "[{\"retain\":1},{\"insert\":\"B\"}]");
    assertOps(a.transform(b, false), "[{\"insert\":\"B\"}]");
  }

  @Test
  void transform_committedInsertBeforeIncoming_shiftsIt() {
    // The example of shared/protocol/patches.md §4.2.
    assertOps(
        d("[{\"insert\":\"AB\"}]").transform(d("[{\"insert\":\"C\"}]"), true),
        "[{\"retain\":2},{\"insert\":\"C\"}]");
  }

  @Test
  void transform_overlappingDeletes_deleteOnlyTheRest() {
    Delta a = Delta.builder().retain(2).delete(3).build();
    Delta b = Delta.builder().retain(3).delete(3).build();
    assertOps(a.transform(b, true), "[{\"retain\":2},{\"delete\":1}]");
  }

  @Test
  void transform_sameAttribute_priorityDecidesWhoWins() {
    Delta a = Delta.builder().retain(1, attrs("{\"bold\":true}")).build();
    Delta b = Delta.builder().retain(1, attrs("{\"bold\":false,\"italic\":true}")).build();
    assertOps(a.transform(b, true), "[{\"retain\":1,\"attributes\":{\"italic\":true}}]");
    assertOps(
        a.transform(b, false), "[{\"retain\":1,\"attributes\":{\"bold\":false,\"italic\":true}}]");
  }

  @Test
  void transform_embedRetains_useTheHandlerOrFail() {
    Delta a = d("[{\"retain\":{\"counter\":1}}]");
    Delta b = d("[{\"retain\":{\"counter\":5}}]");
    assertOps(a.transform(b, true, COUNTER), "[{\"retain\":{\"counter\":10}}]");
    assertThatThrownBy(() -> a.transform(b, true)).isInstanceOf(PatchbayException.class);
    // Different embed types: the other retain is kept unchanged.
    assertOps(a.transform(d("[{\"retain\":{\"image\":1}}]"), true), "[{\"retain\":{\"image\":1}}]");
  }

  @Test
  void transform_opsBeyondTheOtherDelta_passThrough() {
    Delta a = Delta.builder().retain(1).insert("x").build();
    Delta b = Delta.builder().retain(10).delete(2).build();
    assertOps(a.transform(b, true), "[{\"retain\":11},{\"delete\":2}]");
  }

  // --- transformPosition ---

  @Test
  void transformPosition_insertAtTheIndex_dependsOnPriority() {
    Delta change = Delta.builder().retain(2).insert("xx").build();
    assertThat(change.transformPosition(2, true)).isEqualTo(2);
    assertThat(change.transformPosition(2, false)).isEqualTo(4);
    assertThat(change.transformPosition(1, false)).isEqualTo(1);
    assertThat(change.transformPosition(5, true)).isEqualTo(7);
  }

  @Test
  void transformPosition_insideADelete_movesToItsStart() {
    Delta change = Delta.builder().retain(1).delete(3).build();
    assertThat(change.transformPosition(3, false)).isEqualTo(1);
    assertThat(change.transformPosition(6, false)).isEqualTo(3);
    assertThat(change.transformPosition(0, false)).isEqualTo(0);
  }

  @Test
  void transformPosition_leadingInsertWithPriority_keepsZero() {
    assertThat(Delta.builder().insert("ab").build().transformPosition(0, true)).isZero();
    assertThat(Delta.builder().insert("ab").build().transformPosition(0, false)).isEqualTo(2);
  }

  // --- invert ---

  @Test
  void invert_insertsAndDeletes_swapWithBaseContent() {
    Delta base =
        Delta.builder().insert("Hello", attrs("{\"bold\":true}")).insert(" world\n").build();
    Delta change = Delta.builder().retain(3).delete(4).insert("X").build();
    assertOps(
        change.invert(base),
        "[{\"retain\":3},{\"insert\":\"lo\",\"attributes\":{\"bold\":true}},"
            + "{\"insert\":\" w\"},{\"delete\":1}]");
    assertThat(base.compose(change).compose(change.invert(base))).isEqualTo(base);
  }

  @Test
  void invert_formatRetain_restoresBaseAttributes() {
    Delta base = Delta.builder().insert("Hello", attrs("{\"bold\":true}")).insert("\n").build();
    Delta change = Delta.builder().retain(2, attrs("{\"bold\":null,\"italic\":true}")).build();
    assertOps(
        change.invert(base), "[{\"retain\":2,\"attributes\":{\"bold\":true,\"italic\":null}}]");
  }

  @Test
  void invert_sameFormatAsBase_isAPlainRetain() {
    Delta base =
        Delta.builder()
            .insert("ab", attrs("{\"color\":\"red\"}"))
            .insert("cd", attrs("{\"color\":\"blue\"}"))
            .build();
    Delta change = Delta.builder().retain(4, attrs("{\"color\":\"red\"}")).build();
    assertOps(
        change.invert(base), "[{\"retain\":2},{\"retain\":2,\"attributes\":{\"color\":\"blue\"}}]");
  }

  @Test
  void invert_beyondTheBase_restoresOnlyWhatExisted() {
    Delta base = Delta.builder().insert("ab\n").build();
    assertThat(Delta.builder().retain(20).delete(5).build().invert(base).isEmpty()).isTrue();
  }

  @Test
  void invert_embedRetain_needsAHandler() {
    Delta base = d("[{\"insert\":{\"counter\":4},\"attributes\":{\"bold\":true}}]");
    Delta change = d("[{\"retain\":{\"counter\":2},\"attributes\":{\"bold\":null}}]");
    assertOps(
        change.invert(base, COUNTER),
        "[{\"retain\":{\"counter\":-2},\"attributes\":{\"bold\":true}}]");
    assertThatThrownBy(() -> change.invert(base)).isInstanceOf(PatchbayException.class);
    assertThatThrownBy(() -> change.invert(Delta.empty(), COUNTER))
        .hasMessage("cannot retain a undefined");
  }

  /** A test embed: a counter whose retains add, invert by negation and double with priority. */
  static final Map<String, EmbedHandler> COUNTER =
      Map.of(
          "counter",
          new EmbedHandler() {
            @Override
            public JsonNode compose(JsonNode a, JsonNode b, boolean keepNull) {
              return Json.number(a.doubleValue() + b.doubleValue());
            }

            @Override
            public JsonNode invert(JsonNode a, JsonNode base) {
              return Json.number(-a.doubleValue());
            }

            @Override
            public JsonNode transform(JsonNode a, JsonNode b, boolean priority) {
              return priority ? Json.number(b.doubleValue() * 2) : b;
            }
          });
}
