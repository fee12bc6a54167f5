package dev.patchbay.core.ot;

import static dev.patchbay.core.ot.BatchingFixtures.change;
import static dev.patchbay.core.ot.BatchingFixtures.delete;
import static dev.patchbay.core.ot.BatchingFixtures.insert;
import static dev.patchbay.core.ot.BatchingFixtures.op;
import static dev.patchbay.core.ot.BatchingFixtures.retain;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.ot.BatchingFixtures.Doc;
import dev.patchbay.core.patch.PatchOp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Invariants of change splitting and wire batching over generated changes. */
class ChangeBatchingProperties {

  @Property(tries = 1000)
  void splitTextPieces_replayedInOrder_equalTheOriginalOp(
      @ForAll long seed, @ForAll @IntRange(min = 150, max = 1500) int budget) {
    Random random = new Random(seed);
    String base = randomText(random, random.nextInt(120));
    ArrayNode value = randomDelta(random, base.length());
    Change original = change(1, List.of(op("@txt", "/body", value)));
    List<OversizedOp> reports = new ArrayList<>();

    List<Change> pieces =
        ChangeBatching.breakChanges(
            List.of(original), budget, SplitOptions.defaults().withOnOversizedOp(reports::add));

    Doc replayed = Doc.of(base);
    for (Change piece : pieces) {
      assertThat(piece.ops()).hasSize(1);
      replayed = replayed.apply(piece.ops().get(0).value());
    }
    assertThat(replayed).isEqualTo(Doc.of(base).apply(value));
    assertPiecesWellFormed(original, pieces);
    if (reports.isEmpty()) {
      // Measured with the original id; a fresh id may be longer by a few characters at most.
      assertThat(pieces)
          .allSatisfy(p -> assertThat(ChangeBatching.jsonByteSize(p)).isLessThanOrEqualTo(budget));
    }
  }

  @Property(tries = 1000)
  void splitByOps_piecesConcatenate_toTheOriginalOps(
      @ForAll @Size(max = 12) List<@StringLength(max = 300) String> values,
      @ForAll @IntRange(min = 100, max = 2000) int budget) {
    List<PatchOp> ops = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      ops.add(op("add", "/k" + i, Json.NODES.stringNode(values.get(i))));
    }
    Change original = change("orig", 4, 3, ops);
    List<OversizedOp> reports = new ArrayList<>();

    List<Change> pieces =
        ChangeBatching.breakChanges(
            List.of(original), budget, SplitOptions.defaults().withOnOversizedOp(reports::add));

    assertThat(pieces.stream().flatMap(p -> p.ops().stream()).toList()).isEqualTo(ops);
    assertPiecesWellFormed(original, pieces);
    for (Change piece : pieces) {
      if (piece.ops().size() > 1) {
        assertThat(ChangeBatching.jsonByteSize(piece.withBatchId(null)))
            .isLessThanOrEqualTo(budget + 8);
      }
    }
    assertThat(reports)
        .allSatisfy(r -> assertThat(r.reason()).isEqualTo(OversizedOp.Reason.VALUE_NOT_OBJECT));
  }

  @Property(tries = 1000)
  void breakChangesIntoBatches_batchesFitTheWireLimit(
      @ForAll @Size(min = 1, max = 10) List<@StringLength(max = 200) String> values,
      @ForAll @IntRange(min = 200, max = 3000) int maxPayload) {
    List<Change> changes = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      changes.add(
          change(
              "c" + i, 10 + i, 9, List.of(op("add", "/k", Json.NODES.stringNode(values.get(i))))));
    }

    List<List<Change>> batches = ChangeBatching.breakChangesIntoBatches(changes, maxPayload);

    List<Change> flat = batches.stream().flatMap(List::stream).toList();
    assertThat(flat.stream().map(Change::ops).toList())
        .isEqualTo(changes.stream().map(Change::ops).toList());
    if (ChangeBatching.jsonByteSize(TransformIncomingChangesVectorsTest.toJson(changes))
        < maxPayload) {
      assertThat(batches).containsExactly(changes);
      return;
    }
    assertThat(flat).allSatisfy(c -> assertThat(c.batchId()).isEqualTo("c0"));
    for (List<Change> batch : batches) {
      if (batch.size() > 1) {
        assertThat(ChangeBatching.jsonByteSize(TransformIncomingChangesVectorsTest.toJson(batch)))
            .isLessThanOrEqualTo(maxPayload);
      }
    }
  }

  @Property(tries = 1000)
  void jsonByteSize_stringsAndIntegers_matchTheWrittenUtf8Length(
      @ForAll String key, @ForAll String value, @ForAll long number, @ForAll int small) {
    ObjectNode node = Json.object();
    node.put(key, value);
    node.put(key + "#n", number);
    node.put(key + "#i", small);
    // Lone surrogates are written differently by every serializer; count only well-formed text.
    if (BatchingFixtures.hasLoneSurrogate(key) || BatchingFixtures.hasLoneSurrogate(value)) {
      return;
    }

    assertThat(ChangeBatching.jsonByteSize(node))
        .isEqualTo(Json.write(node).getBytes(StandardCharsets.UTF_8).length);
  }

  private static void assertPiecesWellFormed(Change original, List<Change> pieces) {
    if (pieces.isEmpty()) {
      return;
    }
    assertThat(pieces.get(0).id()).isEqualTo(original.id());
    for (int i = 0; i < pieces.size(); i++) {
      assertThat(pieces.get(i).rev()).isEqualTo(original.rev() + i);
      assertThat(pieces.get(i).baseRev()).isEqualTo(original.baseRev());
    }
    assertThat(pieces.stream().map(Change::id).distinct()).hasSize(pieces.size());
  }

  private static String randomText(Random random, int length) {
    StringBuilder sb = new StringBuilder(length);
    while (sb.length() < length) {
      int kind = random.nextInt(10);
      if (kind == 0 && sb.length() + 2 <= length) {
        sb.appendCodePoint(0x1f600 + random.nextInt(50));
      } else if (kind == 1) {
        sb.append((char) (0x4e00 + random.nextInt(500)));
      } else {
        sb.append((char) ('a' + random.nextInt(26)));
      }
    }
    return sb.toString();
  }

  /** A delta whose retains and deletes stay within a document of {@code baseLength} units. */
  private static ArrayNode randomDelta(Random random, int baseLength) {
    ArrayNode delta = Json.array();
    int remaining = baseLength;
    int ops = 1 + random.nextInt(8);
    for (int i = 0; i < ops; i++) {
      int kind = random.nextInt(5);
      if (kind <= 1 || remaining == 0) {
        ObjectNode ins =
            insert(randomText(random, 1 + random.nextInt(random.nextInt(4) == 0 ? 600 : 40)));
        if (random.nextInt(4) == 0) {
          ins.set("attributes", Json.parse("{\"bold\":true}"));
        }
        delta.add(ins);
      } else if (kind == 2) {
        JsonNode embed = Json.parse("{\"image\":\"img" + random.nextInt(100) + "\"}");
        ObjectNode ins = Json.object();
        ins.set("insert", embed);
        delta.add(ins);
      } else if (kind == 3) {
        int n = 1 + random.nextInt(remaining);
        ObjectNode ret = retain(n);
        if (random.nextInt(3) == 0) {
          ret.set("attributes", Json.parse("{\"italic\":true}"));
        }
        delta.add(ret);
        remaining -= n;
      } else {
        int n = 1 + random.nextInt(remaining);
        delta.add(delete(n));
        remaining -= n;
      }
    }
    return delta;
  }
}
