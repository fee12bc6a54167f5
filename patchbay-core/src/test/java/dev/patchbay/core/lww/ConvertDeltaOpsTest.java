package dev.patchbay.core.lww;

import static dev.patchbay.core.lww.TestOps.assertValue;
import static dev.patchbay.core.lww.TestOps.op;
import static dev.patchbay.core.lww.TestOps.remove;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.patch.PatchOp;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Delta ops as a server stores them. Mirrors upstream's convertDeltaOps cases. */
class ConvertDeltaOpsTest {

  @Test
  void convertDeltaOps_inc_becomesReplaceFromZero() {
    List<PatchOp> result = Lww.convertDeltaOps(List.of(op("@inc", "/count", 5, 1000L)));

    assertThat(result).hasSize(1);
    assertThat(result.get(0).op()).isEqualTo("replace");
    assertValue(5, result.get(0).value());
    assertThat(result.get(0).path()).isEqualTo("/count");
    assertThat(result.get(0).ts()).isEqualTo(1000L);
  }

  @Test
  void convertDeltaOps_max_becomesReplaceOfOperand() {
    List<PatchOp> result = Lww.convertDeltaOps(List.of(op("@max", "/highScore", 100, 1000L)));

    assertThat(result.get(0).op()).isEqualTo("replace");
    assertValue(100, result.get(0).value());
  }

  @Test
  void convertDeltaOps_min_becomesReplaceOfOperand() {
    List<PatchOp> result = Lww.convertDeltaOps(List.of(op("@min", "/lowestPrice", -5, 1000L)));

    assertThat(result.get(0).op()).isEqualTo("replace");
    assertValue(-5, result.get(0).value());
  }

  @Test
  void convertDeltaOps_negativeMax_keepsTheOperandNotZero() {
    List<PatchOp> result = Lww.convertDeltaOps(List.of(op("@max", "/low", -5, 1000L)));

    assertValue(-5, result.get(0).value());
  }

  @Test
  void convertDeltaOps_bit_becomesReplaceOfMaskOnZero() {
    List<PatchOp> result = Lww.convertDeltaOps(List.of(op("@bit", "/flags", 0b0011, 1000L)));

    assertThat(result.get(0).op()).isEqualTo("replace");
    assertValue(0b0011, result.get(0).value());
  }

  @Test
  void convertDeltaOps_replace_staysAsItIs() {
    List<PatchOp> result = Lww.convertDeltaOps(List.of(op("replace", "/name", "hello", 1000L)));

    assertThat(result.get(0).op()).isEqualTo("replace");
    assertValue("hello", result.get(0).value());
  }

  // Upstream's older spec turned a remove into a replace without value; the pinned release keeps
  // remove rows, which the removed-parent rule needs.
  @Test
  void convertDeltaOps_remove_staysRemove() {
    List<PatchOp> result = Lww.convertDeltaOps(List.of(remove("/field", 1000L)));

    assertThat(result.get(0).op()).isEqualTo("remove");
    assertThat(result.get(0).value()).isNull();
    assertThat(result.get(0).ts()).isEqualTo(1000L);
  }

  @Test
  void convertDeltaOps_mixedOps_convertsEach() {
    List<PatchOp> result =
        Lww.convertDeltaOps(
            List.of(
                op("@inc", "/count", 5, 1000L),
                op("replace", "/name", "Alice", 1000L),
                op("@max", "/highScore", 100, 1000L)));

    assertThat(result)
        .containsExactly(
            op("replace", "/count", 5, 1000L),
            op("replace", "/name", "Alice", 1000L),
            op("replace", "/highScore", 100, 1000L));
  }

  @Test
  void convertDeltaOps_empty_returnsEmpty() {
    assertThat(Lww.convertDeltaOps(List.of())).isEmpty();
  }

  @Test
  void convertDeltaOps_nestedPath_keepsPathAndTs() {
    List<PatchOp> result = Lww.convertDeltaOps(List.of(op("@inc", "/nested/count", 10, 5000L)));

    assertThat(result.get(0).path()).isEqualTo("/nested/count");
    assertThat(result.get(0).ts()).isEqualTo(5000L);
  }

  @Test
  void convertDeltaOps_add_becomesReplaceAndDropsSoft() {
    PatchOp soft = TestOps.soft("add", "/a", java.util.Map.of(), 1000L).withRev(4L);

    PatchOp result = Lww.convertDeltaOps(List.of(soft)).get(0);

    assertThat(result.op()).isEqualTo("replace");
    assertThat(result.soft()).isFalse();
    assertThat(result.rev()).isEqualTo(4L);
  }
}
