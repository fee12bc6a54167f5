package dev.patchbay.server.collections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CollectionRulesTest {
  @Test
  void ruleFor_firstMatchingPatternWins_lwwOtherwise() {
    CollectionRules rules =
        CollectionRules.parse(List.of("inv-*=reject", "inv-a=server-wins", "settings=SERVER-WINS"));
    assertThat(rules.ruleFor("inv-a")).isEqualTo(ConflictRule.REJECT);
    assertThat(rules.ruleFor("settings")).isEqualTo(ConflictRule.SERVER_WINS);
    assertThat(rules.ruleFor("settings2")).isEqualTo(ConflictRule.LWW);
    assertThat(rules.ruleFor("todos")).isEqualTo(ConflictRule.LWW);
  }

  @Test
  void parse_patternCharactersAreLiteral() {
    CollectionRules rules = CollectionRules.parse(List.of("a.b=reject"));
    assertThat(rules.ruleFor("a.b")).isEqualTo(ConflictRule.REJECT);
    assertThat(rules.ruleFor("axb")).isEqualTo(ConflictRule.LWW);
  }

  @Test
  void parse_malformed_failsNamingTheProblem() {
    assertThatThrownBy(() -> CollectionRules.parse(List.of("todos")))
        .hasMessageContaining("<pattern>=<rule>");
    assertThatThrownBy(() -> CollectionRules.parse(List.of("=lww")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CollectionRules.parse(List.of("todos=merge")))
        .hasMessageContaining("unknown conflict rule");
  }

  @Test
  void timestamps_zoneOptional_epochMillisAccepted() {
    assertThat(Timestamps.parse("2024-01-01T10:00:00", "t"))
        .isEqualTo(Timestamps.parse("2024-01-01T10:00:00Z", "t"));
    assertThat(Timestamps.parse("2024-01-01T10:00:00.000123", "t"))
        .isEqualTo(Timestamps.parse("2024-01-01T10:00:00.000Z", "t"));
    assertThat(Timestamps.parse("2024-01-01T12:00:00+02:00", "t"))
        .isEqualTo(Timestamps.parse("2024-01-01T10:00:00Z", "t"));
    assertThat(Timestamps.parse("2024-01-01T08:00:00-02:00", "t"))
        .isEqualTo(Timestamps.parse("2024-01-01T10:00:00Z", "t"));
    assertThat(Timestamps.parse(dev.patchbay.core.json.Json.parse("1704103200000"), "t"))
        .isEqualTo(Timestamps.parse("2024-01-01T10:00:00Z", "t"));
    assertThat(Timestamps.format(1704103200000L)).isEqualTo("2024-01-01T10:00:00.000Z");
  }
}
