package dev.patchbay.core.patch;

import static dev.patchbay.core.JsonAssertions.assertJsonEquals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.patchbay.core.json.Json;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Unit tests of {@link JsonPatch#apply}: every op, every mode, and the copy-on-write contract. */
class JsonPatchApplyTest {

  /** Parses JSON written with single quotes, to keep the tests readable. */
  static JsonNode j(String json) {
    return Json.parse(json.replace('\'', '"'));
  }

  /** Parses a patch written with single quotes. */
  static List<PatchOp> ops(String json) {
    return PatchOp.listFromJson(j(json));
  }

  private static @Nullable JsonNode apply(String doc, String patch) {
    return JsonPatch.apply(j(doc), ops(patch), ApplyOptions.STRICT);
  }

  private static PatchApplyException failure(String doc, String patch) {
    return assertThrows(
        PatchApplyException.class, () -> JsonPatch.apply(j(doc), ops(patch), ApplyOptions.STRICT));
  }

  @Nested
  class Add {
    @Test
    void add_objectMember_setsIt() {
      assertJsonEquals(
          j("{'a':1,'b':2}"), apply("{'a':1}", "[{'op':'add','path':'/b','value':2}]"));
    }

    @Test
    void add_existingMember_replacesIt() {
      assertJsonEquals(j("{'a':2}"), apply("{'a':1}", "[{'op':'add','path':'/a','value':2}]"));
    }

    @Test
    void add_arrayIndex_insertsBeforeIt() {
      assertJsonEquals(
          j("{'l':['x','a','b']}"),
          apply("{'l':['a','b']}", "[{'op':'add','path':'/l/0','value':'x'}]"));
    }

    @Test
    void add_dash_appends() {
      assertJsonEquals(
          j("{'l':['a','x']}"), apply("{'l':['a']}", "[{'op':'add','path':'/l/-','value':'x'}]"));
    }

    @Test
    void add_indexPastTheEnd_fails() {
      PatchApplyException e = failure("{'l':['a']}", "[{'op':'add','path':'/l/3','value':'x'}]");
      assertThat(e).hasMessage("[op:add] invalid array index: /l/3");
      assertThat(e.code()).isEqualTo(400);
    }

    @Test
    void add_missingParents_createsObjectsAndArrays() {
      assertJsonEquals(
          j("{'a':{'b':{'c':1}}}"), apply("{}", "[{'op':'add','path':'/a/b/c','value':1}]"));
      assertJsonEquals(j("{'x':[1]}"), apply("{}", "[{'op':'add','path':'/x/0','value':1}]"));
      assertJsonEquals(
          j("{'x':[{'y':1}]}"), apply("{}", "[{'op':'add','path':'/x/-/y','value':1}]"));
      assertJsonEquals(j("{'x':{'1':2}}"), apply("{}", "[{'op':'add','path':'/x/1','value':2}]"));
    }

    @Test
    void add_falsyParent_isReplacedByACreatedContainer() {
      assertJsonEquals(
          j("{'a':{'b':1}}"), apply("{'a':0}", "[{'op':'add','path':'/a/b','value':1}]"));
      assertJsonEquals(
          j("{'a':{'b':1}}"), apply("{'a':''}", "[{'op':'add','path':'/a/b','value':1}]"));
      assertJsonEquals(
          j("{'a':{'b':1}}"), apply("{'a':null}", "[{'op':'add','path':'/a/b','value':1}]"));
    }

    @Test
    void add_underAString_failsWithTheJavaScriptMessage() {
      assertThat(failure("{'s':'x'}", "[{'op':'add','path':'/s/a','value':1}]"))
          .hasMessage("Cannot create property 'a' on string 'x'");
      assertThat(failure("{'n':5}", "[{'op':'add','path':'/n/a/b','value':1}]"))
          .hasMessage("Cannot create property 'a' on number '5'");
    }

    @Test
    void add_throughDashOnANonEmptyArray_writesTheLastElement() {
      assertJsonEquals(
          j("{'l':[{'a':1},{'b':2,'c':3}]}"),
          apply("{'l':[{'a':1},{'b':2}]}", "[{'op':'add','path':'/l/-/c','value':3}]"));
    }

    @Test
    void add_root_replacesTheDocument() {
      assertJsonEquals(j("{'b':2}"), apply("{'a':1}", "[{'op':'add','path':'','value':{'b':2}}]"));
      assertJsonEquals(
          j("[1]"),
          JsonPatch.apply(null, ops("[{'op':'add','path':'','value':[1]}]"), ApplyOptions.STRICT));
    }

    @Test
    void add_withoutValue_fails() {
      assertThat(failure("{}", "[{'op':'add','path':'/a'}]"))
          .hasMessage("[op:add] require value, but got undefined");
    }

    @Test
    void add_deepEqualValue_returnsTheInputDocument() {
      JsonNode doc = j("{'a':{'b':[1,2]},'c':1}");
      JsonNode result =
          JsonPatch.apply(doc, ops("[{'op':'add','path':'/a','value':{'b':[1,2.0]}}]"));
      assertThat(result).isSameAs(doc);
    }

    @Test
    void add_withFrom_addsTheFromStringAsPatchesDoes() {
      assertJsonEquals(
          j("{'a':'/x'}"), apply("{}", "[{'op':'add','path':'/a','from':'/x','value':1}]"));
    }

    @Test
    void add_nonPointerPath_writesNothingVisible() {
      assertJsonEquals(j("{'a':1}"), apply("{'a':1}", "[{'op':'add','path':'b','value':2}]"));
    }
  }

  @Nested
  class Remove {
    @Test
    void remove_member_removesIt() {
      assertJsonEquals(j("{'b':2}"), apply("{'a':1,'b':2}", "[{'op':'remove','path':'/a'}]"));
    }

    @Test
    void remove_missingMemberOrParent_isANoOp() {
      assertJsonEquals(j("{'a':1}"), apply("{'a':1}", "[{'op':'remove','path':'/x'}]"));
      assertJsonEquals(j("{'a':1}"), apply("{'a':1}", "[{'op':'remove','path':'/x/y/z'}]"));
    }

    @Test
    void remove_arrayElement_removesIt() {
      assertJsonEquals(j("[1,3]"), apply("[1,2,3]", "[{'op':'remove','path':'/1'}]"));
    }

    @Test
    void remove_indexPastTheEnd_fails() {
      assertThat(failure("{'a':[1]}", "[{'op':'remove','path':'/a/3'}]"))
          .hasMessage("[op:remove] invalid array index: /a/3");
      assertThat(failure("{'a':[1]}", "[{'op':'remove','path':'/a/-'}]"))
          .hasMessage("[op:remove] invalid array index: /a/-");
    }

    @Test
    void remove_nonNumericKeyOnAnArray_removesTheLastElement() {
      assertJsonEquals(j("[1,2]"), apply("[1,2,3]", "[{'op':'remove','path':'/x'}]"));
    }

    @Test
    void remove_root_leavesNoDocument() {
      assertThat(apply("{'a':1}", "[{'op':'remove','path':''}]")).isNull();
    }
  }

  @Nested
  class Replace {
    @Test
    void replace_member_replacesIt() {
      assertJsonEquals(j("{'a':2}"), apply("{'a':1}", "[{'op':'replace','path':'/a','value':2}]"));
    }

    @Test
    void replace_missingMember_setsIt() {
      assertJsonEquals(
          j("{'a':1,'b':2}"), apply("{'a':1}", "[{'op':'replace','path':'/b','value':2}]"));
    }

    @Test
    void replace_missingParents_createsObjectsOnly() {
      assertJsonEquals(
          j("{'x':{'0':{'y':1}}}"), apply("{}", "[{'op':'replace','path':'/x/0/y','value':1}]"));
    }

    @Test
    void replace_arrayIndexThatDoesNotExist_fails() {
      assertThat(failure("{'arr':[1,2,3]}", "[{'op':'replace','path':'/arr/5','value':9}]"))
          .hasMessage("[op:replace] invalid array index: /arr/5");
    }

    @Test
    void replace_root_replacesTheDocument() {
      assertJsonEquals(j("'x'"), apply("{'a':1}", "[{'op':'replace','path':'','value':'x'}]"));
    }

    @Test
    void replace_withoutValue_fails() {
      assertThat(failure("{'a':1}", "[{'op':'replace','path':'/a'}]"))
          .hasMessage("[op:replace] require value, but got undefined");
    }
  }

  @Nested
  class MoveAndCopy {
    @Test
    void move_member_movesIt() {
      assertJsonEquals(
          j("{'b':{'x':1}}"), apply("{'a':{'x':1}}", "[{'op':'move','from':'/a','path':'/b'}]"));
    }

    @Test
    void move_withinAnArray_reordersIt() {
      assertJsonEquals(j("[2,3,1]"), apply("[1,2,3]", "[{'op':'move','from':'/0','path':'/2'}]"));
      assertJsonEquals(j("[3,1,2]"), apply("[1,2,3]", "[{'op':'move','from':'/2','path':'/0'}]"));
    }

    @Test
    void move_toTheSamePath_isANoOpEvenWhenMissing() {
      assertJsonEquals(j("{}"), apply("{}", "[{'op':'move','from':'/a','path':'/a'}]"));
    }

    @Test
    void move_missingSource_fails() {
      assertThat(failure("{}", "[{'op':'move','from':'/x/a','path':'/b'}]"))
          .hasMessage("[op:move] path not found: /x/a");
      assertThat(failure("{}", "[{'op':'move','from':'/a','path':'/b'}]"))
          .hasMessage("[op:add] require value, but got undefined");
    }

    @Test
    void move_intoItsOwnChild_recreatesTheParent() {
      assertJsonEquals(
          j("{'a':{'b':{'x':1}}}"),
          apply("{'a':{'x':1}}", "[{'op':'move','from':'/a','path':'/a/b'}]"));
    }

    @Test
    void copy_member_copiesIt() {
      assertJsonEquals(
          j("{'a':[1],'b':[1]}"), apply("{'a':[1]}", "[{'op':'copy','from':'/a','path':'/b'}]"));
    }

    @Test
    void copy_thenWriteEitherSide_doesNotAliasTheOther() {
      assertJsonEquals(
          j("{'a':{'b':2,'y':1},'c':{'b':2,'x':5}}"),
          apply(
              "{'a':{'b':1}}",
              "[{'op':'replace','path':'/a/b','value':2},{'op':'copy','from':'/a','path':'/c'},"
                  + "{'op':'replace','path':'/c/x','value':5},{'op':'add','path':'/a/y','value':1}]"));
    }

    @Test
    void copy_missingSource_fails() {
      assertThat(failure("{}", "[{'op':'copy','from':'/x/a','path':'/b'}]"))
          .hasMessage("[op:copy] path not found: /x/a");
      assertThat(failure("{'o':{}}", "[{'op':'copy','from':'/o/a','path':'/b'}]"))
          .hasMessage("[op:add] require value, but got undefined");
    }
  }

  @Nested
  class TestOp {
    @Test
    void test_equalValue_passes() {
      assertJsonEquals(
          j("{'a':1.0,'b':2}"),
          apply(
              "{'a':1.0}",
              "[{'op':'test','path':'/a','value':1},{'op':'add','path':'/b','value':2}]"));
    }

    @Test
    void test_withoutValueOnAMissingTarget_passes() {
      assertJsonEquals(j("{}"), apply("{}", "[{'op':'test','path':'/a'}]"));
    }

    @Test
    void test_failure_throwsInStrictModeWithTheOpIndex() {
      PatchApplyException e =
          failure(
              "{'count':1}",
              "[{'op':'add','path':'/x','value':1},{'op':'test','path':'/count','value':2}]");
      assertThat(e).hasMessage("[op:test] not matched: 1 2");
      assertThat(e.opIndex()).isEqualTo(1);
      assertThat(e.op().op()).isEqualTo("test");
    }

    @Test
    void test_failure_inDefaultMode_returnsTheInputDocument() {
      JsonNode doc = j("{'count':1,'name':'a'}");
      JsonNode result =
          JsonPatch.apply(
              doc,
              ops(
                  "[{'op':'replace','path':'/name','value':'b'},"
                      + "{'op':'test','path':'/count','value':2},"
                      + "{'op':'replace','path':'/name','value':'c'}]"));
      assertThat(result).isSameAs(doc);
    }

    @Test
    void test_missingParent_fails() {
      assertThat(failure("{}", "[{'op':'test','path':'/a/b','value':1}]"))
          .hasMessage("[op:test] path not found: /a/b");
    }
  }

  @Nested
  class Extensions {
    @Test
    void inc_addsToTheCurrentNumberOrZero() {
      assertJsonEquals(
          j("{'n':7,'m':{'k':-2}}"),
          apply(
              "{'n':5}",
              "[{'op':'@inc','path':'/n','value':2},{'op':'@inc','path':'/m/k','value':-2}]"));
    }

    @Test
    void inc_onAString_concatenatesAsJavaScriptDoes() {
      assertJsonEquals(
          j("{'s':'a1'}"), apply("{'s':'a'}", "[{'op':'@inc','path':'/s','value':1}]"));
    }

    @Test
    void bit_lowBitsTurnOnAndHighBitsTurnOff() {
      int on2 = 1 << 2;
      int off0 = 1 << 15;
      assertJsonEquals(
          j("{'b':6}"),
          apply("{'b':3}", "[{'op':'@bit','path':'/b','value':" + (on2 | off0) + "}]"));
      assertJsonEquals(j("{'b':4}"), apply("{}", "[{'op':'@bit','path':'/b','value':4}]"));
    }

    @Test
    void max_setsOnlyWhenGreaterOrMissing() {
      assertJsonEquals(j("{'x':10}"), apply("{'x':5}", "[{'op':'@max','path':'/x','value':10}]"));
      assertJsonEquals(j("{'x':10}"), apply("{'x':10}", "[{'op':'@max','path':'/x','value':5}]"));
      assertJsonEquals(j("{'x':5}"), apply("{'x':null}", "[{'op':'@max','path':'/x','value':5}]"));
      assertJsonEquals(
          j("{'d':'2024-02-01'}"),
          apply("{'d':'2024-01-31'}", "[{'op':'@max','path':'/d','value':'2024-02-01'}]"));
    }

    @Test
    void min_setsOnlyWhenSmallerOrMissing() {
      assertJsonEquals(j("{'x':5}"), apply("{'x':10}", "[{'op':'@min','path':'/x','value':5}]"));
      assertJsonEquals(j("{'x':0}"), apply("{'x':0}", "[{'op':'@min','path':'/x','value':5}]"));
      assertJsonEquals(j("{'x':5}"), apply("{}", "[{'op':'@min','path':'/x','value':5}]"));
    }

    @Test
    void txt_composesOntoTheStoredText() {
      assertJsonEquals(
          j("{'t':{'ops':[{'insert':'hi\\n'}]}}"),
          apply("{}", "[{'op':'@txt','path':'/t','value':[{'insert':'hi'}]}]"));
      assertJsonEquals(
          j("{'t':{'ops':[{'insert':'Hello world\\n'}]}}"),
          apply(
              "{'t':{'ops':[{'insert':'Hello\\n'}]}}",
              "[{'op':'@txt','path':'/t','value':{'ops':[{'retain':5},{'insert':' world'}]}}]"));
    }

    @Test
    void txt_valueThatIsNotADelta_fails() {
      assertThat(failure("{}", "[{'op':'@txt','path':'/t','value':true}]"))
          .hasMessage("Invalid delta");
    }

    @Test
    void txt_legacyPadding_padsAnOverrunWithSpaces() {
      List<PatchOp> patch =
          ops("[{'op':'@txt','path':'/t','value':[{'retain':6},{'insert':'x'}]}]");
      JsonNode doc = j("{'t':{'ops':[{'insert':'ab\\n'}]}}");
      assertJsonEquals(
          j("{'t':{'ops':[{'insert':'ab\\nx\\n'}]}}"),
          JsonPatch.apply(doc, patch, ApplyOptions.STRICT));
      assertJsonEquals(
          j("{'t':{'ops':[{'insert':'ab\\n   x\\n'}]}}"),
          JsonPatch.apply(doc, patch, ApplyOptions.STRICT.withLegacyTextOverrunPadding(true)));
    }

    @Test
    void softWrite_existingTarget_isSkipped() {
      assertJsonEquals(
          j("{'a':1}"), apply("{'a':1}", "[{'op':'replace','path':'/a','value':2,'soft':true}]"));
      assertJsonEquals(
          j("{'a':{'k':1}}"), apply("{'a':{'k':1}}", "[{'op':'add','path':'/a','value':{}}]"));
      assertJsonEquals(
          j("{'a':1,'b':2}"), apply("{'a':1}", "[{'op':'add','path':'/b','value':2,'soft':true}]"));
    }

    @Test
    void unknownOp_failsInStrictModeAndIsSkippedByDefault() {
      assertThat(failure("{}", "[{'op':'@nope','path':'/a','value':1}]"))
          .hasMessage("[op:@nope] unknown");
      assertJsonEquals(
          j("{'b':1}"),
          JsonPatch.apply(
              j("{}"),
              ops("[{'op':'@nope','path':'/a','value':1},{'op':'add','path':'/b','value':1}]")));
    }
  }

  @Nested
  class Modes {
    private final List<PatchOp> failingAdd =
        ops(
            "[{'op':'replace','path':'/name','value':'b'},{'op':'add','path':'/arr/5','value':'x'},"
                + "{'op':'replace','path':'/n','value':2}]");
    private final JsonNode doc = j("{'arr':[1],'name':'a','n':1}");

    @Test
    void defaultMode_failedOp_isSkipped() {
      assertJsonEquals(
          j("{'arr':[1],'name':'b','n':2}"),
          JsonPatch.apply(doc, failingAdd, ApplyOptions.DEFAULT));
    }

    @Test
    void rigidMode_failedOp_abortsWithTheInputDocument() {
      assertThat(JsonPatch.apply(doc, failingAdd, ApplyOptions.DEFAULT.withRigid(true)))
          .isSameAs(doc);
    }

    @Test
    void partialMode_abortedPatch_returnsTheDocumentSoFar() {
      assertJsonEquals(
          j("{'arr':[1],'name':'b','n':1}"),
          JsonPatch.apply(doc, failingAdd, ApplyOptions.DEFAULT.withRigid(true).withPartial(true)));
    }

    @Test
    void silentMode_changesNothing() {
      assertJsonEquals(
          JsonPatch.apply(doc, failingAdd, ApplyOptions.DEFAULT),
          JsonPatch.apply(doc, failingAdd, ApplyOptions.DEFAULT.withSilent(true)));
    }

    @Test
    void strictMode_failedOp_throwsWithIndexAndOp() {
      PatchApplyException e =
          assertThrows(
              PatchApplyException.class,
              () -> JsonPatch.apply(doc, failingAdd, ApplyOptions.STRICT));
      assertThat(e.opIndex()).isEqualTo(1);
      assertThat(e.op()).isEqualTo(failingAdd.get(1));
    }

    @Test
    void abortedPatch_withAFalsyInput_returnsTheWorkingDocument() {
      JsonNode result =
          JsonPatch.apply(
              null,
              ops("[{'op':'add','path':'/a','value':1},{'op':'test','path':'/a','value':2}]"));
      assertJsonEquals(j("{'a':1}"), result);
    }

    @Test
    void emptyPatch_returnsTheInputItself() {
      JsonNode input = j("{'a':1}");
      assertThat(JsonPatch.apply(input, List.of(), ApplyOptions.STRICT)).isSameAs(input);
    }
  }

  @Nested
  class CopyOnWrite {
    @Test
    void apply_neverMutatesTheInput() {
      JsonNode doc = j("{'a':{'b':[1,2,{'c':3}]},'d':{'e':1}}");
      JsonNode before = doc.deepCopy();
      JsonPatch.apply(
          doc,
          ops(
              "[{'op':'add','path':'/a/b/2/x','value':1},{'op':'remove','path':'/a/b/0'},"
                  + "{'op':'move','from':'/d/e','path':'/a/e'},{'op':'copy','from':'/a','path':'/f'},"
                  + "{'op':'@inc','path':'/f/e','value':1},{'op':'replace','path':'','value':{}}]"),
          ApplyOptions.STRICT);
      assertJsonEquals(before, doc);
      assertThat(doc).isEqualTo(before);
    }

    @Test
    void apply_sharesEverySubtreeItDidNotChange() {
      JsonNode doc = j("{'a':{'b':[1,2]},'big':{'x':[1,2,3]},'c':{'d':1}}");
      JsonNode result =
          JsonPatch.apply(
              doc, ops("[{'op':'replace','path':'/c/d','value':2}]"), ApplyOptions.STRICT);
      assertThat(result).isNotSameAs(doc);
      assertThat(result.get("a")).isSameAs(doc.get("a"));
      assertThat(result.get("big")).isSameAs(doc.get("big"));
      assertThat(result.get("c")).isNotSameAs(doc.get("c"));
    }

    @Test
    void apply_opValues_areNeverWrittenThrough() {
      List<PatchOp> patch =
          ops("[{'op':'add','path':'/a','value':{'x':1}},{'op':'add','path':'/a/y','value':2}]");
      JsonNode valueBefore = patch.get(0).value().deepCopy();
      assertJsonEquals(
          j("{'a':{'x':1,'y':2}}"), JsonPatch.apply(j("{}"), patch, ApplyOptions.STRICT));
      assertJsonEquals(valueBefore, patch.get(0).value());
    }
  }

  @Nested
  class Rfc6902 {
    private final ApplyOptions rfc = ApplyOptions.rfc6902();

    private void assertRejects(String doc, String patch) {
      assertThrows(PatchApplyException.class, () -> JsonPatch.apply(j(doc), ops(patch), rfc));
    }

    @Test
    void rfc_missingParentOrTarget_isAnError() {
      assertRejects("{}", "[{'op':'add','path':'/a/b','value':1}]");
      assertRejects("{}", "[{'op':'remove','path':'/a'}]");
      assertRejects("{}", "[{'op':'replace','path':'/a','value':1}]");
      assertRejects("[1]", "[{'op':'add','path':'/01','value':1}]");
      assertRejects("{'a':[{'b':1}]}", "[{'op':'add','path':'/a/-/c','value':1}]");
    }

    @Test
    void rfc_moveIntoItsOwnChild_isAnError() {
      assertRejects("{'a':{}}", "[{'op':'move','from':'/a','path':'/a/b'}]");
    }

    @Test
    void rfc_extensionOpsAndSoft_areNotPatchesSemantics() {
      assertRejects("{'n':1}", "[{'op':'@inc','path':'/n','value':1}]");
      assertJsonEquals(
          j("{'a':2}"),
          JsonPatch.apply(
              j("{'a':1}"), ops("[{'op':'replace','path':'/a','value':2,'soft':true}]"), rfc));
    }

    @Test
    void rfc_notStrict_returnsTheInputOnAnyFailure() {
      JsonNode doc = j("{'a':1}");
      JsonNode result =
          JsonPatch.apply(
              doc,
              ops("[{'op':'add','path':'/b','value':1},{'op':'remove','path':'/x'}]"),
              rfc.withStrict(false));
      assertThat(result).isSameAs(doc);
    }

    @Test
    void rfc_validPatch_appliesLikeTheRfcExamples() {
      assertJsonEquals(
          j("{'foo':['all','cows','eat','grass']}"),
          JsonPatch.apply(
              j("{'foo':['all','grass','cows','eat']}"),
              ops("[{'op':'move','from':'/foo/1','path':'/foo/3'}]"),
              rfc));
    }
  }
}
