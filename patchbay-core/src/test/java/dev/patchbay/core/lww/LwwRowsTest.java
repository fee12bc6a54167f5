package dev.patchbay.core.lww;

import static dev.patchbay.core.JsonAssertions.assertJsonEquals;
import static dev.patchbay.core.lww.TestOps.json;
import static dev.patchbay.core.lww.TestOps.op;
import static dev.patchbay.core.lww.TestOps.remove;
import static dev.patchbay.core.lww.TestOps.row;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.patch.ApplyOptions;
import dev.patchbay.core.patch.JsonPatch;
import dev.patchbay.core.patch.PatchOp;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Rows, revisions and states: the helpers the LWW server and client build documents with. */
class LwwRowsTest {

  @Test
  void commitOrder_sortsByRevThenTs() {
    PatchOp a = row("replace", "/a", 1, 300, 2);
    PatchOp b = row("replace", "/b", 1, 100, 3);
    PatchOp c = row("replace", "/c", 1, 200, 2);

    assertThat(Lww.commitOrder(List.of(b, a, c))).containsExactly(c, a, b);
  }

  @Test
  void commitOrder_childOlderThanItsParentInOneRevision_followsTheParent() {
    PatchOp parent = row("replace", "/a", Map.of(), 300, 2);
    PatchOp child = row("replace", "/a/b", 1, 100, 2);
    PatchOp grandchild = row("replace", "/a/b/c", 1, 50, 2);
    PatchOp other = row("replace", "/c", 1, 200, 2);
    PatchOp earlier = row("replace", "/a/x", 1, 900, 1);

    assertThat(Lww.commitOrder(List.of(grandchild, child, other, parent, earlier)))
        .containsExactly(earlier, other, parent, child, grandchild);
  }

  @Test
  void catchUp_parentRemovedThenAChildWrittenAgain_dropsTheOldChildrenAsAFreshLoadDoes() {
    // Fuzz seeds 12 and 55: a client at revision 1 catches up after /obj was removed (rev 2) and
    // /obj/k0 written again (rev 3); the removal must still reach it.
    Map<String, PatchOp> rows = commit(new LinkedHashMap<>(), 1, op("replace", "/obj", obj(), 10L));
    JsonNode atOne = Lww.buildState(null, 0, rows.values());
    rows = commit(rows, 2, remove("/obj", 20L));
    rows = commit(rows, 3, op("replace", "/obj/k0", "new", 15L));

    JsonNode caughtUp = apply(atOne, Lww.opsSince(rows.values(), 1));

    assertJsonEquals(json(Map.of("obj", Map.of("k0", "new"))), caughtUp);
    assertJsonEquals(Lww.buildState(null, 0, rows.values()), caughtUp);
  }

  @Test
  void catchUp_parentCreatedByAChildThenTheChildRemoved_keepsTheEmptyParentAsAFreshLoadDoes() {
    // Fuzz seeds 35 and 62: /obj exists only because /obj/k0 was written into it.
    Map<String, PatchOp> rows =
        commit(new LinkedHashMap<>(), 1, op("replace", "/obj/k0", "v", 10L));
    JsonNode atOne = Lww.buildState(null, 0, rows.values());
    rows = commit(rows, 2, remove("/obj/k0", 20L));

    JsonNode caughtUp = apply(atOne, Lww.opsSince(rows.values(), 1));

    assertJsonEquals(json(Map.of("obj", Map.of())), caughtUp);
    assertJsonEquals(Lww.buildState(null, 0, rows.values()), caughtUp);
  }

  private static Map<String, PatchOp> commit(Map<String, PatchOp> rows, long rev, PatchOp op) {
    return Lww.consolidateForCommit(rows.values(), List.of(op)).commitTo(rows, rev);
  }

  private static JsonNode obj() {
    return json(Map.of("k0", "a", "k1", "b"));
  }

  private static JsonNode apply(JsonNode state, List<PatchOp> ops) {
    return JsonPatch.apply(state, ops, ApplyOptions.DEFAULT);
  }

  @Test
  void opsSince_keepsRowsAfterTheRevisionInCommitOrder() {
    PatchOp old = row("replace", "/a", 1, 1, 1);
    PatchOp newer = row("replace", "/b", 2, 9, 3);
    PatchOp newest = row("replace", "/c", 3, 5, 4);

    assertThat(Lww.opsSince(List.of(newest, old, newer), 1)).containsExactly(newer, newest);
    assertThat(Lww.maxRev(List.of(newest, old, newer), 0)).isEqualTo(4);
    assertThat(Lww.maxRev(List.of(), 7)).isEqualTo(7);
  }

  @Test
  void buildState_appliesRowsInCommitOrder() {
    List<PatchOp> rows =
        List.of(
            row("replace", "/a", Map.of("x", 1), 50, 3),
            row("replace", "/a/y", 2, 10, 4),
            row("replace", "/b", true, 90, 1),
            row("remove", "/gone", null, 5, 2));

    assertJsonEquals(
        json(Map.of("a", Map.of("x", 1, "y", 2), "b", true)), Lww.buildState(null, 0, rows));
  }

  @Test
  void buildState_snapshotSkipsRowsItAlreadyHolds() {
    List<PatchOp> rows = List.of(row("replace", "/n", 1, 10, 2), row("replace", "/m", 5, 20, 3));

    assertJsonEquals(
        json(Map.of("n", 7, "m", 5)), Lww.buildState(Json.parse("{\"n\":7}"), 2, rows));
  }

  @Test
  void buildState_rowUnderPrimitive_isSkipped() {
    List<PatchOp> rows =
        List.of(row("replace", "/a", 3, 10, 1), row("replace", "/a/b/c", 1, 20, 2));

    assertJsonEquals(json(Map.of("a", 3)), Lww.buildState(null, 0, rows));
  }

  @Test
  void buildState_doesNotChangeTheSnapshot() {
    var snapshot = Json.parse("{\"a\":{\"b\":1}}");

    Lww.buildState(snapshot, 0, List.of(row("replace", "/a/c", 2, 1, 1)));

    assertJsonEquals(Json.parse("{\"a\":{\"b\":1}}"), snapshot);
  }

  @Test
  void stampTimestamps_clampsFutureAndFillsMissing() {
    List<PatchOp> stamped =
        Lww.stampTimestamps(
            List.of(
                op("replace", "/a", 1, 5000L),
                op("replace", "/b", 1, 100L),
                op("replace", "/c", 1)),
            200L,
            1000L);

    assertThat(stamped).extracting(PatchOp::ts).containsExactly(1000L, 100L, 200L);
    assertThat(Lww.stampTimestamps(List.of(op("remove", "/d", null)), null, 1000L).get(0).ts())
        .isEqualTo(1000L);
    assertThat(Lww.stampTimestamps(List.of(op("remove", "/d", null)), 3000L, 1000L).get(0).ts())
        .isEqualTo(1000L);
  }

  @Test
  void commitResponseOps_holdsCorrectionsSentPathsAndCatchUp() {
    PatchOp correction = row("replace", "/p", 5, 1, 1);
    PatchOp sent = row("replace", "/s", 1, 40, 2);
    PatchOp sentChild = row("replace", "/t/x", 1, 10, 1);
    PatchOp unrelatedOld = row("replace", "/u", 1, 5, 1);
    PatchOp catchUp = row("replace", "/v", 1, 30, 3);

    List<PatchOp> ops =
        Lww.commitResponseOps(
            List.of(correction),
            List.of(sent, sentChild, unrelatedOld, catchUp, correction),
            List.of("/s", "/t"),
            1);

    assertThat(ops).containsExactly(correction, sentChild, sent, catchUp);
  }

  @Test
  void applyServerOps_replacesPathAndRowsBelowIt() {
    Map<String, PatchOp> rows = new LinkedHashMap<>();
    rows.put("/a/x", row("replace", "/a/x", 1, 1, 1));
    rows.put("/b", row("replace", "/b", 1, 1, 1));

    Map<String, PatchOp> after =
        Lww.applyServerOps(
            rows, List.of(row("replace", "/a", Map.of(), 5, 2), row("replace", "/a/y", 2, 5, 2)));

    assertThat(after).containsOnlyKeys("/b", "/a", "/a/y");
    assertThat(rows).containsOnlyKeys("/a/x", "/b");
  }

  @Test
  void commitTo_deletesThenStoresConvertedOpsWithTheRevision() {
    Map<String, PatchOp> rows = new LinkedHashMap<>();
    rows.put("/a/x", row("replace", "/a/x", 1, 1, 1));
    rows.put("/n", row("replace", "/n", 4, 1, 1));
    Consolidation c =
        Lww.consolidate(
            rows.values(),
            List.of(op("replace", "/a", 9, 5L), op("@inc", "/n", 3, 5L), remove("/z", 5L)));

    Map<String, PatchOp> after = c.commitTo(rows, 2);

    assertThat(after)
        .containsOnlyKeys("/n", "/a", "/z")
        .containsEntry("/a", row("replace", "/a", 9, 5, 2))
        .containsEntry("/n", row("replace", "/n", 7, 5, 2))
        .containsEntry("/z", row("remove", "/z", null, 5, 2));
    assertThat(c.applyTo(Map.of()).get("/n"))
        .isEqualTo(row("replace", "/n", 7, 5, 2).withRev(null));
  }

  @Test
  void opsToStore_incOnMissingRow_isStoredAsReplace() {
    Consolidation c = Lww.consolidate(List.of(), List.of(op("@inc", "/visits", 1, 7L)));

    assertThat(c.opsToSave()).containsExactly(op("@inc", "/visits", 1, 7L));
    assertThat(c.opsToStore(2)).containsExactly(row("replace", "/visits", 1, 7, 2));
  }
}
