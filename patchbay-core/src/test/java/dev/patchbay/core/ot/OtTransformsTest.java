package dev.patchbay.core.ot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.patch.PatchOp;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The commit transform and rebase walks, beyond the recorded vectors. */
class OtTransformsTest {

  private static Change change(String id, long baseRev, long rev, String opsJson) {
    return Change.of(id, baseRev, rev, PatchOp.listFromJson(Json.parse(opsJson)), 0);
  }

  private static final String ADD_X = "[{\"op\":\"add\",\"path\":\"/x\",\"value\":1}]";

  @Test
  void rebaseChanges_noServerChanges_returnsLocalChangesAsGiven() {
    List<Change> local = List.of(change("l1", 2, 3, ADD_X));

    assertThat(OtTransforms.rebaseChanges(List.of(), local)).isSameAs(local);
  }

  @Test
  void rebaseChanges_onlyOwnServerChanges_renumbersTheRestAndDropsEmptyOnes() {
    Change own = change("own", 4, 5, ADD_X);
    Change empty = change("empty", 4, 6, "[]");
    Change kept =
        new Change(
            "kept",
            4,
            7,
            PatchOp.listFromJson(Json.parse(ADD_X)),
            11,
            0,
            "b1",
            "c1",
            Map.of("author", Json.NODES.stringNode("ann")));
    Change committedOwn = own.withRevs(4, 9);

    List<Change> result =
        OtTransforms.rebaseChanges(List.of(committedOwn), List.of(own, empty, kept));

    assertThat(result).containsExactly(kept.withRevs(9, 10));
  }

  @Test
  void transformIncomingChanges_nothingCommitted_numbersAfterHeadAndKeepsEverythingElse() {
    Change a =
        new Change(
            "a",
            3,
            0,
            PatchOp.listFromJson(Json.parse(ADD_X)),
            11,
            12,
            "batch",
            "client",
            Map.of("author", Json.NODES.stringNode("ann")));
    Change empty = change("empty", 3, 0, "[]");
    Change b = change("b", 3, 0, ADD_X);

    List<Change> result =
        OtTransforms.transformIncomingChanges(List.of(a, empty, b), List.of(), 7, false, Set.of());

    assertThat(result).containsExactly(a.withRev(8), b.withRev(9));
  }

  @Test
  void transformIncomingChanges_forceCommit_keepsEmptyChanges() {
    Change empty = change("empty", 3, 0, "[]");
    Change b = change("b", 3, 0, ADD_X);

    List<Change> result =
        OtTransforms.transformIncomingChanges(List.of(empty, b), List.of(), 7, true, Set.of());

    assertThat(result).containsExactly(empty.withRev(8), b.withRev(9));
  }

  @Test
  void transformIncomingChanges_ownCommittedCopy_removesItUntransformed() {
    Change a = change("a", 0, 1, "[{\"op\":\"add\",\"path\":\"/list/0\",\"value\":\"a\"}]");
    Change b = change("b", 0, 2, "[{\"op\":\"add\",\"path\":\"/list/1\",\"value\":\"b\"}]");

    List<Change> ownCopy =
        OtTransforms.transformIncomingChanges(List.of(a, b), List.of(a), 1, false, Set.of("a"));
    List<Change> foreignCopy =
        OtTransforms.transformIncomingChanges(List.of(a, b), List.of(a), 1, false, Set.of());

    assertThat(ownCopy).containsExactly(b.withRev(2));
    // The same committed change counted as foreign is transformed against instead.
    assertThat(foreignCopy).extracting(Change::id).containsExactly("a", "b");
    assertThat(foreignCopy.get(1).ops().get(0).path()).isEqualTo("/list/2");
  }
}
