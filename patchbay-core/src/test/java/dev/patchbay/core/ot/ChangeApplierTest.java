package dev.patchbay.core.ot;

import static dev.patchbay.core.JsonAssertions.assertJsonEquals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.patch.ApplyOptions;
import dev.patchbay.core.patch.JsonPatch;
import dev.patchbay.core.patch.PatchApplyException;
import dev.patchbay.core.patch.PatchOp;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Strict and reconstruction replay of changes; mirrors the upstream applyChanges spec. */
class ChangeApplierTest {

  private static Change change(long rev, String opsJson) {
    return Change.of("change-" + rev, rev - 1, rev, PatchOp.listFromJson(Json.parse(opsJson)), 0);
  }

  private static JsonNode json(String text) {
    return Json.parse(text);
  }

  @Test
  void applyChanges_noChanges_returnsTheSameState() {
    JsonNode state = json("{\"text\":\"hello\",\"count\":0}");

    assertThat(ChangeApplier.applyChanges(state, List.of())).isSameAs(state);
  }

  @Test
  void applyChanges_singleChange_appliesIt() {
    JsonNode state = json("{\"text\":\"hello\",\"count\":0}");

    JsonNode result =
        ChangeApplier.applyChanges(
            state,
            List.of(change(1, "[{\"op\":\"replace\",\"path\":\"/text\",\"value\":\"world\"}]")));

    assertJsonEquals(json("{\"text\":\"world\",\"count\":0}"), result);
    assertJsonEquals(json("{\"text\":\"hello\",\"count\":0}"), state);
  }

  @Test
  void applyChanges_severalChanges_appliesThemInOrder() {
    JsonNode state = json("{\"users\":[],\"posts\":[],\"settings\":{\"theme\":\"light\"}}");
    List<Change> changes =
        List.of(
            change(
                1,
                "[{\"op\":\"add\",\"path\":\"/users/0\",\"value\":{\"id\":1,\"name\":\"John\"}}]"),
            change(
                2,
                "[{\"op\":\"add\",\"path\":\"/posts/0\",\"value\":{\"id\":1,\"title\":\"Hello\"}}]"),
            change(3, "[{\"op\":\"replace\",\"path\":\"/settings/theme\",\"value\":\"dark\"}]"),
            change(4, "[{\"op\":\"@inc\",\"path\":\"/users/0/id\",\"value\":4}]"));

    JsonNode result = ChangeApplier.applyChanges(state, changes);

    assertJsonEquals(
        json(
            "{\"users\":[{\"id\":5,\"name\":\"John\"}],\"posts\":[{\"id\":1,\"title\":\"Hello\"}],"
                + "\"settings\":{\"theme\":\"dark\"}}"),
        result);
  }

  @Test
  void applyChanges_nullState_startsFromTheRootOp() {
    JsonNode result =
        ChangeApplier.applyChanges(
            null,
            List.of(
                change(1, "[{\"op\":\"replace\",\"path\":\"\",\"value\":{\"text\":\"hello\"}}]"),
                change(2, "[{\"op\":\"add\",\"path\":\"/n\",\"value\":1}]")));

    assertJsonEquals(json("{\"text\":\"hello\",\"n\":1}"), result);
  }

  @Test
  void applyChanges_arrayAndStringStates_areApplied() {
    assertJsonEquals(
        json("[1,2,3,4]"),
        ChangeApplier.applyChanges(
            json("[1,2,3]"), List.of(change(1, "[{\"op\":\"add\",\"path\":\"/3\",\"value\":4}]"))));
    assertJsonEquals(
        json("\"world\""),
        ChangeApplier.applyChanges(
            json("\"hello\""),
            List.of(change(1, "[{\"op\":\"replace\",\"path\":\"\",\"value\":\"world\"}]"))));
  }

  @Test
  void applyChanges_failingChange_throwsNamingTheChangeAndOp() {
    JsonNode state = json("{\"a\":[1]}");
    List<Change> changes =
        List.of(
            change(1, "[{\"op\":\"add\",\"path\":\"/b\",\"value\":1}]"),
            change(
                2,
                "[{\"op\":\"add\",\"path\":\"/c\",\"value\":1},{\"op\":\"remove\",\"path\":\"/a/3\"}]"),
            change(3, "[{\"op\":\"add\",\"path\":\"/d\",\"value\":1}]"));

    ApplyChangesException error =
        catchThrowableOfType(
            ApplyChangesException.class, () -> ChangeApplier.applyChanges(state, changes));

    assertThat(error).isNotNull();
    assertThat(error.changeId()).isEqualTo("change-2");
    assertThat(error.rev()).isEqualTo(2);
    assertThat(error.index()).isEqualTo(1);
    assertThat(error.opIndex()).isEqualTo(1);
    assertThat(error.code()).isEqualTo(400);
    assertThat(error.getCause()).isInstanceOf(PatchApplyException.class);
    assertThat(error.getMessage())
        .startsWith("Failed to apply change change-2 (rev 2, index 1 of batch): ")
        .endsWith(error.getCause().getMessage());
    assertJsonEquals(json("{\"a\":[1]}"), state);
  }

  @Test
  void applyChanges_opThatDefaultModeWouldSkip_failsStrictly() {
    List<Change> changes =
        List.of(change(1, "[{\"op\":\"replace\",\"path\":\"/a/5\",\"value\":1}]"));

    ApplyChangesException error =
        catchThrowableOfType(
            ApplyChangesException.class,
            () -> ChangeApplier.applyChanges(json("{\"a\":[1]}"), changes));

    assertThat(error).isNotNull();
    assertThat(error.index()).isZero();
  }

  @Test
  void applyChangesForReconstruction_failingChange_isSkippedWhole() {
    List<ChangeApplier.SkippedChange> skipped = new ArrayList<>();
    List<Change> changes =
        List.of(
            change(1, "[{\"op\":\"add\",\"path\":\"/b\",\"value\":1}]"),
            change(
                2,
                "[{\"op\":\"add\",\"path\":\"/c\",\"value\":1},{\"op\":\"remove\",\"path\":\"/a/3\"}]"),
            change(3, "[{\"op\":\"add\",\"path\":\"/d\",\"value\":1}]"));

    JsonNode result =
        ChangeApplier.applyChangesForReconstruction(
            json("{\"a\":[1]}"), changes, false, skipped::add);

    assertJsonEquals(json("{\"a\":[1],\"b\":1,\"d\":1}"), result);
    assertThat(skipped).singleElement();
    assertThat(skipped.get(0).change()).isEqualTo(changes.get(1));
    assertThat(skipped.get(0).index()).isEqualTo(1);
    assertThat(skipped.get(0).error()).isInstanceOf(PatchApplyException.class);
  }

  @Test
  void applyChangesForReconstruction_noListener_stillSkips() {
    JsonNode result =
        ChangeApplier.applyChangesForReconstruction(
            json("{\"a\":[1]}"),
            List.of(
                change(1, "[{\"op\":\"remove\",\"path\":\"/a/3\"}]"),
                change(2, "[{\"op\":\"add\",\"path\":\"/d\",\"value\":1}]")));

    assertJsonEquals(json("{\"a\":[1],\"d\":1}"), result);
  }

  @Test
  void applyChangesForReconstruction_legacyPadding_isPassedToTheTextRule() {
    JsonNode state = json("{\"t\":{\"ops\":[{\"insert\":\"hi\\n\"}]}}");
    List<Change> changes =
        List.of(
            change(
                1,
                "[{\"op\":\"@txt\",\"path\":\"/t\",\"value\":[{\"retain\":8},{\"insert\":\"X\"}]}]"));
    JsonNode padded =
        JsonPatch.apply(
            state, changes.get(0).ops(), ApplyOptions.STRICT.withLegacyTextOverrunPadding(true));
    JsonNode dropped = JsonPatch.apply(state, changes.get(0).ops(), ApplyOptions.STRICT);
    assertThat(Json.equal(padded, dropped)).isFalse();

    assertJsonEquals(
        padded, ChangeApplier.applyChangesForReconstruction(state, changes, true, null));
    assertJsonEquals(
        dropped, ChangeApplier.applyChangesForReconstruction(state, changes, false, null));
  }
}
