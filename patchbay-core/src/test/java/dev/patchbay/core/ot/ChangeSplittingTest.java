package dev.patchbay.core.ot;

import static dev.patchbay.core.ot.BatchingFixtures.astralText;
import static dev.patchbay.core.ot.BatchingFixtures.change;
import static dev.patchbay.core.ot.BatchingFixtures.delete;
import static dev.patchbay.core.ot.BatchingFixtures.delta;
import static dev.patchbay.core.ot.BatchingFixtures.hasLoneSurrogate;
import static dev.patchbay.core.ot.BatchingFixtures.highEntropyText;
import static dev.patchbay.core.ot.BatchingFixtures.insert;
import static dev.patchbay.core.ot.BatchingFixtures.json;
import static dev.patchbay.core.ot.BatchingFixtures.op;
import static dev.patchbay.core.ot.BatchingFixtures.ratio;
import static dev.patchbay.core.ot.BatchingFixtures.repeat;
import static dev.patchbay.core.ot.BatchingFixtures.retain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.ot.BatchingFixtures.Doc;
import dev.patchbay.core.patch.PatchOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Splitting single oversized ops: the unsplittable guard, large text inserts, replay equivalence of
 * text pieces and the estimated split points. Mirrors the upstream changeBatchingUnsplittable,
 * changeBatchingApply and changeBatchingEstimator specs; a fixed-ratio or stepped calculator stands
 * in for LZ compression.
 */
class ChangeSplittingTest {

  /** The ops the splitter has no seam for, one per reason. */
  static Stream<Arguments> hatches() {
    ObjectNode embed = Json.object();
    embed.put("image", "data:image/png;base64," + repeat('A', 4000));
    ObjectNode embedInsert = Json.object();
    embedInsert.set("insert", embed);
    return Stream.of(
        Arguments.of(
            OversizedOp.Reason.OP_TYPE,
            new PatchOp(
                "move",
                "/source",
                "/destination",
                Json.NODES.stringNode(repeat('x', 4000)),
                false,
                null,
                null)),
        Arguments.of(OversizedOp.Reason.DELTA_OP, op("@txt", "/body", delta(embedInsert))),
        Arguments.of(
            OversizedOp.Reason.VALUE_NOT_OBJECT,
            op("replace", "/content", Json.NODES.stringNode(repeat('x', 4000)))),
        Arguments.of(
            OversizedOp.Reason.VALUE_NO_TEXT,
            op("replace", "/data", json("{\"blob\":\"" + repeat('x', 4000) + "\"}"))));
  }

  @Nested
  class Unsplittable {
    private final List<OversizedOp> reports = new ArrayList<>();
    private final SplitOptions reporting =
        SplitOptions.defaults().withDocId("doc-1").withOnOversizedOp(reports::add);

    @ParameterizedTest
    @MethodSource("dev.patchbay.core.ot.ChangeSplittingTest#hatches")
    void breakChanges_belowCeiling_emitsTheOpAndReportsIt(OversizedOp.Reason reason, PatchOp op) {
      List<Change> result =
          ChangeBatching.breakChanges(
              List.of(change(1, List.of(op))), 100, reporting.withMaxUnsplittableBytes(1_000_000));

      assertThat(result).singleElement().satisfies(c -> assertThat(c.ops()).hasSize(1));
      assertThat(reports).singleElement();
      OversizedOp report = reports.get(0);
      assertThat(report.op()).isEqualTo(op.op());
      assertThat(report.path()).isEqualTo(op.path());
      assertThat(report.reason()).isEqualTo(reason);
      assertThat(report.maxBytes()).isEqualTo(100);
      assertThat(report.budget()).isEqualTo(OversizedOp.Budget.STORAGE);
      assertThat(report.docId()).isEqualTo("doc-1");
      assertThat(report.changeId()).isEqualTo("change-1");
      assertThat(report.emitted()).isTrue();
      assertThat(report.bytes()).isGreaterThan(100);
    }

    @ParameterizedTest
    @MethodSource("dev.patchbay.core.ot.ChangeSplittingTest#hatches")
    void breakChanges_aboveCeiling_throwsUnsplittable(OversizedOp.Reason reason, PatchOp op) {
      UnsplittableChangeException error =
          catchThrowableOfType(
              UnsplittableChangeException.class,
              () ->
                  ChangeBatching.breakChanges(
                      List.of(change(1, List.of(op))),
                      100,
                      reporting.withMaxUnsplittableBytes(500)));

      assertThat(error).isNotNull();
      assertThat(error.code()).isEqualTo(413);
      assertThat(error.op()).isEqualTo(op.op());
      assertThat(error.path()).isEqualTo(op.path());
      assertThat(error.bytes()).isGreaterThan(500);
      assertThat(error.maxBytes()).isEqualTo(500);
      assertThat(error.docId()).isEqualTo("doc-1");
      assertThat(error.changeId()).isEqualTo("change-1");
      assertThat(error.getMessage()).contains("cannot be split").contains("500-byte limit");
      assertThat(reports)
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.reason()).isEqualTo(reason);
                assertThat(r.emitted()).isFalse();
              });
    }

    @ParameterizedTest
    @MethodSource("dev.patchbay.core.ot.ChangeSplittingTest#hatches")
    void breakChanges_noCeiling_emitsTheOp(OversizedOp.Reason reason, PatchOp op) {
      List<Change> result =
          ChangeBatching.breakChanges(List.of(change(1, List.of(op))), 100, reporting);

      assertThat(result).hasSize(1);
      assertThat(reports).extracting(OversizedOp::reason).containsExactly(reason);
      assertThat(reports).allSatisfy(r -> assertThat(r.emitted()).isTrue());
    }

    @Test
    void breakChangesIntoBatches_defaultCeiling_emitsUnsplittableOps() {
      Change c =
          change(
              1, List.of(op("replace", "/content", Json.NODES.stringNode(repeat('x', 200_000)))));

      List<List<Change>> batches =
          ChangeBatching.breakChangesIntoBatches(
              List.of(c),
              BatchOptions.defaults()
                  .withMaxStorageBytes(100)
                  .withSplit(reporting.withSizeCalculator(ratio(0.1))));

      assertThat(batches.stream().flatMap(List::stream)).hasSize(1);
      assertThat(reports).singleElement().satisfies(r -> assertThat(r.emitted()).isTrue());
    }

    @Test
    void breakChangesIntoBatches_ceilingSet_refusesUnsplittableOps() {
      Change c =
          change(
              1, List.of(op("replace", "/content", Json.NODES.stringNode(repeat('x', 200_000)))));
      BatchOptions options =
          BatchOptions.defaults()
              .withMaxStorageBytes(100)
              .withSplit(reporting.withSizeCalculator(ratio(0.1)).withMaxUnsplittableBytes(500));

      assertThatThrownBy(() -> ChangeBatching.breakChangesIntoBatches(List.of(c), options))
          .isInstanceOf(UnsplittableChangeException.class);
    }

    @Test
    void breakChangesIntoBatches_opOverTheWireLimit_reportsThePayloadBudget() {
      Change c =
          change(1, List.of(op("replace", "/content", Json.NODES.stringNode(repeat('x', 2000)))));

      List<List<Change>> batches =
          ChangeBatching.breakChangesIntoBatches(
              List.of(c), BatchOptions.defaults().withMaxPayloadBytes(500).withSplit(reporting));

      assertThat(batches).singleElement().asList().hasSize(1);
      assertThat(reports)
          .singleElement()
          .satisfies(r -> assertThat(r.budget()).isEqualTo(OversizedOp.Budget.PAYLOAD));
    }

    @Test
    void breakChanges_splittableOps_areNotReported() {
      Change c =
          change(
              1,
              List.of(
                  op("add", "/a", Json.NODES.stringNode(repeat('a', 4000))),
                  op("add", "/b", Json.NODES.stringNode(repeat('b', 4000)))));

      List<Change> result =
          ChangeBatching.breakChanges(List.of(c), 4200, reporting.withMaxUnsplittableBytes(4300));

      assertThat(result).hasSize(2);
      assertThat(reports).isEmpty();
    }
  }

  @Nested
  class LargeTextInserts {
    private static final long MAX_BYTES = 50_000;
    private final SizeCalculator compressed = ratio(0.6);

    private List<Change> split(JsonNode value, long maxBytes, SplitOptions options) {
      return ChangeBatching.breakChanges(
          List.of(change(1, List.of(op("@txt", "/body", value)))), maxBytes, options);
    }

    private List<String> inserts(List<Change> pieces) {
      List<String> out = new ArrayList<>();
      for (Change piece : pieces) {
        for (JsonNode op : piece.ops().get(0).value()) {
          if (op.has("insert") && op.get("insert").isString()) {
            out.add(op.get("insert").stringValue());
          }
        }
      }
      return out;
    }

    @Test
    void breakChanges_highEntropyInsert_keepsEveryPieceWithinBudget() {
      List<Change> pieces =
          split(
              delta(insert(highEntropyText(100_000, 1))),
              MAX_BYTES,
              SplitOptions.defaults().withSizeCalculator(compressed));

      assertThat(pieces).hasSizeGreaterThan(1);
      assertThat(pieces)
          .allSatisfy(
              p -> assertThat(compressed.sizeOf(p.toJson())).isLessThanOrEqualTo(MAX_BYTES));
    }

    @Test
    void breakChanges_insertAfterRetain_keepsTextAndLeadingRetain() {
      String text = highEntropyText(100_000, 2);

      List<Change> pieces =
          split(
              delta(retain(42), insert(text)),
              MAX_BYTES,
              SplitOptions.defaults().withSizeCalculator(compressed));

      assertThat(pieces.get(0).ops().get(0).value().get(0)).isEqualTo(retain(42));
      assertThat(String.join("", inserts(pieces))).isEqualTo(text);
    }

    @Test
    void breakChanges_insertWithAttributes_carriesThemOntoEveryPiece() {
      ObjectNode bold = insert(highEntropyText(100_000, 3));
      bold.set("attributes", json("{\"bold\":true}"));

      List<Change> pieces =
          split(delta(bold), MAX_BYTES, SplitOptions.defaults().withSizeCalculator(compressed));

      assertThat(pieces).hasSizeGreaterThan(1);
      for (Change piece : pieces) {
        for (JsonNode op : piece.ops().get(0).value()) {
          if (op.has("insert")) {
            assertThat(op.get("attributes")).isEqualTo(json("{\"bold\":true}"));
          }
        }
      }
    }

    @Test
    void breakChanges_astralText_neverCutsASurrogatePair() {
      String text = astralText(20_000, 4);

      List<Change> pieces =
          split(delta(insert(text)), 5_000, SplitOptions.defaults().withSizeCalculator(compressed));

      assertThat(pieces).hasSizeGreaterThan(1);
      assertThat(inserts(pieces)).noneMatch(BatchingFixtures::hasLoneSurrogate);
      assertThat(String.join("", inserts(pieces))).isEqualTo(text);
    }

    @Test
    void breakChanges_characterLargerThanCeiling_isRefused() {
      List<OversizedOp> reports = new ArrayList<>();
      SplitOptions options =
          SplitOptions.defaults()
              .withSizeCalculator(compressed)
              .withMaxUnsplittableBytes(10)
              .withOnOversizedOp(reports::add);

      assertThatThrownBy(() -> split(delta(insert(highEntropyText(1_000, 5))), 1, options))
          .isInstanceOf(UnsplittableChangeException.class);
      assertThat(reports.get(reports.size() - 1))
          .satisfies(
              r -> {
                assertThat(r.reason()).isEqualTo(OversizedOp.Reason.INSERT_CHUNK);
                assertThat(r.emitted()).isFalse();
              });
    }
  }

  /** Split text pieces are sequential changes: replaying them must equal the original op. */
  @Nested
  class Replay {
    private final SplitOptions compressed = SplitOptions.defaults().withSizeCalculator(ratio(0.6));

    private List<Change> assertSplitEquivalent(
        String base, ArrayNode value, long maxBytes, SplitOptions options, int minPieces) {
      Doc doc = Doc.of(base);
      Doc expected = doc.apply(value);

      List<Change> pieces =
          ChangeBatching.breakChanges(
              List.of(change(1, List.of(op("@txt", "/body", value)))), maxBytes, options);

      assertThat(pieces).hasSizeGreaterThanOrEqualTo(minPieces);
      Doc actual = doc;
      for (Change piece : pieces) {
        assertThat(piece.ops()).hasSize(1);
        actual = actual.apply(piece.ops().get(0).value());
      }
      assertThat(actual).isEqualTo(expected);
      return pieces;
    }

    @Test
    void breakChanges_giantInsertAfterRetain_landsAtItsPosition() {
      assertSplitEquivalent(
          "the quick brown fox ".repeat(20),
          delta(retain(42), insert(highEntropyText(60_000, 6))),
          20_000,
          compressed,
          2);
    }

    @Test
    void breakChanges_giantInsertAtHead_chunksInOrder() {
      assertSplitEquivalent("", delta(insert(highEntropyText(60_000, 7))), 20_000, compressed, 2);
    }

    @Test
    void breakChanges_manyOps_keepEveryOpAtItsPosition() {
      ArrayNode value = Json.array();
      for (int i = 0; i < 30; i++) {
        value.add(retain(50));
        value.add(insert(highEntropyText(2_000, 100 + i)));
      }
      assertSplitEquivalent("abcdefghij".repeat(200), value, 15_000, compressed, 3);
    }

    @Test
    void breakChanges_deletesAndFormattingRetains_surviveInPlace() {
      ObjectNode boldRetain = retain(20);
      boldRetain.set("attributes", json("{\"bold\":true}"));
      assertSplitEquivalent(
          "abcdefghij".repeat(20),
          delta(retain(10), delete(5), insert(highEntropyText(40_000, 8)), boldRetain),
          15_000,
          compressed,
          2);
    }

    @Test
    void breakChanges_unsplittableEmbed_staysAtItsPosition() {
      ObjectNode embed = Json.object();
      embed.set(
          "insert", json("{\"image\":\"data:image/png;base64," + repeat('A', 30_000) + "\"}"));
      assertSplitEquivalent(
          "abcdefghij".repeat(10),
          delta(retain(5), embed, retain(10), insert(highEntropyText(40_000, 9))),
          15_000,
          compressed,
          3);
    }

    @Test
    void breakChanges_astralInsert_splitsInPlaceWithoutCuttingPairs() {
      List<Change> pieces =
          assertSplitEquivalent(
              "abcdefghij".repeat(10),
              delta(retain(10), insert(astralText(10_000, 10))),
              5_000,
              compressed,
              2);

      for (Change piece : pieces) {
        for (JsonNode op : piece.ops().get(0).value()) {
          if (op.has("insert")) {
            assertThat(hasLoneSurrogate(op.get("insert").stringValue())).isFalse();
          }
        }
      }
    }

    @Test
    void breakChanges_tinyBudget_emitsSingleCodePointsWithoutCuttingPairs() {
      List<Change> pieces =
          assertSplitEquivalent(
              "ab", delta(retain(2), insert(astralText(40, 11))), 160, SplitOptions.defaults(), 2);

      for (Change piece : pieces) {
        for (JsonNode op : piece.ops().get(0).value()) {
          if (op.has("insert")) {
            assertThat(hasLoneSurrogate(op.get("insert").stringValue())).isFalse();
          }
        }
      }
    }
  }

  /** Split points come from an estimate; these pin what makes an estimate safe to be wrong. */
  @Nested
  class EstimatedSplitPoints {
    private final JsonNode docs = wholeDocument(40, 400);

    @Test
    void breakChanges_optimisticEstimate_reSplitsOversizedPieces() {
      Change c = change(1, List.of(op("replace", "/docs", docs)));
      long changeJson = ChangeBatching.jsonByteSize(c);
      long budget = (long) Math.floor(changeJson * 0.1 / 4);
      // Cheap at whole-change scale, five times the rate for anything piece-sized: the ratio the
      // estimator calibrates on the whole change is then optimistic for every piece.
      long pieceThreshold = changeJson / 2;
      List<Double> oversized = new ArrayList<>();
      SizeCalculator stepped =
          json -> {
            long size = ChangeBatching.jsonByteSize(json);
            double measured = Math.floor(size * (size >= pieceThreshold ? 0.1 : 0.5));
            if (size < pieceThreshold && measured > budget) {
              oversized.add(measured);
            }
            return measured;
          };

      List<Change> pieces =
          ChangeBatching.breakChanges(
              List.of(c), budget, SplitOptions.defaults().withSizeCalculator(stepped));

      assertThat(oversized).isNotEmpty();
      assertThat(pieces).hasSizeGreaterThan(1);
      assertThat(pieces)
          .allSatisfy(p -> assertThat(stepped.sizeOf(p.toJson())).isLessThanOrEqualTo(budget));
      for (int i = 0; i < pieces.size(); i++) {
        assertThat(pieces.get(i).rev()).isEqualTo(1 + i);
      }
      assertThat(pieces.get(0).id()).isEqualTo("change-1");
    }

    @Test
    void breakChanges_wholeDocument_assignsContiguousRevsAndKeepsTheFirstId() {
      Change c = change(7, List.of(op("replace", "/docs", docs)));

      List<Change> pieces =
          ChangeBatching.breakChanges(
              List.of(c), 20_000, SplitOptions.defaults().withSizeCalculator(ratio(0.3)));

      assertThat(pieces).hasSizeGreaterThan(1);
      for (int i = 0; i < pieces.size(); i++) {
        assertThat(pieces.get(i).rev()).isEqualTo(7 + i);
      }
      assertThat(pieces.get(0).id()).isEqualTo("change-7");
      assertThat(pieces.stream().map(Change::id).distinct()).hasSize(pieces.size());
    }

    @Test
    void breakChanges_sameDocument_splitsDeterministically() {
      Change c = change(1, List.of(op("replace", "/docs", docs)));
      SplitOptions options = SplitOptions.defaults().withSizeCalculator(ratio(0.3));

      List<Change> first = ChangeBatching.breakChanges(List.of(c), 20_000, options);
      List<Change> second = ChangeBatching.breakChanges(List.of(c), 20_000, options);

      assertThat(first)
          .extracting(Change::ops)
          .isEqualTo(second.stream().map(Change::ops).toList());
    }

    @Test
    void breakChanges_noCalculator_keepsEveryPieceWithinTheJsonBudget() {
      Change c = change(1, List.of(op("replace", "/docs", docs)));

      List<Change> pieces =
          ChangeBatching.breakChanges(List.of(c), 30_000, SplitOptions.defaults());

      assertThat(pieces).hasSizeGreaterThan(1);
      assertThat(pieces)
          .allSatisfy(p -> assertThat(ChangeBatching.jsonByteSize(p)).isLessThanOrEqualTo(30_000));
    }

    @Test
    void breakChanges_wholeDocument_carriesEveryDocsProse() {
      Change c = change(1, List.of(op("replace", "/docs", docs)));

      List<Change> pieces =
          ChangeBatching.breakChanges(
              List.of(c), 20_000, SplitOptions.defaults().withSizeCalculator(ratio(0.3)));

      List<String> carried = new ArrayList<>();
      for (Change piece : pieces) {
        for (PatchOp op : piece.ops()) {
          if (op.value() != null) {
            carried.add(op.value().toString());
          }
        }
      }
      for (var entry : docs.properties()) {
        String prose = entry.getValue().get("body").get("ops").get(0).get("insert").stringValue();
        assertThat(carried).anyMatch(s -> s.contains(prose.substring(0, 200)));
      }
    }
  }

  /** A project of docs, each with a title and a prose Delta body. */
  static JsonNode wholeDocument(int docCount, int wordsPerDoc) {
    Random vocabRandom = new Random(0x1a2b3c);
    List<String> vocab = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      int length = 3 + vocabRandom.nextInt(7);
      StringBuilder word = new StringBuilder();
      for (int c = 0; c < length; c++) {
        word.append((char) ('a' + vocabRandom.nextInt(26)));
      }
      vocab.add(word.toString());
    }
    ObjectNode docs = Json.object();
    for (int i = 0; i < docCount; i++) {
      Random random = new Random(0x5eed + i);
      StringBuilder prose = new StringBuilder();
      for (int w = 0; w < wordsPerDoc; w++) {
        if (w > 0) {
          prose.append(' ');
        }
        prose.append(vocab.get(random.nextInt(vocab.size())));
      }
      ObjectNode doc = Json.object();
      doc.put("title", "Chapter " + i);
      ObjectNode body = Json.object();
      body.set("ops", delta(insert(prose.toString())));
      doc.set("body", body);
      docs.set("doc" + i, doc);
    }
    return docs;
  }
}
