package dev.patchbay.server.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.patch.PatchOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class QueryTest {

  @Test
  void changeQuery_withers_keepTheOtherSettings() {
    ChangeQuery query = ChangeQuery.after(3).until(9).limit(2).reversed();

    assertThat(query).isEqualTo(new ChangeQuery(3, 9, 2, true));
    assertThat(ChangeQuery.all()).isEqualTo(new ChangeQuery(0, Long.MAX_VALUE, 0, false));
  }

  @Test
  void changeQuery_negativeValues_areRejected() {
    assertThatThrownBy(() -> ChangeQuery.after(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ChangeQuery.all().limit(-1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ChangeQuery.all().until(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void versionQuery_matches_appliesFiltersAndCursorsInListingOrder() {
    VersionMetadata v =
        VersionMetadata.of("v", VersionOrigin.BRANCH, 100, 110, 5, 10).withGroup("g", false);
    VersionQuery byEnd = VersionQuery.orderBy(VersionOrder.END_REV);

    assertThat(byEnd.matches(v)).isTrue();
    assertThat(byEnd.startAfter(9).matches(v)).isTrue();
    assertThat(byEnd.startAfter(10).matches(v)).isFalse();
    assertThat(byEnd.endBefore(11).matches(v)).isTrue();
    assertThat(byEnd.endBefore(10).matches(v)).isFalse();
    assertThat(byEnd.reversed().startAfter(11).matches(v)).isTrue();
    assertThat(byEnd.reversed().startAfter(10).matches(v)).isFalse();
    assertThat(byEnd.reversed().endBefore(9).matches(v)).isTrue();
    assertThat(byEnd.reversed().endBefore(10).matches(v)).isFalse();
    assertThat(byEnd.origin(VersionOrigin.MAIN).matches(v)).isFalse();
    assertThat(byEnd.groupId("g").matches(v)).isTrue();
    assertThat(byEnd.groupId("h").matches(v)).isFalse();
    assertThat(VersionQuery.orderBy(VersionOrder.STARTED_AT).startAfter(99).matches(v)).isTrue();
    assertThat(VersionQuery.orderBy(VersionOrder.START_REV).startAfter(5).matches(v)).isFalse();
  }

  @Test
  void lwwRecords_copyTheirInputs() {
    List<PatchOp> ops = new ArrayList<>(List.of(PatchOp.remove("/a")));
    LwwWrite write = LwwWrite.of(ops).deleting(List.of("/b")).remembering(Set.of("c"), 9);
    ops.clear();

    assertThat(write.ops()).hasSize(1);
    assertThat(write.pathsToDelete()).containsExactly("/b");
    assertThat(write.changeIds()).containsExactly("c");
    assertThat(write.changeIdsExpireAt()).isEqualTo(9);
    assertThatThrownBy(() -> new LwwSnapshot(Json.object(), -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Tombstone("", 1, 1, null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new Tombstone("d", 1, 1, null, 5L).isExpired(5)).isTrue();
    assertThat(new Tombstone("d", 1, 1, null, 5L).isExpired(4)).isFalse();
    assertThat(new Tombstone("d", 1, 1, null, null).isExpired(Long.MAX_VALUE)).isFalse();
  }
}
