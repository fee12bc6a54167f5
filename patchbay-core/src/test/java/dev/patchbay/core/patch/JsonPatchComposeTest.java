package dev.patchbay.core.patch;

import static dev.patchbay.core.JsonAssertions.assertJsonEquals;
import static dev.patchbay.core.patch.JsonPatchApplyTest.j;
import static dev.patchbay.core.patch.JsonPatchApplyTest.ops;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Unit tests of {@link JsonPatch#compose}. */
class JsonPatchComposeTest {

  private static void assertComposes(String patch, String expected) {
    List<PatchOp> composed = JsonPatch.compose(ops(patch));
    assertJsonEquals(j(expected), PatchOp.listToJson(composed));
  }

  @Test
  void compose_replaces_keepsTheLast() {
    assertComposes(
        "[{'op':'replace','path':'/x','value':4},{'op':'replace','path':'/x','value':2},"
            + "{'op':'replace','path':'/x','value':8}]",
        "[{'op':'replace','path':'/x','value':8}]");
  }

  @Test
  void compose_increments_addUp() {
    assertComposes(
        "[{'op':'@inc','path':'/x','value':4},{'op':'@inc','path':'/x','value':2},"
            + "{'op':'@inc','path':'/x','value':-10},{'op':'@inc','path':'/x','value':20}]",
        "[{'op':'@inc','path':'/x','value':16}]");
  }

  @Test
  void compose_maxAndMin_keepTheExtreme() {
    assertComposes(
        "[{'op':'@max','path':'/x','value':5},{'op':'@max','path':'/x','value':10},"
            + "{'op':'@max','path':'/x','value':3}]",
        "[{'op':'@max','path':'/x','value':10}]");
    assertComposes(
        "[{'op':'@min','path':'/d','value':'2024-01-15'},{'op':'@min','path':'/d','value':'2024-01-10'},"
            + "{'op':'@min','path':'/d','value':'2024-01-20'}]",
        "[{'op':'@min','path':'/d','value':'2024-01-10'}]");
  }

  @Test
  void compose_bitmasks_laterMaskWins() {
    int on0 = 1;
    int off0 = 1 << 15;
    int on1 = 2;
    assertComposes(
        "[{'op':'@bit','path':'/b','value':"
            + (on0 | on1)
            + "},{'op':'@bit','path':'/b','value':"
            + off0
            + "}]",
        "[{'op':'@bit','path':'/b','value':" + (off0 | on1) + "}]");
  }

  @Test
  void compose_text_composesTheDeltas() {
    assertComposes(
        "[{'op':'@txt','path':'/x','value':{'ops':[{'insert':'How about th'}]}},"
            + "{'op':'@txt','path':'/x','value':{'ops':[{'retain':12},{'insert':'at!'}]}},"
            + "{'op':'@txt','path':'/x','value':{'ops':[{'delete':3},{'insert':'Who'},{'retain':1},"
            + "{'delete':5},{'insert':'is'}]}}]",
        "[{'op':'@txt','path':'/x','value':[{'insert':'Who is that!'}]}]");
  }

  @Test
  void compose_acrossAnArrayInsert_doesNotMerge() {
    assertComposes(
        "[{'op':'@inc','path':'/x/3','value':4},{'op':'add','path':'/x/1','value':2},"
            + "{'op':'@inc','path':'/x/3','value':1},{'op':'@inc','path':'/x/3','value':1}]",
        "[{'op':'@inc','path':'/x/3','value':4},{'op':'add','path':'/x/1','value':2},"
            + "{'op':'@inc','path':'/x/3','value':2}]");
  }

  @Test
  void compose_acrossUnrelatedPaths_merges() {
    assertComposes(
        "[{'op':'@inc','path':'/y','value':4},{'op':'@inc','path':'/y','value':4},"
            + "{'op':'replace','path':'/x','value':4},{'op':'replace','path':'/x','value':7},"
            + "{'op':'replace','path':'/y','value':2},{'op':'replace','path':'/x','value':8},"
            + "{'op':'@inc','path':'/y','value':4}]",
        "[{'op':'@inc','path':'/y','value':8},{'op':'replace','path':'/x','value':8},"
            + "{'op':'replace','path':'/y','value':2},{'op':'@inc','path':'/y','value':4}]");
  }

  @Test
  void compose_higherPathWrite_endsMergingBelowIt() {
    assertComposes(
        "[{'op':'@inc','path':'/x/y','value':1},{'op':'@inc','path':'/x/y','value':1},"
            + "{'op':'replace','path':'/x','value':{'y':0}},{'op':'@inc','path':'/x/y','value':1},"
            + "{'op':'@inc','path':'/x/y','value':1}]",
        "[{'op':'@inc','path':'/x/y','value':2},{'op':'replace','path':'/x','value':{'y':0}},"
            + "{'op':'@inc','path':'/x/y','value':2}]");
  }

  @Test
  void compose_childWriteInBetween_doesNotMergeTheParentWrites() {
    String patch =
        "[{'op':'replace','path':'/x','value':{'y':0}},{'op':'@inc','path':'/x/y','value':1},"
            + "{'op':'replace','path':'/x','value':{'y':5}}]";
    assertComposes(patch, patch);
    assertJsonEquals(
        JsonPatch.apply(j("{}"), ops(patch)),
        JsonPatch.apply(j("{}"), JsonPatch.compose(ops(patch))));
  }

  @Test
  void compose_softWrites_areNeverMerged() {
    // The first soft replace sets /x, so the second is skipped; merged, the second value would win.
    String patch =
        "[{'op':'replace','path':'/x','value':true,'soft':true},"
            + "{'op':'replace','path':'/x','value':{'a':1},'soft':true}]";
    assertComposes(patch, patch);
    assertJsonEquals(j("{'x':true}"), JsonPatch.apply(j("{}"), JsonPatch.compose(ops(patch))));
  }

  @Test
  void compose_softAndHardWrites_doNotMerge() {
    String patch =
        "[{'op':'replace','path':'/x','value':1,'soft':true},{'op':'replace','path':'/x','value':2}]";
    assertComposes(patch, patch);
  }
}
