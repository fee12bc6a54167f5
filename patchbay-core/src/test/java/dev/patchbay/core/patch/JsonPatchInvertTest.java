package dev.patchbay.core.patch;

import static dev.patchbay.core.JsonAssertions.assertJsonEquals;
import static dev.patchbay.core.patch.JsonPatchApplyTest.j;
import static dev.patchbay.core.patch.JsonPatchApplyTest.ops;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.patchbay.core.PatchbayException;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Unit tests of {@link JsonPatch#invert}. */
class JsonPatchInvertTest {

  /** Inverts, checks the exact inverse, and checks that it restores the document. */
  private static void assertInverse(String doc, String patch, String expectedInverse) {
    JsonNode before = j(doc);
    List<PatchOp> ops = ops(patch);
    List<PatchOp> inverse = JsonPatch.invert(before, ops);
    assertJsonEquals(j(expectedInverse), PatchOp.listToJson(inverse));
    JsonNode after = JsonPatch.apply(before, ops, ApplyOptions.STRICT);
    assertJsonEquals(before, JsonPatch.apply(after, inverse, ApplyOptions.STRICT));
  }

  @Test
  void invert_dependentOps_invertsAgainstTheEvolvingDocument() {
    assertInverse(
        "{'list':['a','b','c']}",
        "[{'op':'remove','path':'/list/0'},{'op':'remove','path':'/list/0'}]",
        "[{'op':'add','path':'/list/0','value':'b'},{'op':'add','path':'/list/0','value':'a'}]");
  }

  @Test
  void invert_escapedPaths_keepTheirEscapes() {
    assertInverse(
        "{'a/b':5,'c~d':6}",
        "[{'op':'replace','path':'/a~1b','value':60},{'op':'replace','path':'/c~0d','value':70}]",
        "[{'op':'replace','path':'/c~0d','value':6},{'op':'replace','path':'/a~1b','value':5}]");
  }

  @Test
  void invert_append_removesAtTheConcreteIndex() {
    assertInverse(
        "{'my-list':['a']}",
        "[{'op':'add','path':'/my-list/-','value':'b'}]",
        "[{'op':'remove','path':'/my-list/1'}]");
  }

  @Test
  void invert_addOntoANumericObjectKey_isAReplace() {
    assertInverse(
        "{'versions':{'0':'v0'}}",
        "[{'op':'add','path':'/versions/0','value':'new'}]",
        "[{'op':'replace','path':'/versions/0','value':'v0'}]");
  }

  @Test
  void invert_rootReplace_restoresTheRoot() {
    assertInverse(
        "{'a':1}",
        "[{'op':'replace','path':'','value':{'b':2}}]",
        "[{'op':'replace','path':'','value':{'a':1}}]");
  }

  @Test
  void invert_createdParents_removesTheTopmostCreatedOne() {
    assertInverse(
        "{'k':1}", "[{'op':'add','path':'/a/b/0','value':1}]", "[{'op':'remove','path':'/a'}]");
    assertInverse(
        "{'a':0}",
        "[{'op':'add','path':'/a/b','value':1}]",
        "[{'op':'replace','path':'/a','value':0}]");
  }

  @Test
  void invert_move_isAMoveBack() {
    assertInverse(
        "{'a':[1,2,3]}",
        "[{'op':'move','from':'/a/0','path':'/a/-'}]",
        "[{'op':'move','from':'/a/2','path':'/a/0'}]");
  }

  @Test
  void invert_moveOverAnExistingMember_movesBackAndRestoresIt() {
    assertInverse(
        "{'a':1,'b':2}",
        "[{'op':'move','from':'/a','path':'/b'}]",
        "[{'op':'move','from':'/b','path':'/a'},{'op':'add','path':'/b','value':2}]");
  }

  @Test
  void invert_incrementsAndCounters_restoreTheOldValueOrRemove() {
    assertInverse(
        "{'n':5}",
        "[{'op':'@inc','path':'/n','value':2},{'op':'@max','path':'/m','value':3},"
            + "{'op':'@bit','path':'/n','value':2}]",
        "[{'op':'remove','path':'/m'},{'op':'replace','path':'/n','value':5}]");
  }

  @Test
  void invert_textEdit_isTheInverseDelta() {
    assertInverse(
        "{'t':{'ops':[{'insert':'Hello\\n'}]}}",
        "[{'op':'@txt','path':'/t','value':[{'retain':5},{'insert':' world'}]}]",
        "[{'op':'@txt','path':'/t','value':[{'retain':5},{'delete':6}]}]");
  }

  @Test
  void invert_textOnALegacyOpsArray_restoresItWithAReplace() {
    assertInverse(
        "{'t':[{'insert':'Hi\\n'}]}",
        "[{'op':'@txt','path':'/t','value':[{'insert':'x'}]}]",
        "[{'op':'replace','path':'/t','value':[{'insert':'Hi\\n'}]}]");
  }

  @Test
  void invert_newText_isARemove() {
    assertInverse(
        "{}",
        "[{'op':'@txt','path':'/t','value':[{'insert':'x'}]}]",
        "[{'op':'remove','path':'/t'}]");
  }

  @Test
  void invert_opsThatChangeNothing_contributeNothing() {
    assertInverse(
        "{'a':1,'l':[]}",
        "[{'op':'test','path':'/a','value':1},{'op':'replace','path':'/a','value':1},"
            + "{'op':'remove','path':'/zz'},{'op':'add','path':'/a','value':5,'soft':true},"
            + "{'op':'@max','path':'/a','value':0}]",
        "[]");
  }

  @Test
  void invert_removedEmptyContainerInAnArray_isPutBackDespiteTheSoftRule() {
    // An add of [] at an occupied index would be skipped as a soft write.
    assertInverse(
        "{'l':[[],-56,{}]}",
        "[{'op':'remove','path':'/l/0'}]",
        "[{'op':'add','path':'/l/0','value':null},{'op':'replace','path':'/l/0','value':[]}]");
  }

  @Test
  void invert_valueEditedAfterItMoved_restoresItAsItWasWhenMoved() {
    // /d/b is edited (so this apply owns its copy), moved over its own parent, then edited in
    // place: the logged value must not see that later edit.
    assertInverse(
        "{'d':{'x':1,'b':[[1,2]]}}",
        "[{'op':'replace','path':'/d/b/0/1','value':5},{'op':'move','from':'/d/b','path':'/d'},"
            + "{'op':'replace','path':'/d/0','value':{'k':1}}]",
        "[{'op':'replace','path':'/d/0','value':[1,5]},{'op':'replace','path':'/d','value':{'x':1}},"
            + "{'op':'add','path':'/d/b','value':[[1,5]]},{'op':'replace','path':'/d/b/0/1','value':2}]");
  }

  @Test
  void invert_failedTest_isTheEmptyPatch() {
    assertThat(
            JsonPatch.invert(
                j("{'a':1}"),
                ops("[{'op':'add','path':'/b','value':1},{'op':'test','path':'/a','value':2}]")))
        .isEmpty();
  }

  @Test
  void invert_unknownOp_isRejected() {
    PatchbayException e =
        assertThrows(
            PatchbayException.class,
            () -> JsonPatch.invert(j("{}"), ops("[{'op':'@what','path':'/x','value':1}]")));
    assertThat(e.code()).isEqualTo(400);
  }

  @Test
  void invert_neverMutatesItsInput() {
    JsonNode doc = j("{'a':{'b':[1,2]}}");
    JsonNode before = doc.deepCopy();
    JsonPatch.invert(
        doc, ops("[{'op':'add','path':'/a/b/0','value':0},{'op':'remove','path':'/a'}]"));
    assertThat(doc).isEqualTo(before);
  }
}
