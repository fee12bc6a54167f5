package dev.patchbay.core.ot;

import static dev.patchbay.core.ot.BatchingFixtures.change;
import static dev.patchbay.core.ot.BatchingFixtures.json;
import static dev.patchbay.core.ot.BatchingFixtures.op;
import static dev.patchbay.core.ot.BatchingFixtures.ratio;
import static dev.patchbay.core.ot.BatchingFixtures.repeat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.patch.PatchOp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** Change splitting and wire batching; mirrors the upstream changeBatching spec. */
class ChangeBatchingTest {

  @Nested
  class JsonByteSize {
    @ParameterizedTest
    @ValueSource(
        strings = {
          "{\"foo\":\"bar\"}",
          "[1,2,3]",
          "{\"a\":{\"b\":{\"c\":\"deep\"}}}",
          "{\"s\":\"quote\\\" backslash\\\\ newline\\n tab\\t\"}",
          "{\"s\":\"caf\u00e9 \u4e2d\u6587 \ud83d\ude00\"}",
          "[true,false,null,-12,1795301536182]",
          "[0.5,-1.25,123.456]",
          "[]",
          "{}"
        })
    void jsonByteSize_plainJson_isUtf8LengthOfCompactText(String text) {
      JsonNode node = Json.parse(text);

      assertThat(ChangeBatching.jsonByteSize(node))
          .isEqualTo(Json.write(node).getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void jsonByteSize_numbers_followJavaScriptFormatting() {
      // JSON.stringify: 1 (not 1.0), 1e21 (not 1.0E21), 1e-7, 1.5e+300, null for NaN.
      assertThat(ChangeBatching.jsonByteSize(Json.NODES.numberNode(1.0))).isEqualTo(1);
      assertThat(ChangeBatching.jsonByteSize(Json.NODES.numberNode(1e20))).isEqualTo(21);
      assertThat(ChangeBatching.jsonByteSize(Json.NODES.numberNode(1e21))).isEqualTo(5);
      assertThat(ChangeBatching.jsonByteSize(Json.NODES.numberNode(1e-7))).isEqualTo(4);
      assertThat(ChangeBatching.jsonByteSize(Json.NODES.numberNode(0.000001))).isEqualTo(8);
      assertThat(ChangeBatching.jsonByteSize(Json.NODES.numberNode(1.5e300))).isEqualTo(8);
      assertThat(ChangeBatching.jsonByteSize(Json.NODES.numberNode(-2.5e-10))).isEqualTo(8);
      assertThat(ChangeBatching.jsonByteSize(Json.NODES.numberNode(Double.NaN))).isEqualTo(4);
    }

    @Test
    void jsonByteSize_controlAndLoneSurrogate_countAsSixByteEscapes() {
      assertThat(ChangeBatching.jsonByteSize(Json.NODES.stringNode("\u0001"))).isEqualTo(8);
      assertThat(ChangeBatching.jsonByteSize(Json.NODES.stringNode("\ud800"))).isEqualTo(8);
    }
  }

  @Nested
  class BreakChanges {
    private final List<PatchOp> twoOps =
        List.of(
            op("add", "/test1", Json.NODES.stringNode("data1")),
            op("add", "/test2", Json.NODES.stringNode("data2")));

    private long oneOpBudget() {
      return ChangeBatching.jsonByteSize(change(1, List.of(twoOps.get(0)))) + 10;
    }

    @Test
    void breakChanges_allUnderLimit_returnsThemUnchanged() {
      Change c = change(1, List.of(op("add", "/test", Json.NODES.stringNode("small"))));

      List<Change> result =
          ChangeBatching.breakChanges(
              List.of(c), ChangeBatching.jsonByteSize(c) + 100, SplitOptions.defaults());

      assertThat(result).containsExactly(c);
    }

    @Test
    void breakChanges_severalSmallChanges_keepsEach() {
      Change a = change(1, List.of(twoOps.get(0)));
      Change b = change(2, List.of(twoOps.get(1)));

      assertThat(ChangeBatching.breakChanges(List.of(a, b), 1000, SplitOptions.defaults()))
          .containsExactly(a, b);
    }

    @Test
    void breakChanges_overLimit_splitsByOps() {
      List<Change> result =
          ChangeBatching.breakChanges(
              List.of(change(1, twoOps)), oneOpBudget(), SplitOptions.defaults());

      assertThat(result).hasSize(2);
      assertThat(result.get(0).ops()).containsExactly(twoOps.get(0));
      assertThat(result.get(1).ops()).containsExactly(twoOps.get(1));
    }

    @Test
    void breakChanges_split_keepsBatchIdMetadataAndBaseRev() {
      Change c =
          new Change(
              "change-1",
              3,
              5,
              twoOps,
              7,
              0,
              "my-batch-id",
              null,
              Map.of("customMetadata", Json.NODES.stringNode("test-value")));

      List<Change> result =
          ChangeBatching.breakChanges(List.of(c), oneOpBudget() + 40, SplitOptions.defaults());

      assertThat(result).hasSize(2);
      for (Change piece : result) {
        assertThat(piece.batchId()).isEqualTo("my-batch-id");
        assertThat(piece.baseRev()).isEqualTo(3);
        assertThat(piece.createdAt()).isEqualTo(7);
        assertThat(piece.metadata())
            .containsEntry("customMetadata", Json.NODES.stringNode("test-value"));
      }
    }

    @Test
    void breakChanges_split_numbersRevsFromTheOriginalAndKeepsTheFirstId() {
      Change c = change("change-5", 5, 3, twoOps);

      List<Change> result =
          ChangeBatching.breakChanges(List.of(c), oneOpBudget(), SplitOptions.defaults());

      assertThat(result).extracting(Change::rev).containsExactly(5L, 6L);
      assertThat(result).extracting(Change::baseRev).containsExactly(3L, 3L);
      assertThat(result.get(0).id()).isEqualTo("change-5");
      assertThat(result.get(1).id()).isNotEqualTo("change-5");
    }

    @Test
    void breakChanges_splitChange_shiftsTheRevsOfLaterChanges() {
      Change first = change("a", 1, 0, twoOps);
      Change second = change("b", 2, 0, List.of(twoOps.get(0)));

      List<Change> result =
          ChangeBatching.breakChanges(
              List.of(first, second), oneOpBudget(), SplitOptions.defaults());

      assertThat(result).extracting(Change::rev).containsExactly(1L, 2L, 3L);
      assertThat(result.get(2).id()).isEqualTo("b");
    }

    @Test
    void breakChanges_empty_returnsEmpty() {
      assertThat(ChangeBatching.breakChanges(List.of(), 100, SplitOptions.defaults())).isEmpty();
    }

    @Test
    void breakChanges_oversizedMove_isEmittedAndReported() {
      List<OversizedOp> reports = new ArrayList<>();
      Change c = change(1, List.of(PatchOp.move("/destination", "/source")));

      List<Change> result =
          ChangeBatching.breakChanges(
              List.of(c),
              ChangeBatching.jsonByteSize(c) - 50,
              SplitOptions.defaults().withOnOversizedOp(reports::add));

      assertThat(result).hasSize(1);
      assertThat(result.get(0).ops()).isEqualTo(c.ops());
      assertThat(reports)
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.reason()).isEqualTo(OversizedOp.Reason.OP_TYPE);
                assertThat(r.emitted()).isTrue();
              });
    }

    @Test
    void breakChanges_largeTextDelta_splitsIntoTextPieces() {
      Change c =
          change(
              1,
              List.of(
                  op(
                      "@txt",
                      "/content",
                      json(
                          "[{\"insert\":\"first chunk of text \"},{\"insert\":\"second chunk of"
                              + " text \"},{\"insert\":\"third chunk of text\"}]"))));

      List<Change> result = ChangeBatching.breakChanges(List.of(c), 200, SplitOptions.defaults());

      assertThat(result).hasSizeGreaterThan(1);
      assertThat(result).allSatisfy(r -> assertThat(r.ops().get(0).op()).isEqualTo("@txt"));
      assertThat(result)
          .allSatisfy(r -> assertThat(ChangeBatching.jsonByteSize(r)).isLessThanOrEqualTo(200));
    }

    @Test
    void breakChanges_oversizedReplaceOfString_isEmittedAsIsAndReported() {
      List<OversizedOp> reports = new ArrayList<>();
      Change c =
          change(1, List.of(op("replace", "/content", Json.NODES.stringNode(repeat('x', 500)))));

      List<Change> result =
          ChangeBatching.breakChanges(
              List.of(c), 200, SplitOptions.defaults().withOnOversizedOp(reports::add));

      assertThat(result).hasSize(1);
      assertThat(result.get(0).ops()).isEqualTo(c.ops());
      assertThat(reports)
          .extracting(OversizedOp::reason)
          .containsExactly(OversizedOp.Reason.VALUE_NOT_OBJECT);
    }

    @Test
    void breakChanges_oversizedReplaceWithText_extractsStructureAndTextOps() {
      JsonNode textOps = json("[{\"insert\":\"This is the whole text\\n\"}]");
      Change c =
          change(
              1,
              List.of(
                  op(
                      "replace",
                      "",
                      json(
                          "{\"docs\":{\"scene1\":{\"body\":{\"content\":{\"ops\":"
                              + textOps
                              + "}}}}}"))));

      List<Change> result =
          ChangeBatching.breakChanges(
              List.of(c), ChangeBatching.jsonByteSize(c) - 1, SplitOptions.defaults());

      List<PatchOp> all = result.stream().flatMap(r -> r.ops().stream()).toList();
      assertThat(all).hasSize(2);
      assertThat(all.get(0).op()).isEqualTo("replace");
      assertThat(all.get(0).value())
          .isEqualTo(json("{\"docs\":{\"scene1\":{\"body\":{\"content\":{}}}}}"));
      assertThat(all.get(1).op()).isEqualTo("@txt");
      assertThat(all.get(1).path()).isEqualTo("/docs/scene1/body/content");
      assertThat(all.get(1).value()).isEqualTo(textOps);
    }

    @Test
    void breakChanges_extractedOpsFit_staysOneChange() {
      Change c =
          change(
              1,
              List.of(
                  op(
                      "replace",
                      "",
                      json(
                          "{\"docs\":{\"scene1\":{\"content\":{\"ops\":[{\"insert\":\"short\\n\"}]}}}}"))));
      // A store that charges heavily for text embedded in structure: only extraction can fit.
      SizeCalculator textInStructureIsExpensive =
          json -> ChangeBatching.jsonByteSize(json) + (hasNestedOps(json.get("ops")) ? 1000 : 0);

      List<Change> result =
          ChangeBatching.breakChanges(
              List.of(c),
              500,
              SplitOptions.defaults().withSizeCalculator(textInStructureIsExpensive));

      assertThat(result).singleElement();
      assertThat(result.get(0).ops()).extracting(PatchOp::op).containsExactly("replace", "@txt");
      assertThat(result.get(0).ops().get(0).value())
          .isEqualTo(json("{\"docs\":{\"scene1\":{\"content\":{}}}}"));
      assertThat(result.get(0).id()).isEqualTo(c.id());
    }

    private boolean hasNestedOps(JsonNode ops) {
      for (JsonNode op : ops) {
        JsonNode value = op.get("value");
        if (value != null && value.isObject() && value.toString().contains("\"ops\"")) {
          return true;
        }
      }
      return false;
    }

    @Test
    void breakChanges_extractedOpsTooLarge_splitsIntoStructureThenText() {
      String text = "{\"ops\":[{\"insert\":\"" + repeat('a', 300) + "\\n\"}]}";
      Change c =
          change(
              1,
              List.of(
                  op("replace", "", json("{\"fieldA\":" + text + ",\"fieldB\":" + text + "}"))));

      List<Change> result = ChangeBatching.breakChanges(List.of(c), 400, SplitOptions.defaults());

      assertThat(result).hasSizeGreaterThan(1);
      assertThat(result)
          .allSatisfy(r -> assertThat(ChangeBatching.jsonByteSize(r)).isLessThanOrEqualTo(400));
      assertThat(result.get(0).ops().get(0).op()).isEqualTo("replace");
      assertThat(result.subList(1, result.size()))
          .allSatisfy(r -> assertThat(r.ops().get(0).op()).isEqualTo("@txt"));
      for (int i = 0; i < result.size(); i++) {
        assertThat(result.get(i).rev()).isEqualTo(i + 1);
      }
      assertThat(result.get(0).id()).isEqualTo(c.id());
    }

    @Test
    void breakChanges_oversizedReplaceWithoutText_isEmittedAsIsAndReported() {
      List<OversizedOp> reports = new ArrayList<>();
      Change c = change(1, List.of(op("replace", "/data", json("{\"a\":1,\"b\":2,\"c\":3}"))));

      List<Change> result =
          ChangeBatching.breakChanges(
              List.of(c),
              ChangeBatching.jsonByteSize(c) - 5,
              SplitOptions.defaults().withOnOversizedOp(reports::add));

      assertThat(result).singleElement().extracting(Change::ops).isEqualTo(c.ops());
      assertThat(reports)
          .extracting(OversizedOp::reason)
          .containsExactly(OversizedOp.Reason.VALUE_NO_TEXT);
    }

    @Test
    void breakChanges_textKeysNeedingEscapes_useEscapedPointers() {
      Change c =
          change(
              1,
              List.of(
                  op(
                      "replace",
                      "/x",
                      json(
                          "{\"a/b\":{\"c~d\":{\"ops\":[{\"insert\":\""
                              + repeat('t', 200)
                              + "\\n\"}]}}}"))));

      List<Change> result = ChangeBatching.breakChanges(List.of(c), 200, SplitOptions.defaults());

      assertThat(result.stream().flatMap(r -> r.ops().stream()).filter(o -> o.op().equals("@txt")))
          .allSatisfy(o -> assertThat(o.path()).isEqualTo("/x/a~1b/c~0d"));
    }

    @Test
    void breakChanges_ratioCalculator_measuresWithIt() {
      Change c =
          change(
              1,
              List.of(
                  op("add", "/a", Json.NODES.stringNode(repeat('a', 200))),
                  op("add", "/b", Json.NODES.stringNode(repeat('b', 200)))));
      long singleOpSize = ChangeBatching.jsonByteSize(change(1, List.of(c.ops().get(0))));

      assertThat(
              ChangeBatching.breakChanges(List.of(c), singleOpSize + 10, SplitOptions.defaults()))
          .hasSizeGreaterThan(1);
      SplitOptions halved = SplitOptions.defaults().withSizeCalculator(ratio(0.5));
      assertThat(ChangeBatching.breakChanges(List.of(c), singleOpSize + 10, halved)).hasSize(1);
      assertThat(ChangeBatching.breakChanges(List.of(c), (long) (singleOpSize * 0.5) + 10, halved))
          .hasSizeGreaterThanOrEqualTo(2);
    }
  }

  @Nested
  class BreakChangesIntoBatches {
    private Change change(String id, List<PatchOp> ops) {
      return BatchingFixtures.change(id, 1, 0, ops);
    }

    private long withBatchIdSize(Change c) {
      return ChangeBatching.jsonByteSize(c.withBatchId("xxxxxxxxxxxx"));
    }

    @Test
    void breakChangesIntoBatches_defaults_returnsOneBatch() {
      List<Change> changes = List.of(change("1", List.of()), change("2", List.of()));

      assertThat(ChangeBatching.breakChangesIntoBatches(changes, BatchOptions.defaults()))
          .containsExactly(changes);
    }

    @Test
    void breakChangesIntoBatches_underLimit_returnsOneUnchangedBatch() {
      List<Change> changes = List.of(change("1", List.of()), change("2", List.of()));
      long size = ChangeBatching.jsonByteSize(TransformIncomingChangesVectorsTest.toJson(changes));

      assertThat(ChangeBatching.breakChangesIntoBatches(changes, size + 100))
          .containsExactly(changes);
      assertThat(ChangeBatching.breakChangesIntoBatches(changes, size + 1))
          .containsExactly(changes);
    }

    @Test
    void breakChangesIntoBatches_overLimit_oneChangePerBatchWithFirstIdAsBatchId() {
      Change c1 = change("1", List.of(op("add", "/test1", Json.NODES.stringNode("data1"))));
      Change c2 = change("2", List.of(op("add", "/test2", Json.NODES.stringNode("data2"))));

      List<List<Change>> result =
          ChangeBatching.breakChangesIntoBatches(List.of(c1, c2), withBatchIdSize(c1) + 10);

      assertThat(result).hasSize(2);
      assertThat(result.get(0)).containsExactly(c1.withBatchId("1"));
      assertThat(result.get(1)).containsExactly(c2.withBatchId("1"));
    }

    @Test
    void breakChangesIntoBatches_empty_returnsOneEmptyBatch() {
      assertThat(ChangeBatching.breakChangesIntoBatches(List.of(), 100)).containsExactly(List.of());
    }

    @Test
    void breakChangesIntoBatches_smallChanges_packsTwoPerBatch() {
      List<Change> changes = new ArrayList<>();
      for (String id : List.of("1", "2", "3", "4")) {
        changes.add(change(id, List.of(op("add", "/" + id, Json.NODES.stringNode(id)))));
      }
      long two = withBatchIdSize(changes.get(0)) * 2 + 10;

      List<List<Change>> result = ChangeBatching.breakChangesIntoBatches(changes, two);

      assertThat(result).extracting(List::size).containsExactly(2, 2);
      assertThat(result)
          .allSatisfy(
              batch ->
                  assertThat(
                          ChangeBatching.jsonByteSize(
                              TransformIncomingChangesVectorsTest.toJson(batch)))
                      .isLessThanOrEqualTo(two));
    }

    @Test
    void breakChangesIntoBatches_changeLargerThanWire_isSplitFirst() {
      Change large =
          change(
              "1",
              List.of(
                  op("add", "/a", Json.NODES.stringNode(repeat('x', 500))),
                  op("add", "/b", Json.NODES.stringNode(repeat('y', 500)))));

      List<List<Change>> result = ChangeBatching.breakChangesIntoBatches(List.of(large), 400);

      assertThat(result).hasSizeGreaterThanOrEqualTo(2);
      assertThat(result.stream().flatMap(List::stream))
          .allSatisfy(c -> assertThat(c.batchId()).isEqualTo("1"));
      assertThat(result.get(0).get(0).id()).isEqualTo("1");
    }

    @Test
    void breakChangesIntoBatches_storageBudget_splitsChangesEvenInOneBatch() {
      Change large =
          change(
              "1",
              List.of(
                  op("add", "/a", Json.NODES.stringNode(repeat('x', 200))),
                  op("add", "/b", Json.NODES.stringNode(repeat('y', 200)))));

      List<List<Change>> result =
          ChangeBatching.breakChangesIntoBatches(
              List.of(large),
              BatchOptions.defaults().withMaxPayloadBytes(10_000).withMaxStorageBytes(250));

      assertThat(result).singleElement().asList().hasSize(2);
      assertThat(result.get(0)).allSatisfy(c -> assertThat(c.batchId()).isNull());
    }

    @Test
    void breakChangesIntoBatches_storageCalculator_letsACompressibleChangeFit() {
      Change c = change("1", List.of(op("add", "/data", Json.NODES.stringNode(repeat('a', 500)))));
      SizeCalculator compressed = ratio(0.2);
      double compressedSize = compressed.sizeOf(c.toJson());
      assertThat(compressedSize).isLessThan(ChangeBatching.jsonByteSize(c));

      List<List<Change>> result =
          ChangeBatching.breakChangesIntoBatches(
              List.of(c),
              BatchOptions.defaults()
                  .withMaxStorageBytes((long) compressedSize + 50)
                  .withSplit(SplitOptions.defaults().withSizeCalculator(compressed)));

      assertThat(result).containsExactly(List.of(c));
    }
  }

  @Nested
  class PendingToSend {
    @Test
    void pendingToSend_empty_returnsEmpty() {
      assertThat(ChangeBatching.pendingToSend(List.of())).isEmpty();
    }

    @Test
    void pendingToSend_mixedBaseRevs_returnsTheLeadingRun() {
      Change a = change("a", 4, 3, List.of());
      Change b = change("b", 5, 3, List.of());
      Change c = change("c", 6, 5, List.of());
      Change d = change("d", 7, 3, List.of());

      assertThat(ChangeBatching.pendingToSend(List.of(a, b, c, d))).containsExactly(a, b);
      assertThat(ChangeBatching.pendingToSend(List.of(c, d))).containsExactly(c);
    }
  }
}
