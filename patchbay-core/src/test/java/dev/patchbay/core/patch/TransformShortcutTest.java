package dev.patchbay.core.patch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The transform's shortcut for patches that cannot touch each other must answer exactly what the
 * walk answers: checked on many random patch pairs over a small key set (so that most pairs do
 * touch and the rest sit right beside each other), with and without a document.
 */
class TransformShortcutTest {

  @Test
  void independent_randomPairs_walkLeavesTheOtherOpsUnchanged() {
    int independent = 0;
    int dependent = 0;
    for (long seed = 0; seed < 20_000; seed++) {
      RandomPatches random = new RandomPatches(seed);
      RandomPatches.Case mine = random.next();
      RandomPatches.Case other = random.next();
      if (!PatchTransformer.independent(mine.ops(), other.ops())) {
        dependent++;
        continue;
      }
      independent++;
      for (boolean otherFirst : new boolean[] {false, true}) {
        assertThat(PatchTransformer.walk(null, mine.ops(), other.ops(), otherFirst))
            .as("seed %d, %s over %s", seed, other, mine)
            .isEqualTo(other.ops());
        assertThat(PatchTransformer.walk(mine.doc(), mine.ops(), other.ops(), otherFirst))
            .as("seed %d with the document, %s over %s", seed, other, mine)
            .isEqualTo(other.ops());
      }
    }
    // Both kinds must be common, or the check above proves little.
    assertThat(independent).isGreaterThan(1_000);
    assertThat(dependent).isGreaterThan(1_000);
  }

  /**
   * The shortcut for two patches that meet only in one edit each of the same text answers what the
   * walk answers: random concurrent patch pairs on one document, with and without it, for both
   * orders. Most pairs meet elsewhere too and are left to the walk; both kinds must be common.
   */
  @Test
  void textOnly_randomConcurrentPairs_answersWhatTheWalkAnswers() {
    int taken = 0;
    int declined = 0;
    JsonNode text = TEXT;
    for (long seed = 0; seed < 20_000; seed++) {
      RandomPatches random = new RandomPatches(seed);
      // A document with a text both patches edit first, then whatever else each does.
      ObjectNode doc = withTexts(random, "tx");
      RandomPatches.Case mine = withTextEdit(random, doc, text);
      RandomPatches.Case other = withTextEdit(random, doc, text);
      List<PatchOp> rebased = PatchTransformer.textOnly(mine.ops(), other.ops());
      if (rebased == null) {
        declined++;
        continue;
      }
      taken++;
      for (boolean otherFirst : new boolean[] {false, true}) {
        assertThat(rebased)
            .as("seed %d, %s over %s", seed, other, mine)
            .isEqualTo(PatchTransformer.walk(null, mine.ops(), other.ops(), otherFirst))
            .isEqualTo(PatchTransformer.walk(mine.doc(), mine.ops(), other.ops(), otherFirst));
      }
    }
    assertThat(taken).isGreaterThan(500);
    assertThat(declined).isGreaterThan(1_000);
  }

  /**
   * Transforming past a chain of patches at once gives what one transform per patch gives: random
   * chains of up to eight patches, most of which edit one of two texts the ops also edit (so runs
   * of text-only meetings form, on one text op or alternating between two) and many of which meet
   * the ops elsewhere too (so runs break and the walk decides).
   */
  @Test
  void transformPast_randomChains_isOneTransformPerPatch() {
    int carried = 0;
    JsonNode text = TEXT;
    for (long seed = 0; seed < 5_000; seed++) {
      RandomPatches random = new RandomPatches(seed);
      ObjectNode doc = withTexts(random, "tx", "ty");
      List<PatchOp> ops = new ArrayList<>(withTextEdit(random, doc, text).ops());
      ops.add(random.textEdit("/ty", text));
      List<List<PatchOp>> chain = new ArrayList<>();
      int length = 1 + (int) (seed % 8);
      for (int k = 0; k < length; k++) {
        List<PatchOp> patch = new ArrayList<>();
        patch.add(random.textEdit(k % 3 == 2 ? "/ty" : "/tx", text));
        if (k % 2 == 1) {
          patch.addAll(random.nextOn(doc).ops());
        }
        chain.add(List.copyOf(patch));
      }

      List<PatchOp> oneByOne = List.copyOf(ops);
      for (List<PatchOp> patch : chain) {
        if (PatchTransformer.textOnly(patch, oneByOne) != null) {
          carried++;
        }
        oneByOne = PatchTransformer.transform(null, patch, oneByOne, false);
      }
      assertThat(PatchTransformer.transformPast(chain, List.copyOf(ops)))
          .as("seed %d, %s past %s", seed, ops, chain)
          .isEqualTo(oneByOne);
    }
    assertThat(carried).as("text-only steps").isGreaterThan(5_000);
  }

  private static final JsonNode TEXT = Json.parse("{\"ops\":[{\"insert\":\"hello world\\n\"}]}");

  /** A random document with {@link #TEXT} at each of {@code keys}. */
  private static ObjectNode withTexts(RandomPatches random, String... keys) {
    ObjectNode doc = (ObjectNode) random.next().doc().deepCopy();
    for (String key : keys) {
      doc.set(key, TEXT);
    }
    return doc;
  }

  private static RandomPatches.Case withTextEdit(
      RandomPatches random, JsonNode doc, JsonNode text) {
    List<PatchOp> ops = new ArrayList<>();
    ops.add(random.textEdit("/tx", text));
    JsonNode after = JsonPatch.apply(doc, ops, ApplyOptions.STRICT);
    ops.addAll(random.nextOn(after).ops());
    return new RandomPatches.Case(doc, List.copyOf(ops));
  }

  @Test
  void textOnly_takesOnlyOneMeetingOfTwoTextEdits() {
    PatchOp typeA = PatchOp.of("@txt", "/body", Json.parse("[{\"insert\":\"a\"}]"));
    PatchOp typeB = PatchOp.of("@txt", "/body", Json.parse("[{\"retain\":1},{\"insert\":\"b\"}]"));
    PatchOp keyA = PatchOp.replace("/ka", Json.number(1));
    PatchOp keyB = PatchOp.replace("/kb", Json.number(2));

    assertThat(PatchTransformer.textOnly(List.of(typeA, keyA), List.of(typeB, keyB)))
        .containsExactly(
            PatchOp.of("@txt", "/body", Json.parse("[{\"retain\":2},{\"insert\":\"b\"}]")), keyB);
    // Meeting elsewhere as well, or not in text edits: the walk decides.
    assertThat(PatchTransformer.textOnly(List.of(typeA, keyA), List.of(typeB, keyA))).isNull();
    assertThat(PatchTransformer.textOnly(List.of(typeA), List.of(keyB))).isNull();
    assertThat(PatchTransformer.textOnly(List.of(typeA), List.of(PatchOp.remove("/body"))))
        .isNull();
    assertThat(PatchTransformer.textOnly(List.of(typeA, typeA), List.of(typeB))).isNull();
  }

  @Test
  void independent_siblingsAndAncestors_areNotIndependent() {
    assertThat(indep("replace", "/a", "replace", "/b")).isTrue();
    assertThat(indep("replace", "/a", "replace", "/ab")).isTrue();
    assertThat(indep("replace", "/a", "replace", "/a/b")).isFalse();
    assertThat(indep("replace", "/a/b", "replace", "/a")).isFalse();
    assertThat(indep("remove", "/list/1", "replace", "/list/3/x")).isFalse();
    assertThat(indep("replace", "/list/3", "add", "/list/-")).isFalse();
    assertThat(indep("replace", "", "replace", "/a")).isFalse();
    assertThat(indep("@txt", "/body", "@txt", "/body")).isFalse();
  }

  private static boolean indep(String op1, String path1, String op2, String path2) {
    return PatchTransformer.independent(
        List.of(PatchOp.of(op1, path1, dev.patchbay.core.json.Json.number(1))),
        List.of(PatchOp.of(op2, path2, dev.patchbay.core.json.Json.number(1))));
  }
}
