package dev.patchbay.core.lww;

import static dev.patchbay.core.lww.TestOps.assertValue;
import static dev.patchbay.core.lww.TestOps.op;
import static dev.patchbay.core.lww.TestOps.remove;
import static dev.patchbay.core.lww.TestOps.soft;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.ot.Change;
import dev.patchbay.core.patch.PatchOp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a client shows after server changes while it still has ops in flight or pending. The first
 * cases mirror upstream's mergeServerWithLocal spec; where the pinned release turned "server value
 * wins" into "pending value wins locally" (protocol §5) the expectation follows it.
 */
class MergeServerWithLocalTest {

  private static Change change(long baseRev, long rev, PatchOp... ops) {
    return Change.of("c" + rev, baseRev, rev, List.of(ops), 0);
  }

  // --- a pending delta op on a path the server wrote ---

  @Test
  void merge_serverReplaceAndLocalInc_addsTheIncrement() {
    List<Change> result =
        Lww.mergeServerWithLocal(
            List.of(change(5, 6, op("replace", "/count", 123))),
            List.of(op("@inc", "/count", 2, 1000L)));

    assertThat(result).hasSize(1);
    assertThat(result.get(0).ops()).hasSize(1);
    assertValue(125, result.get(0).ops().get(0).value());
  }

  @Test
  void merge_serverReplaceAndLocalMax_serverHigher_keepsServerValue() {
    List<Change> result =
        Lww.mergeServerWithLocal(
            List.of(change(5, 6, op("replace", "/score", 100))),
            List.of(op("@max", "/score", 50, 1000L)));

    assertValue(100, result.get(0).ops().get(0).value());
  }

  @Test
  void merge_serverReplaceAndLocalMax_localHigher_takesLocalValue() {
    List<Change> result =
        Lww.mergeServerWithLocal(
            List.of(change(5, 6, op("replace", "/score", 50))),
            List.of(op("@max", "/score", 100, 1000L)));

    assertValue(100, result.get(0).ops().get(0).value());
  }

  @Test
  void merge_serverReplaceAndLocalMin_serverLower_keepsServerValue() {
    List<Change> result =
        Lww.mergeServerWithLocal(
            List.of(change(5, 6, op("replace", "/price", 10))),
            List.of(op("@min", "/price", 50, 1000L)));

    assertValue(10, result.get(0).ops().get(0).value());
  }

  @Test
  void merge_serverReplaceAndLocalMin_localLower_takesLocalValue() {
    List<Change> result =
        Lww.mergeServerWithLocal(
            List.of(change(5, 6, op("replace", "/price", 50))),
            List.of(op("@min", "/price", 10, 1000L)));

    assertValue(10, result.get(0).ops().get(0).value());
  }

  @Test
  void merge_serverReplaceAndLocalBit_setsBothBits() {
    List<Change> result =
        Lww.mergeServerWithLocal(
            List.of(change(5, 6, op("replace", "/flags", 0b0001))),
            List.of(op("@bit", "/flags", 0b0010, 1000L)));

    assertThat(result.get(0).ops().get(0).value().intValue() & 0b0011).isEqualTo(0b0011);
  }

  // --- a pending value op on a path the server wrote: the pending value wins locally ---

  @Test
  void merge_serverReplaceAndLocalReplace_showsLocalValue() {
    List<Change> result =
        Lww.mergeServerWithLocal(
            List.of(change(5, 6, op("replace", "/name", "Server"))),
            List.of(op("replace", "/name", "Local", 1000L)));

    assertThat(result.get(0).ops()).hasSize(1);
    assertValue("Local", result.get(0).ops().get(0).value());
  }

  @Test
  void merge_serverReplaceAndLocalRemove_showsTheRemove() {
    List<Change> result =
        Lww.mergeServerWithLocal(
            List.of(change(5, 6, op("replace", "/field", "value"))),
            List.of(remove("/field", 1000L)));

    assertThat(result.get(0).ops()).containsExactly(remove("/field", 1000L));
  }

  // --- no local ops ---

  @Test
  void merge_noLocalOps_returnsTheSameList() {
    List<Change> serverChanges = List.of(change(5, 6, op("replace", "/count", 100)));

    assertThat(Lww.mergeServerWithLocal(serverChanges, List.of())).isSameAs(serverChanges);
  }

  // --- local ops on paths the server did not touch ---

  @Test
  void merge_localOpOnUntouchedPath_isAppended() {
    List<Change> result =
        Lww.mergeServerWithLocal(
            List.of(change(5, 6, op("replace", "/serverPath", "server"))),
            List.of(op("@inc", "/localPath", 5, 1000L)));

    assertThat(result).hasSize(1);
    assertThat(result.get(0).ops()).hasSize(2);
    assertThat(result.get(0).ops().get(0).path()).isEqualTo("/serverPath");
    assertThat(result.get(0).ops().get(1).path()).isEqualTo("/localPath");
    assertValue(5, result.get(0).ops().get(1).value());
  }

  @Test
  void merge_localValueOpOnUntouchedPath_isAppended() {
    List<Change> result =
        Lww.mergeServerWithLocal(
            List.of(change(5, 6, op("replace", "/a", 1))),
            List.of(op("replace", "/b", "local", 1000L)));

    assertThat(result.get(0).ops()).hasSize(2);
    assertThat(result.get(0).ops().get(1).path()).isEqualTo("/b");
    assertValue("local", result.get(0).ops().get(1).value());
  }

  // --- several ops and changes ---

  @Test
  void merge_severalServerOps_mergesDeltaAndLetsPendingValueWin() {
    List<Change> result =
        Lww.mergeServerWithLocal(
            List.of(
                change(
                    5,
                    6,
                    op("replace", "/a", 10),
                    op("replace", "/b", 20),
                    op("replace", "/c", 30))),
            List.of(op("@inc", "/a", 5, 1000L), op("replace", "/b", "local", 1000L)));

    List<PatchOp> ops = result.get(0).ops();
    assertThat(ops).extracting(PatchOp::path).containsExactly("/a", "/c", "/b");
    assertValue(15, ops.get(0).value());
    assertValue(30, ops.get(1).value());
    assertValue("local", ops.get(2).value());
  }

  @Test
  void merge_sendingAndPendingOps_bothCount() {
    List<Change> result =
        Lww.mergeServerWithLocal(
            List.of(change(5, 6, op("replace", "/count", 100))),
            List.of(op("@inc", "/count", 10, 1000L), op("@inc", "/other", 5, 2000L)));

    List<PatchOp> ops = result.get(0).ops();
    assertThat(ops.get(0).path()).isEqualTo("/count");
    assertValue(110, ops.get(0).value());
    assertThat(ops.get(1).path()).isEqualTo("/other");
    assertValue(5, ops.get(1).value());
  }

  @Test
  void merge_severalServerChanges_appendsUntouchedToTheLast() {
    List<Change> result =
        Lww.mergeServerWithLocal(
            List.of(change(5, 6, op("replace", "/a", 10)), change(6, 7, op("replace", "/b", 20))),
            List.of(op("@inc", "/a", 5, 1000L), op("@inc", "/c", 3, 1000L)));

    assertThat(result).hasSize(2);
    assertValue(15, result.get(0).ops().get(0).value());
    assertValue(20, result.get(1).ops().get(0).value());
    assertThat(result.get(1).ops()).hasSize(2);
    assertThat(result.get(1).ops().get(1).path()).isEqualTo("/c");
    assertValue(3, result.get(1).ops().get(1).value());
  }

  // --- edge cases ---

  @Test
  void merge_serverOpWithoutValue_incrementStartsFromZero() {
    List<Change> result =
        Lww.mergeServerWithLocal(
            List.of(change(5, 6, op("replace", "/count", null))),
            List.of(op("@inc", "/count", 5, 1000L)));

    assertValue(5, result.get(0).ops().get(0).value());
  }

  @Test
  void merge_localIncWithoutValue_addsNothing() {
    List<Change> result =
        Lww.mergeServerWithLocal(
            List.of(change(5, 6, op("replace", "/count", 100))),
            List.of(op("@inc", "/count", null, 1000L)));

    assertValue(100, result.get(0).ops().get(0).value());
  }

  @Test
  void merge_keepsTheOtherMembersOfTheChange() {
    Change committed = change(5, 6, op("replace", "/count", 100)).committed(6, 1, 123456789, "c1");

    Change result =
        Lww.mergeServerWithLocal(List.of(committed), List.of(op("@inc", "/count", 5, 1000L)))
            .get(0);

    assertThat(result.committedAt()).isEqualTo(123456789);
    assertThat(result.baseRev()).isEqualTo(5);
    assertThat(result.rev()).isEqualTo(6);
    assertThat(result.clientId()).isEqualTo("c1");
  }

  @Test
  void merge_serverRemoveAndLocalInc_becomesReplaceWithTheIncrement() {
    List<Change> result =
        Lww.mergeServerWithLocal(
            List.of(change(5, 6, TestOps.op("remove", "/count", null))),
            List.of(op("@inc", "/count", 5, 1000L)));

    PatchOp merged = result.get(0).ops().get(0);
    assertThat(merged.op()).isEqualTo("replace");
    assertThat(merged.path()).isEqualTo("/count");
    assertValue(5, merged.value());
  }

  @Test
  void merge_serverRemoveAndLocalMax_becomesReplaceWithTheOperand() {
    List<Change> result =
        Lww.mergeServerWithLocal(
            List.of(change(5, 6, TestOps.op("remove", "/score", null))),
            List.of(op("@max", "/score", 100, 1000L)));

    assertThat(result.get(0).ops().get(0).op()).isEqualTo("replace");
    assertValue(100, result.get(0).ops().get(0).value());
  }

  // --- parents and children ---

  @Test
  void merge_pendingParentWrite_hidesServerWritesBelowIt() {
    List<Change> result =
        Lww.mergeServerWithLocal(
            List.of(change(5, 6, op("replace", "/a/x", 1), op("replace", "/b", 2))),
            List.of(op("replace", "/a", Map.of("y", 1), 1000L)));

    assertThat(result.get(0).ops())
        .containsExactly(op("replace", "/b", 2), op("replace", "/a", Map.of("y", 1), 1000L));
  }

  @Test
  void merge_serverParentWriteAfterPendingChild_appliesPendingChildLast() {
    List<Change> result =
        Lww.mergeServerWithLocal(
            List.of(change(5, 6, op("replace", "/a/b", 2), op("replace", "/a", Map.of("q", 1)))),
            List.of(op("replace", "/a/b", 1, 1000L)));

    assertThat(result.get(0).ops())
        .containsExactly(op("replace", "/a", Map.of("q", 1)), op("replace", "/a/b", 1, 1000L));
  }

  @Test
  void merge_serverParentWriteAfterDeltaPath_appliesTheDeltaLast() {
    List<Change> result =
        Lww.mergeServerWithLocal(
            List.of(
                change(5, 6, op("replace", "/a/n", 5)),
                change(6, 7, op("replace", "/a", Map.of("n", 10)))),
            List.of(op("@inc", "/a/n", 1, 1000L)));

    assertValue(5, result.get(0).ops().get(0).value());
    assertThat(result.get(1).ops())
        .containsExactly(op("replace", "/a", Map.of("n", 10)), op("@inc", "/a/n", 1, 1000L));
  }

  @Test
  void merge_pendingSoftWrite_doesNotHideServerValue() {
    List<Change> result =
        Lww.mergeServerWithLocal(
            List.of(change(5, 6, op("replace", "/prefs", Map.of("a", 1)))),
            List.of(soft("add", "/prefs", Map.of(), 1000L)));

    assertThat(result.get(0).ops().get(0)).isEqualTo(op("replace", "/prefs", Map.of("a", 1)));
    assertThat(result.get(0).ops()).hasSize(2);
  }

  @Test
  void merge_noServerChanges_returnsNoChanges() {
    List<Change> serverChanges = List.of();

    assertThat(Lww.mergeServerWithLocal(serverChanges, List.of(op("replace", "/a", 1, 1L))))
        .isEmpty();
  }
}
