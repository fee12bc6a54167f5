package dev.patchbay.server.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class VersionMetadataTest {

  @Test
  void fromJson_fullWireForm_roundTripsEveryMember() {
    JsonNode wire =
        Json.parse(
            """
            {"id":"0VbeOup6joYdn4Fg","name":"n","parentId":"p","groupId":"g",
             "origin":"offline-branch","isOffline":true,"startedAt":1,"endedAt":2,
             "startRev":3,"endRev":4,"branchName":"b","beforeRestored":true,"x":{"y":[1]}}
            """);

    VersionMetadata version = VersionMetadata.fromJson(wire);

    assertThat(version.origin()).isEqualTo(VersionOrigin.OFFLINE_BRANCH);
    assertThat(version.offline()).isTrue();
    assertThat(version.metadata()).containsOnlyKeys("branchName", "beforeRestored", "x");
    assertThat(Json.equal(version.toJson(), wire)).isTrue();
  }

  @Test
  void toJson_minimal_omitsAbsentMembersAndFalseOffline() {
    VersionMetadata version = VersionMetadata.of("v", VersionOrigin.MAIN, 1, 2, 3, 4);

    assertThat(Json.write(version.toJson()))
        .isEqualTo(
            "{\"id\":\"v\",\"origin\":\"main\",\"startedAt\":1,\"endedAt\":2,"
                + "\"startRev\":3,\"endRev\":4}");
  }

  @Test
  void fromJson_missingOrWrongMembers_failWith400() {
    for (String bad :
        new String[] {
          "[]",
          "{\"origin\":\"main\",\"startedAt\":1,\"endedAt\":2,\"startRev\":3,\"endRev\":4}",
          "{\"id\":\"v\",\"origin\":\"nope\",\"startedAt\":1,\"endedAt\":2,\"startRev\":3,"
              + "\"endRev\":4}",
          "{\"id\":\"v\",\"origin\":\"main\",\"endedAt\":2,\"startRev\":3,\"endRev\":4}",
          "{\"id\":\"v\",\"origin\":\"main\",\"isOffline\":\"yes\",\"startedAt\":1,"
              + "\"endedAt\":2,\"startRev\":3,\"endRev\":4}",
          "{\"id\":7,\"origin\":\"main\",\"startedAt\":1,\"endedAt\":2,\"startRev\":3,"
              + "\"endRev\":4}"
        }) {
      assertThatThrownBy(() -> VersionMetadata.fromJson(Json.parse(bad)))
          .as(bad)
          .isInstanceOfSatisfying(
              PatchbayException.class, e -> assertThat(e.code()).isEqualTo(400));
    }
  }

  @Test
  void constructor_namedMemberInMetadata_isRejected() {
    assertThatThrownBy(
            () ->
                VersionMetadata.of("v", VersionOrigin.MAIN, 1, 2, 3, 4)
                    .withMetadata(Map.of("endRev", Json.number(9))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("endRev");
    assertThatThrownBy(() -> VersionMetadata.of("", VersionOrigin.MAIN, 1, 2, 3, 4))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void apply_update_changesNameOfflineAndMergesMetadataOnly() {
    VersionMetadata version =
        VersionMetadata.of("v", VersionOrigin.MAIN, 1, 2, 3, 4)
            .withName("old")
            .withParentId("p")
            .withMetadata(Map.of("a", Json.number(1), "b", Json.number(2)));

    VersionMetadata updated =
        version.apply(new VersionUpdate(null, true, Map.of("b", Json.number(3))));

    assertThat(updated.name()).isEqualTo("old");
    assertThat(updated.offline()).isTrue();
    assertThat(updated.parentId()).isEqualTo("p");
    assertThat(updated.metadata()).isEqualTo(Map.of("a", Json.number(1), "b", Json.number(3)));
    assertThat(version.apply(VersionUpdate.rename("new")).name()).isEqualTo("new");
  }

  @Test
  void fromWire_wireNames_mapToEnums() {
    for (VersionOrigin origin : VersionOrigin.values()) {
      assertThat(VersionOrigin.fromWire(origin.wire())).isEqualTo(origin);
    }
    for (VersionOrder order : VersionOrder.values()) {
      assertThat(VersionOrder.fromWire(order.wire())).isEqualTo(order);
    }
    assertThatThrownBy(() -> VersionOrder.fromWire("name"))
        .isInstanceOfSatisfying(PatchbayException.class, e -> assertThat(e.code()).isEqualTo(400));
  }
}
