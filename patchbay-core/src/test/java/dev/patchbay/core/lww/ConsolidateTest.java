package dev.patchbay.core.lww;

import static dev.patchbay.core.lww.TestOps.assertValue;
import static dev.patchbay.core.lww.TestOps.op;
import static dev.patchbay.core.lww.TestOps.remove;
import static dev.patchbay.core.lww.TestOps.soft;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.patch.PatchOp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Consolidating a batch into rows. The first cases mirror upstream's consolidateOps spec; the rest
 * pin the parent/child, soft and correction rules of protocol §5.
 */
class ConsolidateTest {

  private static PatchOp find(List<PatchOp> ops, String path) {
    return ops.stream().filter(o -> o.path().equals(path)).findFirst().orElseThrow();
  }

  @Test
  void consolidate_noExistingOps_savesAllNewOps() {
    Consolidation result =
        Lww.consolidate(
            List.of(),
            List.of(op("replace", "/name", "Alice", 1000L), op("@inc", "/count", 1, 1000L)));

    assertThat(result.opsToSave()).hasSize(2);
    assertThat(result.pathsToDelete()).isEmpty();
    assertThat(result.corrections()).isEmpty();
  }

  @Test
  void consolidate_samePath_combinesIntoOneOp() {
    Consolidation result =
        Lww.consolidate(
            List.of(op("@inc", "/counter", 5, 1000L)), List.of(op("@inc", "/counter", 3, 2000L)));

    assertThat(result.opsToSave()).hasSize(1);
    assertValue(8, result.opsToSave().get(0).value());
    assertThat(result.pathsToDelete()).isEmpty();
  }

  @Test
  void consolidate_parentWritten_deletesChildPathsOnly() {
    Consolidation result =
        Lww.consolidate(
            List.of(
                op("replace", "/user/name", "Alice", 1000L),
                op("replace", "/user/age", 30, 1000L),
                op("replace", "/other", "keep", 1000L)),
            List.of(op("replace", "/user", Map.of("name", "Bob"), 2000L)));

    assertThat(result.opsToSave()).hasSize(1);
    assertThat(result.opsToSave().get(0).path()).isEqualTo("/user");
    assertThat(result.pathsToDelete()).contains("/user/name", "/user/age");
    assertThat(result.pathsToDelete()).doesNotContain("/other");
  }

  @Test
  void consolidate_severalPaths_consolidatesEachOnItsOwn() {
    Consolidation result =
        Lww.consolidate(
            List.of(op("@inc", "/views", 10, 1000L), op("replace", "/title", "Old", 1000L)),
            List.of(op("@inc", "/views", 5, 2000L), op("replace", "/author", "New Author", 2000L)));

    assertThat(result.opsToSave()).hasSize(2);
    assertValue(15, find(result.opsToSave(), "/views").value());
    assertValue("New Author", find(result.opsToSave(), "/author").value());
  }

  @Test
  void consolidate_siblingWritten_deletesNothing() {
    Consolidation result =
        Lww.consolidate(
            List.of(
                op("replace", "/users/1", "Alice", 1000L), op("replace", "/users/2", "Bob", 1000L)),
            List.of(op("replace", "/users/1", "Charlie", 2000L)));

    assertThat(result.opsToSave()).hasSize(1);
    assertThat(result.pathsToDelete()).isEmpty();
  }

  @Test
  void consolidate_removeOfExistingField_savesRemove() {
    Consolidation result =
        Lww.consolidate(
            List.of(op("replace", "/field", "test", 1000L)), List.of(remove("/field", 2000L)));

    assertThat(result.opsToSave()).hasSize(1);
    assertThat(result.opsToSave().get(0).op()).isEqualTo("remove");
  }

  // --- parent hierarchy ---

  @Test
  void consolidate_writeUnderPrimitiveParent_isRejectedWithParentAsCorrection() {
    PatchOp parent = op("replace", "/a", 5, 1000L);

    Consolidation result =
        Lww.consolidate(List.of(parent), List.of(op("replace", "/a/b", 1, 2000L)));

    assertThat(result.opsToSave()).isEmpty();
    assertThat(result.pathsToDelete()).isEmpty();
    assertThat(result.corrections()).containsExactly(parent);
  }

  @Test
  void consolidate_writeUnderPrimitiveGrandparent_isRejected() {
    PatchOp grandparent = op("replace", "/a", "text", 1000L);

    Consolidation result =
        Lww.consolidate(List.of(grandparent), List.of(op("@inc", "/a/b/c", 1, 2000L)));

    assertThat(result.opsToSave()).isEmpty();
    assertThat(result.corrections()).containsExactly(grandparent);
  }

  @Test
  void consolidate_severalWritesUnderOnePrimitive_returnOneCorrection() {
    PatchOp parent = op("replace", "/a", true, 1000L);

    Consolidation result =
        Lww.consolidate(
            List.of(parent),
            List.of(op("replace", "/a/b", 1, 2000L), op("replace", "/a/c", 2, 2000L)));

    assertThat(result.corrections()).containsExactly(parent);
  }

  @Test
  void consolidate_writeUnderJsonNullParent_isRejected() {
    PatchOp parent = op("replace", "/a", Json.NODES.nullNode(), 1000L);

    Consolidation result =
        Lww.consolidate(List.of(parent), List.of(op("replace", "/a/b", 1, 2000L)));

    assertThat(result.opsToSave()).isEmpty();
    assertThat(result.corrections()).containsExactly(parent);
  }

  @Test
  void consolidate_writeUnderObjectParent_isKept() {
    Consolidation result =
        Lww.consolidate(
            List.of(op("replace", "/a", Map.of("x", 1), 1000L)),
            List.of(op("replace", "/a/b", 1, 2000L)));

    assertThat(result.opsToSave()).extracting(PatchOp::path).containsExactly("/a/b");
    assertThat(result.pathsToDelete()).isEmpty();
    assertThat(result.corrections()).isEmpty();
  }

  @Test
  void consolidate_writeUnderRemovedParent_turnsTheRemovalIntoAnEmptyObject() {
    // Upstream deletes the removal row; then a client catching up from before the removal only
    // gets the new child and keeps the parent's old children (docs/lww.md).
    Consolidation result =
        Lww.consolidate(List.of(remove("/a", 1000L)), List.of(op("replace", "/a/b", 1, 2000L)));

    assertThat(result.opsToSave()).extracting(PatchOp::path).containsExactly("/a", "/a/b");
    PatchOp parent = find(result.opsToSave(), "/a");
    assertThat(parent.op()).isEqualTo("replace");
    assertValue(Map.of(), parent.value());
    assertThat(parent.ts()).isEqualTo(1000L);
    assertThat(result.pathsToDelete()).isEmpty();
    assertThat(result.corrections()).isEmpty();
  }

  @Test
  void consolidate_removeUnderRemovedParent_keepsTheRemoval() {
    Consolidation result =
        Lww.consolidate(List.of(remove("/a", 1000L)), List.of(remove("/a/b", 2000L)));

    assertThat(result.opsToSave()).extracting(PatchOp::path).containsExactly("/a/b");
    assertThat(result.pathsToDelete()).isEmpty();
  }

  @Test
  void consolidate_pendingRemovalThenChildWrite_keepsTheRemovalAsAnEmptyObject() {
    // A client's own pending ops: the user emptied /a, then wrote /a/b; sending only /a/b would
    // keep the server's other children of /a.
    Consolidation result =
        Lww.consolidate(List.of(), List.of(remove("/a", 1000L), op("replace", "/a/b", 1, 2000L)));

    assertThat(result.opsToSave()).extracting(PatchOp::path).containsExactly("/a", "/a/b");
    assertValue(Map.of(), find(result.opsToSave(), "/a").value());
  }

  @Test
  void consolidate_writeUnderMissingParent_addsNoParentRow() {
    Consolidation result = Lww.consolidate(List.of(), List.of(op("replace", "/a/b/c", 1, 2000L)));

    assertThat(result.opsToSave()).extracting(PatchOp::path).containsExactly("/a/b/c");
  }

  @Test
  void consolidateForCommit_writeUnderMissingParents_storesEmptyParentsWithTsZeroFirst() {
    Consolidation result =
        Lww.consolidateForCommit(List.of(), List.of(op("replace", "/a/b/c", 1, 2000L)));

    assertThat(result.opsToSave())
        .extracting(PatchOp::path)
        .containsExactly("/a", "/a/b", "/a/b/c");
    assertValue(Map.of(), find(result.opsToSave(), "/a/b").value());
    assertThat(find(result.opsToSave(), "/a").ts()).isZero();
  }

  @Test
  void consolidateForCommit_writeUnderParentHeldByARowValue_addsNothing() {
    Consolidation result =
        Lww.consolidateForCommit(
            List.of(op("replace", "/a", Map.of("b", Map.of("x", 1)), 1000L)),
            List.of(op("replace", "/a/b/c", 1, 2000L)));

    assertThat(result.opsToSave()).extracting(PatchOp::path).containsExactly("/a/b/c");
  }

  @Test
  void consolidateForCommit_writeThroughAFalsyValue_storesTheParentItCreates() {
    Consolidation result =
        Lww.consolidateForCommit(
            List.of(op("replace", "/a", Map.of("b", 0), 1000L)),
            List.of(op("replace", "/a/b/c", 1, 2000L)));

    assertThat(result.opsToSave()).extracting(PatchOp::path).containsExactly("/a/b", "/a/b/c");
  }

  @Test
  void consolidateForCommit_removeUnderMissingParent_addsNoParentRow() {
    Consolidation result = Lww.consolidateForCommit(List.of(), List.of(remove("/a/b", 2000L)));

    assertThat(result.opsToSave()).extracting(PatchOp::path).containsExactly("/a/b");
  }

  @Test
  void consolidateForCommit_losingChildWrite_addsNoParentRow() {
    Consolidation result =
        Lww.consolidateForCommit(
            List.of(remove("/a", 1000L), remove("/a/b", 3000L)),
            List.of(op("replace", "/a/b", 1, 2000L)));

    assertThat(result.opsToSave()).isEmpty();
    assertThat(result.corrections()).extracting(PatchOp::path).containsExactly("/a/b");
  }

  @Test
  void consolidateForCommit_parentRowOfTsZero_losesToAnyStampedParentWrite() {
    List<PatchOp> rows =
        Lww.consolidateForCommit(List.of(), List.of(op("replace", "/a/b", 1, 2000L)))
            .commitTo(Map.of(), 1)
            .values()
            .stream()
            .toList();

    Consolidation result =
        Lww.consolidateForCommit(rows, List.of(op("replace", "/a", Map.of("z", 1), 1000L)));

    assertThat(result.opsToSave()).extracting(PatchOp::path).containsExactly("/a");
    assertThat(result.pathsToDelete()).containsExactly("/a/b");
  }

  @Test
  void consolidate_primitiveAboveRemovedParent_rejectsWithoutDeleting() {
    PatchOp top = op("replace", "/a", 3, 1000L);

    Consolidation result =
        Lww.consolidate(
            List.of(top, remove("/a/b", 1000L)), List.of(op("replace", "/a/b/c", 1, 2000L)));

    assertThat(result.pathsToDelete()).isEmpty();
    assertThat(result.corrections()).containsExactly(top);
  }

  @Test
  void consolidate_parentWrittenOverExistingRow_deletesItsChildren() {
    Consolidation result =
        Lww.consolidate(
            List.of(op("replace", "/a", Map.of(), 1000L), op("replace", "/a/b", 1, 1000L)),
            List.of(op("replace", "/a", 7, 2000L)));

    assertThat(result.opsToSave()).extracting(PatchOp::path).containsExactly("/a");
    assertThat(result.pathsToDelete()).containsExactly("/a/b");
  }

  @Test
  void consolidate_parentWriteLosingByTs_keepsChildren() {
    Consolidation result =
        Lww.consolidate(
            List.of(op("replace", "/a", Map.of(), 3000L), op("replace", "/a/b", 1, 3000L)),
            List.of(op("replace", "/a", 7, 2000L)));

    assertThat(result.opsToSave()).isEmpty();
    assertThat(result.pathsToDelete()).isEmpty();
  }

  @Test
  void consolidate_rootWrite_deletesEveryRow() {
    Consolidation result =
        Lww.consolidate(
            List.of(op("replace", "/a", 1, 1000L), op("replace", "/b/c", 2, 1000L)),
            List.of(op("replace", "", Map.of("z", 1), 2000L)));

    assertThat(result.pathsToDelete()).containsExactlyInAnyOrder("/a", "/b/c");
  }

  // --- corrections for losing ops ---

  @Test
  void consolidate_olderWrite_returnsStoredOpAsCorrection() {
    PatchOp stored = op("replace", "/name", "Alice", 3000L);

    Consolidation result =
        Lww.consolidate(List.of(stored), List.of(op("replace", "/name", "Bob", 1000L)));

    assertThat(result.opsToSave()).isEmpty();
    assertThat(result.corrections()).containsExactly(stored);
    assertThat(result.changesRows()).isFalse();
  }

  @Test
  void consolidate_maxBelowStored_returnsStoredOpAsCorrection() {
    PatchOp stored = op("replace", "/score", 100, 1000L);

    Consolidation result =
        Lww.consolidate(List.of(stored), List.of(op("@max", "/score", 50, 2000L)));

    assertThat(result.corrections()).containsExactly(stored);
  }

  // --- soft writes ---

  @Test
  void consolidate_softWriteOverChildRows_isSkipped() {
    Consolidation result =
        Lww.consolidate(
            List.of(op("replace", "/obj/foo", "bar", 1000L)),
            List.of(op("add", "/obj", Map.of(), 2000L)));

    assertThat(result.opsToSave()).isEmpty();
    assertThat(result.pathsToDelete()).isEmpty();
  }

  @Test
  void consolidate_softWriteCoveredByParentValue_isSkipped() {
    Consolidation result =
        Lww.consolidate(
            List.of(op("replace", "/person", Map.of("name", Map.of("first", "Bob")), 1000L)),
            List.of(soft("add", "/person/name", Map.of(), 2000L)));

    assertThat(result.opsToSave()).isEmpty();
  }

  @Test
  void consolidate_softWriteInsideParentArray_isSkippedWhenTheIndexExists() {
    Consolidation result =
        Lww.consolidate(
            List.of(op("replace", "/list", List.of(Map.of("a", 1)), 1000L)),
            List.of(
                soft("add", "/list/0", Map.of(), 2000L), soft("add", "/list/1", Map.of(), 2000L)));

    assertThat(result.opsToSave()).extracting(PatchOp::path).containsExactly("/list/1");
  }

  @Test
  void consolidate_softWriteWhereNothingExists_isSaved() {
    Consolidation result =
        Lww.consolidate(
            List.of(op("replace", "/person", Map.of("age", 3), 1000L)),
            List.of(soft("add", "/person/name", Map.of(), 2000L)));

    assertThat(result.opsToSave()).extracting(PatchOp::path).containsExactly("/person/name");
  }

  @Test
  void consolidate_emptyObjectThenChildInOneBatch_savesBoth() {
    Consolidation result =
        Lww.consolidate(
            List.of(), List.of(op("add", "/obj", Map.of(), 1000L), op("add", "/obj/x", 1, 1000L)));

    assertThat(result.opsToSave()).extracting(PatchOp::path).containsExactly("/obj", "/obj/x");
  }

  // --- one batch is taken in order ---

  @Test
  void consolidate_twoIncrementsInOneBatch_sumIntoOneOp() {
    Consolidation result =
        Lww.consolidate(List.of(), List.of(op("@inc", "/c", 1, 1000L), op("@inc", "/c", 2, 1000L)));

    assertThat(result.opsToSave()).hasSize(1);
    assertValue(3, result.opsToSave().get(0).value());
  }

  @Test
  void consolidate_childThenParentInOneBatch_keepsOnlyTheParent() {
    Consolidation result =
        Lww.consolidate(
            List.of(op("replace", "/a/old", 1, 500L)),
            List.of(op("replace", "/a/b", 1, 1000L), op("replace", "/a", Map.of("x", 1), 1000L)));

    assertThat(result.opsToSave()).extracting(PatchOp::path).containsExactly("/a");
    assertThat(result.pathsToDelete()).containsExactly("/a/old");
  }

  @Test
  void consolidate_primitiveThenChildInOneBatch_rejectsTheChild() {
    Consolidation result =
        Lww.consolidate(
            List.of(), List.of(op("replace", "/a", 5, 1000L), op("replace", "/a/b", 1, 1000L)));

    assertThat(result.opsToSave()).extracting(PatchOp::path).containsExactly("/a");
    assertThat(result.corrections()).extracting(PatchOp::path).containsExactly("/a");
  }

  @Test
  void consolidate_deletedThenRewrittenInOneBatch_isSavedNotDeleted() {
    Consolidation result =
        Lww.consolidate(
            List.of(op("replace", "/a/b", 1, 500L)),
            List.of(op("replace", "/a", Map.of(), 1000L), op("replace", "/a/b", 2, 1000L)));

    assertThat(result.opsToSave()).extracting(PatchOp::path).containsExactly("/a", "/a/b");
    assertThat(result.pathsToDelete()).isEmpty();
  }

  @Test
  void consolidate_doesNotChangeItsInputs() {
    List<PatchOp> existing = List.of(op("replace", "/a", Map.of("x", 1), 1000L));
    List<PatchOp> incoming = List.of(op("@inc", "/a/x", 1, 2000L));
    String before = existing.toString() + incoming;

    Lww.consolidate(existing, incoming);

    assertThat(existing.toString() + incoming).isEqualTo(before);
  }

  @Test
  void consolidate_testOp_writesNothing() {
    Consolidation result =
        Lww.consolidate(
            List.of(op("replace", "/a", 1, 1000L)), List.of(op("test", "/a", 1, 2000L)));

    assertThat(result.opsToSave()).isEmpty();
    assertThat(result.corrections()).isEmpty();
  }
}
