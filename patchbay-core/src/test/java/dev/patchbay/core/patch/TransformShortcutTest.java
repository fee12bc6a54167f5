package dev.patchbay.core.patch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

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
