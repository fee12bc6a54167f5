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
 * Two ops on one path. The first cases mirror upstream's consolidateOps spec (same inputs and
 * expectations); the later ones pin the rules of protocol §5 that the pinned release added.
 */
class ConsolidateFieldOpTest {

  // --- @inc ---

  @Test
  void consolidateFieldOp_incOnInc_sumsAndKeepsIncomingTs() {
    PatchOp result =
        Lww.consolidateFieldOp(op("@inc", "/counter", 5, 1000L), op("@inc", "/counter", 3, 2000L));

    assertThat(result.op()).isEqualTo("@inc");
    assertValue(8, result.value());
    assertThat(result.ts()).isEqualTo(2000L);
  }

  @Test
  void consolidateFieldOp_incOnInc_negativeIncrement_subtracts() {
    PatchOp result =
        Lww.consolidateFieldOp(
            op("@inc", "/counter", 10, 1000L), op("@inc", "/counter", -3, 2000L));

    assertValue(7, result.value());
  }

  // --- @bit ---

  @Test
  void consolidateFieldOp_bitOnBit_combinesMasks() {
    PatchOp result =
        Lww.consolidateFieldOp(
            op("@bit", "/flags", 0b0001, 1000L), op("@bit", "/flags", 0b0010, 2000L));

    assertThat(result.op()).isEqualTo("@bit");
    assertThat(result.value().intValue() & 0b0011).isEqualTo(0b0011);
    assertThat(result.ts()).isEqualTo(2000L);
  }

  // --- @max / @min ---

  @Test
  void consolidateFieldOp_maxOnMax_incomingLower_returnsNull() {
    assertThat(
            Lww.consolidateFieldOp(
                op("@max", "/highScore", 100, 1000L), op("@max", "/highScore", 50, 2000L)))
        .isNull();
  }

  @Test
  void consolidateFieldOp_maxOnMax_incomingHigher_updates() {
    PatchOp result =
        Lww.consolidateFieldOp(
            op("@max", "/highScore", 50, 1000L), op("@max", "/highScore", 100, 2000L));

    assertThat(result).isNotNull();
    assertValue(100, result.value());
  }

  @Test
  void consolidateFieldOp_minOnMin_incomingHigher_returnsNull() {
    assertThat(
            Lww.consolidateFieldOp(
                op("@min", "/lowestPrice", 50, 1000L), op("@min", "/lowestPrice", 100, 2000L)))
        .isNull();
  }

  @Test
  void consolidateFieldOp_minOnMin_incomingLower_updates() {
    PatchOp result =
        Lww.consolidateFieldOp(
            op("@min", "/lowestPrice", 100, 1000L), op("@min", "/lowestPrice", 50, 2000L));

    assertThat(result).isNotNull();
    assertValue(50, result.value());
  }

  // --- replace / remove ---

  @Test
  void consolidateFieldOp_replaceOnReplace_newer_returnsIncoming() {
    PatchOp result =
        Lww.consolidateFieldOp(
            op("replace", "/name", "Alice", 1000L), op("replace", "/name", "Bob", 2000L));

    assertThat(result.op()).isEqualTo("replace");
    assertValue("Bob", result.value());
    assertThat(result.ts()).isEqualTo(2000L);
  }

  @Test
  void consolidateFieldOp_removeOnRemove_newer_returnsIncoming() {
    PatchOp result = Lww.consolidateFieldOp(remove("/field", 1000L), remove("/field", 2000L));

    assertThat(result.op()).isEqualTo("remove");
    assertThat(result.ts()).isEqualTo(2000L);
  }

  @Test
  void consolidateFieldOp_removeOnReplace_newer_returnsRemove() {
    PatchOp result =
        Lww.consolidateFieldOp(op("replace", "/field", "test", 1000L), remove("/field", 2000L));

    assertThat(result.op()).isEqualTo("remove");
  }

  // --- mixed kinds ---

  @Test
  void consolidateFieldOp_replaceOnInc_newer_returnsReplace() {
    PatchOp result =
        Lww.consolidateFieldOp(op("@inc", "/value", 5, 1000L), op("replace", "/value", 100, 2000L));

    assertThat(result.op()).isEqualTo("replace");
    assertValue(100, result.value());
  }

  @Test
  void consolidateFieldOp_incOnMax_appliesIncrementAndKeepsMax() {
    PatchOp result =
        Lww.consolidateFieldOp(op("@max", "/value", 50, 1000L), op("@inc", "/value", 10, 2000L));

    assertThat(result).isNotNull();
    assertThat(result.op()).isEqualTo("@max");
    assertValue(60, result.value());
  }

  // --- a delta op applied to a replace ---

  @Test
  void consolidateFieldOp_incOnReplace_appliesToValue() {
    PatchOp result =
        Lww.consolidateFieldOp(op("replace", "/count", 10, 1000L), op("@inc", "/count", 5, 2000L));

    assertThat(result).isNotNull();
    assertThat(result.op()).isEqualTo("replace");
    assertValue(15, result.value());
  }

  @Test
  void consolidateFieldOp_maxOnReplace_incomingLarger_appliesToValue() {
    PatchOp result =
        Lww.consolidateFieldOp(
            op("replace", "/highScore", 10, 1000L), op("@max", "/highScore", 20, 2000L));

    assertThat(result.op()).isEqualTo("replace");
    assertValue(20, result.value());
  }

  @Test
  void consolidateFieldOp_maxOnReplace_incomingSmaller_returnsNull() {
    assertThat(
            Lww.consolidateFieldOp(
                op("replace", "/highScore", 20, 1000L), op("@max", "/highScore", 10, 2000L)))
        .isNull();
  }

  @Test
  void consolidateFieldOp_minOnReplace_incomingSmaller_appliesToValue() {
    PatchOp result =
        Lww.consolidateFieldOp(
            op("replace", "/lowestPrice", 10, 1000L), op("@min", "/lowestPrice", 5, 2000L));

    assertThat(result.op()).isEqualTo("replace");
    assertValue(5, result.value());
  }

  @Test
  void consolidateFieldOp_minOnReplace_incomingLarger_returnsNull() {
    assertThat(
            Lww.consolidateFieldOp(
                op("replace", "/lowestPrice", 5, 1000L), op("@min", "/lowestPrice", 10, 2000L)))
        .isNull();
  }

  @Test
  void consolidateFieldOp_bitOnReplace_appliesMask() {
    PatchOp result =
        Lww.consolidateFieldOp(
            op("replace", "/flags", 0b0001, 1000L), op("@bit", "/flags", 0b0010, 2000L));

    assertThat(result.op()).isEqualTo("replace");
    assertValue(0b0011, result.value());
  }

  // --- a delta op applied to another kind of delta op ---

  @Test
  void consolidateFieldOp_incOnMin_appliesIncrementAndKeepsMin() {
    PatchOp result =
        Lww.consolidateFieldOp(op("@min", "/value", 50, 1000L), op("@inc", "/value", 10, 2000L));

    assertThat(result.op()).isEqualTo("@min");
    assertValue(60, result.value());
  }

  @Test
  void consolidateFieldOp_maxOnInc_appliesMaxAndKeepsInc() {
    PatchOp result =
        Lww.consolidateFieldOp(op("@inc", "/value", 50, 1000L), op("@max", "/value", 100, 2000L));

    assertThat(result.op()).isEqualTo("@inc");
    assertValue(100, result.value());
  }

  @Test
  void consolidateFieldOp_minOnInc_appliesMinAndKeepsInc() {
    PatchOp result =
        Lww.consolidateFieldOp(op("@inc", "/value", 50, 1000L), op("@min", "/value", 30, 2000L));

    assertThat(result.op()).isEqualTo("@inc");
    assertValue(30, result.value());
  }

  // --- delta ops combine whatever the timestamps ---

  @Test
  void consolidateFieldOp_incOnInc_olderIncoming_stillCombines() {
    PatchOp result =
        Lww.consolidateFieldOp(op("@inc", "/counter", 5, 3000L), op("@inc", "/counter", 3, 1000L));

    assertThat(result).isNotNull();
    assertValue(8, result.value());
  }

  @Test
  void consolidateFieldOp_incOnInc_existingWithoutTs_stillCombines() {
    PatchOp result =
        Lww.consolidateFieldOp(op("@inc", "/counter", 5), op("@inc", "/counter", 3, 1000L));

    assertThat(result).isNotNull();
    assertValue(8, result.value());
  }

  @Test
  void consolidateFieldOp_incOnInc_zeroIncrement_returnsNull() {
    assertThat(
            Lww.consolidateFieldOp(
                op("@inc", "/counter", 5, 1000L), op("@inc", "/counter", 0, 2000L)))
        .isNull();
  }

  @Test
  void consolidateFieldOp_maxOnMax_lowerIncomingWithNewerTs_returnsNull() {
    assertThat(
            Lww.consolidateFieldOp(
                op("@max", "/highScore", 100, 1000L), op("@max", "/highScore", 50, 2000L)))
        .isNull();
  }

  @Test
  void consolidateFieldOp_minOnMin_higherIncomingWithNewerTs_returnsNull() {
    assertThat(
            Lww.consolidateFieldOp(
                op("@min", "/lowestPrice", 50, 1000L), op("@min", "/lowestPrice", 100, 2000L)))
        .isNull();
  }

  // --- value writes use the timestamp ---

  @Test
  void consolidateFieldOp_replaceOnReplace_existingNewer_returnsNull() {
    assertThat(
            Lww.consolidateFieldOp(
                op("replace", "/name", "Alice", 3000L), op("replace", "/name", "Bob", 1000L)))
        .isNull();
  }

  @Test
  void consolidateFieldOp_replaceOnReplace_existingWithoutTs_existingCountsAsNewer() {
    assertThat(
            Lww.consolidateFieldOp(
                op("replace", "/name", "Alice"), op("replace", "/name", "Bob", 1000L)))
        .isNull();
  }

  @Test
  void consolidateFieldOp_replaceOnReplace_equalTs_incomingWins() {
    PatchOp result =
        Lww.consolidateFieldOp(
            op("replace", "/name", "Alice", 1000L), op("replace", "/name", "Bob", 1000L));

    assertValue("Bob", result.value());
  }

  @Test
  void consolidateFieldOp_replaceOnReplace_bothWithoutTs_incomingWins() {
    PatchOp result =
        Lww.consolidateFieldOp(op("replace", "/name", "Alice"), op("replace", "/name", "Bob"));

    assertValue("Bob", result.value());
  }

  @Test
  void consolidateFieldOp_replaceOnReplace_incomingWithoutTs_incomingWins() {
    PatchOp result =
        Lww.consolidateFieldOp(
            op("replace", "/name", "Alice", 1000L), op("replace", "/name", "Bob"));

    assertValue("Bob", result.value());
  }

  // --- rules of the pinned release (protocol §5) ---

  @Test
  void consolidateFieldOp_incOnRemoved_startsFromZeroAsReplace() {
    PatchOp result =
        Lww.consolidateFieldOp(remove("/count", 1000L), op("@inc", "/count", 5, 2000L));

    assertThat(result.op()).isEqualTo("replace");
    assertValue(5, result.value());
    assertThat(result.ts()).isEqualTo(2000L);
  }

  @Test
  void consolidateFieldOp_maxOnRemoved_takesTheOperandEvenBelowZero() {
    PatchOp result =
        Lww.consolidateFieldOp(remove("/score", 1000L), op("@max", "/score", -7, 2000L));

    assertThat(result.op()).isEqualTo("replace");
    assertValue(-7, result.value());
  }

  @Test
  void consolidateFieldOp_minOnRemoved_takesTheOperandEvenAboveZero() {
    PatchOp result =
        Lww.consolidateFieldOp(remove("/price", 1000L), op("@min", "/price", 9, 2000L));

    assertValue(9, result.value());
  }

  @Test
  void consolidateFieldOp_bitOnRemoved_appliesMaskToZero() {
    int mask = (1 << 2) | (1 << 15);
    PatchOp result =
        Lww.consolidateFieldOp(remove("/flags", 1000L), op("@bit", "/flags", mask, 2000L));

    assertValue(1 << 2, result.value());
  }

  @Test
  void consolidateFieldOp_maxOnJsonNull_takesTheOperand() {
    PatchOp result =
        Lww.consolidateFieldOp(
            op("replace", "/score", Json.NODES.nullNode(), 1000L), op("@max", "/score", -3, 2000L));

    assertThat(result.op()).isEqualTo("replace");
    assertValue(-3, result.value());
  }

  @Test
  void consolidateFieldOp_incOnInc_keepsTheNewestTs() {
    PatchOp result = Lww.consolidateFieldOp(op("@inc", "/n", 1, 5000L), op("@inc", "/n", 1, 2000L));

    assertThat(result.ts()).isEqualTo(5000L);
  }

  @Test
  void consolidateFieldOp_maxOnMax_isoDateStrings_compareAsText() {
    PatchOp result =
        Lww.consolidateFieldOp(
            op("@max", "/seen", "2026-01-02T00:00:00Z", 1000L),
            op("@max", "/seen", "2026-03-01T00:00:00Z", 2000L));

    assertValue("2026-03-01T00:00:00Z", result.value());
  }

  @Test
  void consolidateFieldOp_softOnExistingValue_neverOverwrites() {
    assertThat(
            Lww.consolidateFieldOp(
                op("replace", "/prefs", Map.of("a", 1), 1000L),
                soft("add", "/prefs", Map.of(), 9000L)))
        .isNull();
  }

  @Test
  void consolidateFieldOp_emptyContainerAddOnExistingValue_countsAsSoft() {
    assertThat(
            Lww.consolidateFieldOp(
                op("replace", "/tags", List.of("x"), 1000L), op("add", "/tags", List.of(), 9000L)))
        .isNull();
  }

  @Test
  void consolidateFieldOp_softOnRemoved_initialisesTheField() {
    PatchOp result =
        Lww.consolidateFieldOp(remove("/prefs", 1000L), soft("add", "/prefs", Map.of(), 2000L));

    assertThat(result).isNotNull();
    assertValue(Map.of(), result.value());
  }

  @Test
  void consolidateFieldOp_nonEmptyAddOnOlderValue_isNotSoftAndWins() {
    PatchOp result =
        Lww.consolidateFieldOp(
            op("replace", "/tags", List.of("x"), 1000L), op("add", "/tags", List.of("y"), 2000L));

    assertValue(List.of("y"), result.value());
  }
}
