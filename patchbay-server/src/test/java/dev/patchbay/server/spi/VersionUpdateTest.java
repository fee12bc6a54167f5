package dev.patchbay.server.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VersionUpdateTest {

  @Test
  void fromJson_editableMembers_areRead() {
    VersionUpdate update =
        VersionUpdate.fromJson(
            Json.parse("{\"name\":\"n\",\"isOffline\":false,\"beforeRestored\":true,\"k\":null}"));

    assertThat(update.name()).isEqualTo("n");
    assertThat(update.offline()).isFalse();
    assertThat(update.metadata()).containsOnlyKeys("beforeRestored", "k");
    assertThat(update.metadata().get("k").isNull()).isTrue();
  }

  @Test
  void fromJson_frozenOrMistypedMembers_failWith400() {
    for (String bad :
        new String[] {
          "{\"id\":\"x\"}",
          "{\"origin\":\"main\"}",
          "{\"endRev\":3}",
          "{\"branchName\":\"b\"}",
          "{\"name\":3}",
          "{\"isOffline\":1}",
          "\"name\""
        }) {
      assertThatThrownBy(() -> VersionUpdate.fromJson(Json.parse(bad)))
          .as(bad)
          .isInstanceOfSatisfying(
              PatchbayException.class, e -> assertThat(e.code()).isEqualTo(400));
    }
  }

  @Test
  void constructor_frozenMember_isRejected() {
    assertThatThrownBy(() -> new VersionUpdate(null, null, Map.of("groupId", Json.object())))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
