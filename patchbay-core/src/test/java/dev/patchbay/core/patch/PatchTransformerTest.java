package dev.patchbay.core.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchbay.core.json.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The transform rules that are easy to get subtly wrong, each on a minimal case. Expected results
 * are worked out from what the two patches mean, not read off the implementation.
 */
class PatchTransformerTest {

  @Test
  void transform_insertBeforeLaterIndexInSamePatch_tracksIndexThroughOtherPatch() {
    // The other patch inserts X at 0 (its element 0 becomes 1) and then replaces index 1, i.e. the
    // original element 0. After our insert at 0 that element sits at 2.
    List<PatchOp> out =
        stateless(
            ops("[{'op':'add','path':'/a/0','value':'T'}]"),
            ops(
                "[{'op':'add','path':'/a/0','value':'X'},"
                    + "{'op':'replace','path':'/a/1','value':'Y'}]"));
    assertOps(
        out, "[{'op':'add','path':'/a/0','value':'X'},{'op':'replace','path':'/a/2','value':'Y'}]");
  }

  @Test
  void transform_concurrentInsertsAtSameIndex_otherInsertLandsFirst() {
    List<PatchOp> out =
        stateless(
            ops("[{'op':'add','path':'/a/1','value':'mine'}]"),
            ops("[{'op':'add','path':'/a/1','value':'theirs'}]"));
    assertOps(out, "[{'op':'add','path':'/a/1','value':'theirs'}]");
  }

  @Test
  void transform_moveToObjectKey_opsOnMovedElementFollowItAndLaterIndexesShiftDown() {
    List<PatchOp> out =
        stateless(
            ops("[{'op':'move','from':'/a/1','path':'/b'}]"),
            ops(
                "[{'op':'replace','path':'/a/1/name','value':'n'},"
                    + "{'op':'replace','path':'/a/3','value':'z'},"
                    + "{'op':'replace','path':'/a/0','value':'y'}]"));
    assertOps(
        out,
        "[{'op':'replace','path':'/b/name','value':'n'},"
            + "{'op':'replace','path':'/a/2','value':'z'},"
            + "{'op':'replace','path':'/a/0','value':'y'}]");
  }

  @Test
  void transform_moveWithinArrayWithDocument_rotatesIndexesBetweenSourceAndTarget() {
    // Moving element 1 to 3 in [e0..e4] gives [e0, e2, e3, e1, e4]: e2 and e3 move down by one,
    // e1 itself goes to 3, e0 and e4 stay.
    JsonNode doc = Json.parse("{\"a\":[0,1,2,3,4]}");
    List<PatchOp> out =
        PatchTransformer.transform(
            doc,
            ops("[{'op':'move','from':'/a/1','path':'/a/3'}]"),
            ops(
                "[{'op':'replace','path':'/a/1','value':'e1'},"
                    + "{'op':'replace','path':'/a/2','value':'e2'},"
                    + "{'op':'replace','path':'/a/3','value':'e3'},"
                    + "{'op':'replace','path':'/a/0','value':'e0'},"
                    + "{'op':'replace','path':'/a/4','value':'e4'}]"),
            false);
    assertOps(
        out,
        "[{'op':'replace','path':'/a/3','value':'e1'},"
            + "{'op':'replace','path':'/a/1','value':'e2'},"
            + "{'op':'replace','path':'/a/2','value':'e3'},"
            + "{'op':'replace','path':'/a/0','value':'e0'},"
            + "{'op':'replace','path':'/a/4','value':'e4'}]");
  }

  @Test
  void transform_moveToKeyWithDollarPattern_retargetsLikeJavaScriptReplace() {
    // The reference re-roots with String.prototype.replace, where "$&" in the replacement stands
    // for the matched text ("/a"): "/a/k" becomes "/x" + "/a" + "y" + "/k".
    List<PatchOp> out =
        stateless(
            ops("[{'op':'move','from':'/a','path':'/x$&y'}]"),
            ops("[{'op':'replace','path':'/a/k','value':1}]"));
    assertOps(out, "[{'op':'replace','path':'/x/ay/k','value':1}]");
  }

  @Test
  void transform_removedElementThenReplaced_replaceBecomesInsert() {
    List<PatchOp> out =
        stateless(
            ops("[{'op':'remove','path':'/a/1'}]"),
            ops("[{'op':'replace','path':'/a/1','value':'back'}]"));
    assertOps(out, "[{'op':'add','path':'/a/1','value':'back'}]");
  }

  @Test
  void transform_removedElementThenUpdatedInPlace_slotIsRecreatedFirst() {
    List<PatchOp> out =
        stateless(
            ops("[{'op':'remove','path':'/a/1'}]"), ops("[{'op':'@inc','path':'/a/1','value':2}]"));
    assertOps(
        out, "[{'op':'add','path':'/a/1','value':null},{'op':'@inc','path':'/a/1','value':2}]");
  }

  @Test
  void transform_sameElementRemovedByBoth_removeAndOpsInsideDropped() {
    List<PatchOp> out =
        stateless(
            ops("[{'op':'remove','path':'/a/1'}]"),
            ops(
                "[{'op':'replace','path':'/a/1/x','value':1},"
                    + "{'op':'remove','path':'/a/1'},"
                    + "{'op':'replace','path':'/a/1','value':'next'}]"));
    // Both removed the same element; what follows the other remove already works without it.
    assertOps(out, "[{'op':'replace','path':'/a/1','value':'next'}]");
  }

  @Test
  void transform_moveOutOfRemovedElement_moveDroppedAndItsDestinationTreatedAsRemoved() {
    List<PatchOp> out =
        stateless(
            ops("[{'op':'remove','path':'/a/1'}]"),
            ops(
                "[{'op':'move','from':'/a/1','path':'/b'},"
                    + "{'op':'replace','path':'/b/x','value':1},"
                    + "{'op':'replace','path':'/c','value':2}]"));
    assertOps(out, "[{'op':'replace','path':'/c','value':2}]");
  }

  @Test
  void transform_replaceVersusOpsUnderPath_childrenDroppedButResetKept() {
    List<PatchOp> out =
        stateless(
            ops("[{'op':'replace','path':'/p','value':{}}]"),
            ops(
                "[{'op':'replace','path':'/p/x','value':1},"
                    + "{'op':'replace','path':'/p','value':{'y':1}},"
                    + "{'op':'replace','path':'/p/z','value':2}]"));
    // Once the other patch set /p again, its later ops worked on that value and stay.
    assertOps(
        out,
        "[{'op':'replace','path':'/p','value':{'y':1}},{'op':'replace','path':'/p/z','value':2}]");
  }

  @Test
  void transform_emptyContainerAddedByBoth_secondAddDroppedChildrenMerge() {
    List<PatchOp> out =
        stateless(
            ops("[{'op':'add','path':'/m','value':{}}]"),
            ops("[{'op':'add','path':'/m','value':{}},{'op':'add','path':'/m/k','value':1}]"));
    assertOps(out, "[{'op':'add','path':'/m/k','value':1}]");
  }

  @Test
  void transform_emptyContainersOfDifferentKinds_bothKept() {
    List<PatchOp> out =
        stateless(
            ops("[{'op':'add','path':'/m','value':{}}]"),
            ops("[{'op':'add','path':'/m','value':[]}]"));
    assertOps(out, "[{'op':'add','path':'/m','value':[]}]");
  }

  @Test
  void transform_softWriteAtSetPath_softDroppedLaterChildrenKept() {
    List<PatchOp> out =
        stateless(
            ops("[{'op':'replace','path':'/p','value':{'a':1}}]"),
            ops(
                "[{'op':'add','path':'/p','value':{},'soft':true},"
                    + "{'op':'add','path':'/p/b','value':2}]"));
    assertOps(out, "[{'op':'add','path':'/p/b','value':2}]");
  }

  @Test
  void transform_softInsertWhereElementWasInserted_softDroppedRestKept() {
    List<PatchOp> out =
        stateless(
            ops("[{'op':'add','path':'/a/2','value':'x'}]"),
            ops(
                "[{'op':'add','path':'/a/2','value':'x','soft':true},"
                    + "{'op':'replace','path':'/a/5','value':1}]"));
    assertOps(out, "[{'op':'replace','path':'/a/5','value':1}]");
  }

  @Test
  void transform_sameKeySetByBoth_otherWinsUnlessOtherOpsFirst() {
    List<PatchOp> mine = ops("[{'op':'replace','path':'/x','value':1}]");
    List<PatchOp> theirs = ops("[{'op':'replace','path':'/x','value':2}]");
    // Transformed last = applied last = wins.
    assertOps(stateless(mine, theirs), "[{'op':'replace','path':'/x','value':2}]");
    // otherOpsFirst: theirs came first in the authoritative order, so mine (later) wins.
    assertOps(PatchTransformer.transform(null, mine, theirs, true), "[]");
  }

  @Test
  void transform_otherOpsFirstSupersededSetMovedAway_composedIntoSetAtDestination() {
    List<PatchOp> out =
        PatchTransformer.transform(
            null,
            ops("[{'op':'replace','path':'/x','value':1}]"),
            ops(
                "[{'op':'replace','path':'/x','value':2},"
                    + "{'op':'replace','path':'/x/k','value':3},"
                    + "{'op':'move','from':'/x','path':'/z'}]"),
            true);
    // The earlier patch still put its value at /z; only /x itself lost to the later set.
    assertOps(out, "[{'op':'add','path':'/z','value':2},{'op':'replace','path':'/z/k','value':3}]");
  }

  @Test
  void transform_otherOpsFirstSameSourceMoves_laterMoveWinsTailFollows() {
    List<PatchOp> out =
        PatchTransformer.transform(
            null,
            ops("[{'op':'move','from':'/s','path':'/q'}]"),
            ops("[{'op':'move','from':'/s','path':'/t'},{'op':'replace','path':'/t/k','value':1}]"),
            true);
    assertOps(out, "[{'op':'replace','path':'/q/k','value':1}]");
  }

  @Test
  void transform_textVersusText_otherRebasedAndThisAdvancedBetweenOps() {
    // Ours inserts "AB" at 0. Theirs inserts "C" at 0, then "D" at 0 of the result ("DC").
    List<PatchOp> out =
        stateless(
            ops("[{'op':'@txt','path':'/t','value':[{'insert':'AB'}]}]"),
            ops(
                "[{'op':'@txt','path':'/t','value':[{'insert':'C'}]},"
                    + "{'op':'@txt','path':'/t','value':[{'insert':'D'}]}]"));
    // Ours wins every tie at 0: C goes after AB, and so does D, which meets AB at 0 again once
    // our delta is advanced past C: "AB", then "ABC", then "ABDC".
    assertOps(
        out,
        "[{'op':'@txt','path':'/t','value':[{'retain':2},{'insert':'C'}]},"
            + "{'op':'@txt','path':'/t','value':[{'retain':2},{'insert':'D'}]}]");
  }

  @Test
  void transform_textVersusOpsInsideText_subpathOpsDropped() {
    List<PatchOp> out =
        stateless(
            ops("[{'op':'@txt','path':'/t','value':[{'insert':'A'}]}]"),
            ops("[{'op':'replace','path':'/t/ops/0','value':1},{'op':'remove','path':'/t'}]"));
    assertOps(out, "[{'op':'remove','path':'/t'}]");
  }

  @Test
  void transform_incrementVersusRemoveAndChildren_removeKeptChildrenDropped() {
    List<PatchOp> out =
        stateless(
            ops("[{'op':'@inc','path':'/n','value':1}]"),
            ops("[{'op':'replace','path':'/n/x','value':1},{'op':'remove','path':'/n'}]"));
    assertOps(out, "[{'op':'remove','path':'/n'}]");
  }

  @Test
  void transform_numericObjectKey_statelessShiftsButDocumentKeepsKey() {
    List<PatchOp> mine = ops("[{'op':'remove','path':'/m/3'}]");
    List<PatchOp> theirs = ops("[{'op':'replace','path':'/m/5','value':1}]");
    assertOps(stateless(mine, theirs), "[{'op':'replace','path':'/m/4','value':1}]");
    JsonNode doc = Json.parse("{\"m\":{\"3\":1,\"5\":2}}");
    assertOps(
        PatchTransformer.transform(doc, mine, theirs, false),
        "[{'op':'replace','path':'/m/5','value':1}]");
  }

  @Test
  void transform_indexLongerThanALong_treatedAsHighIndexWithoutFailing() {
    List<PatchOp> out =
        stateless(
            ops("[{'op':'remove','path':'/m/123456789012345678901234'}]"),
            ops("[{'op':'replace','path':'/m/5','value':1}]"));
    assertOps(out, "[{'op':'replace','path':'/m/5','value':1}]");
  }

  @Test
  void transform_untouchedOps_sameInstancesAndInputsUnchanged() {
    List<PatchOp> mine = ops("[{'op':'replace','path':'/a','value':1}]");
    List<PatchOp> theirs = new ArrayList<>(ops("[{'op':'replace','path':'/b','value':2}]"));
    List<PatchOp> before = List.copyOf(theirs);
    List<PatchOp> out = stateless(mine, theirs);
    assertThat(out).containsExactlyElementsOf(before);
    assertThat(out.get(0)).isSameAs(before.get(0));
    assertThat(theirs).isEqualTo(before);
    assertThatThrownBy(() -> out.add(before.get(0)))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  private static List<PatchOp> stateless(List<PatchOp> thisOps, List<PatchOp> otherOps) {
    return PatchTransformer.transform(null, thisOps, otherOps, false);
  }

  private static List<PatchOp> ops(String singleQuotedJson) {
    return PatchOp.listFromJson(Json.parse(singleQuotedJson.replace('\'', '"')));
  }

  private static void assertOps(List<PatchOp> actual, String expectedSingleQuotedJson) {
    dev.patchbay.core.JsonAssertions.assertJsonEquals(
        Json.parse(expectedSingleQuotedJson.replace('\'', '"')), PatchOp.listToJson(actual));
  }
}
