package dev.patchbay.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchbay.client.spi.ClientStore;
import dev.patchbay.client.spi.StoredDoc;
import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.core.ot.Change;
import dev.patchbay.core.patch.PatchOp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;

class PatchesDocTest {
  private final ClientStore store = ClientStores.inMemory();
  private final Clock clock = Clock.fixed(Instant.ofEpochMilli(1_000), ZoneOffset.UTC);
  private final Patches patches = Patches.create(store, clock);

  private static Change server(String id, long rev, PatchOp... ops) {
    return new Change(id, rev - 1, rev, List.of(ops), 500, 900, null, null, Map.of());
  }

  @Test
  void change_newDocument_appliesAtOnceAndQueuesChangeOnCommittedRev() {
    PatchesDoc doc = patches.openDoc("d");

    Change first = doc.change(p -> p.add("/title", "Hi"));
    Change second = doc.change(p -> p.increment("/n", 2));

    assertThat(doc.state()).isEqualTo(Json.parse("{\"title\":\"Hi\",\"n\":2}"));
    assertThat(doc.hasPending()).isTrue();
    assertThat(doc.committedRev()).isZero();
    assertThat(first.id()).hasSize(12).isNotEqualTo(second.id());
    assertThat(List.of(first.baseRev(), first.rev(), second.baseRev(), second.rev()))
        .containsExactly(0L, 1L, 0L, 2L);
    assertThat(first.createdAt()).isEqualTo(1_000);
    assertThat(store.loadDoc("d").pending()).containsExactly(first, second);
    assertThat(store.trackedDocs()).containsExactly("d");
  }

  @Test
  void change_noOps_returnsNullAndQueuesNothing() {
    PatchesDoc doc = patches.openDoc("d");

    assertThat(doc.change(p -> {})).isNull();
    assertThat(doc.hasPending()).isFalse();
  }

  @Test
  void change_opDoesNotApply_throwsAndLeavesEverythingUnchanged() {
    PatchesDoc doc = patches.openDoc("d");
    doc.change(p -> p.add("/list", List.of(1)));

    assertThatThrownBy(() -> doc.change(p -> p.replace("/list/5", 2)))
        .isInstanceOf(PatchbayException.class);
    assertThat(doc.state()).isEqualTo(Json.parse("{\"list\":[1]}"));
    assertThat(doc.pendingChanges()).hasSize(1);
  }

  @Test
  void state_typed_convertsWithClassAndTypeReference() {
    PatchesDoc doc = patches.openDoc("d");
    doc.change(p -> p.add("/title", "Hi").add("/tags", List.of("a", "b")));

    record Note(String title, List<String> tags) {}
    assertThat(doc.state(Note.class)).isEqualTo(new Note("Hi", List.of("a", "b")));
    assertThat(doc.state(new TypeReference<Map<String, Object>>() {})).containsEntry("title", "Hi");
    assertThat(patches.openDoc("empty").state(Note.class)).isNull();
  }

  @Test
  void state_returnedTree_isACopy() {
    PatchesDoc doc = patches.openDoc("d");
    doc.change(p -> p.add("/a", 1));

    ((tools.jackson.databind.node.ObjectNode) doc.state()).put("a", 99);

    assertThat(doc.state().get("a").asInt()).isEqualTo(1);
  }

  @Test
  void applyServerChanges_ownChangeCommitted_dropsPendingCopy() {
    PatchesDoc doc = patches.openDoc("d");
    Change mine = doc.change(p -> p.add("/a", 1));

    var outcome = doc.applyServerChanges(List.of(mine.committed(1, 1_000, 1_001, "c1")));

    assertThat(outcome).isEqualTo(PatchesDoc.ApplyOutcome.APPLIED);
    assertThat(doc.hasPending()).isFalse();
    assertThat(doc.committedRev()).isEqualTo(1);
    assertThat(doc.state()).isEqualTo(Json.parse("{\"a\":1}"));
    StoredDoc stored = store.loadDoc("d");
    assertThat(stored.committedRev()).isEqualTo(1);
    assertThat(stored.pending()).isEmpty();
  }

  @Test
  void applyServerChanges_concurrentRemoteEdits_rebasesPendingOverThem() {
    PatchesDoc doc = patches.openDoc("d");
    doc.applyServerChanges(
        List.of(
            server(
                "seed",
                1,
                PatchOp.add("/items", Json.parse("[\"x\"]")),
                PatchOp.of("@txt", "/t", Json.parse("[{\"insert\":\"ab\"}]")))));
    doc.change(p -> p.add("/items/0", "mine").insertText("/t", 0, "M"));

    doc.applyServerChanges(
        List.of(
            server(
                "remote",
                2,
                PatchOp.add("/items/0", Json.NODES.stringNode("theirs")),
                PatchOp.of("@txt", "/t", Json.parse("[{\"retain\":2},{\"insert\":\"R\"}]")))));

    Change rebased = doc.pendingChanges().get(0);
    assertThat(List.of(rebased.baseRev(), rebased.rev())).containsExactly(2L, 3L);
    assertThat(doc.committedRev()).isEqualTo(2);
    assertThat(doc.state().get("items").size()).isEqualTo(3);
    assertThat(doc.state().get("t").get("ops").get(0).get("insert").stringValue())
        .isEqualTo("MabR\n");
  }

  @Test
  void applyServerChanges_missingRevision_reportsGapAndAppliesNothing() {
    PatchesDoc doc = patches.openDoc("d");

    var outcome =
        doc.applyServerChanges(
            List.of(server("later", 3, PatchOp.add("/a", Json.NODES.numberNode(1)))));

    assertThat(outcome).isEqualTo(PatchesDoc.ApplyOutcome.GAP);
    assertThat(doc.committedRev()).isZero();
    assertThat(doc.state()).isNull();
  }

  @Test
  void applyServerChanges_alreadyKnownChange_onlyDropsPendingById() {
    PatchesDoc doc = patches.openDoc("d");
    doc.applyServerChanges(List.of(server("s1", 1, PatchOp.add("/a", Json.NODES.numberNode(1)))));
    Change mine = doc.change(p -> p.replace("/a", 2));
    doc.applyServerChanges(List.of(mine.committed(2, 1_000, 1_001, null)));

    // A catch-up that repeats both revisions changes nothing.
    doc.applyServerChanges(
        List.of(
            server("s1", 1, PatchOp.add("/a", Json.NODES.numberNode(1))),
            mine.committed(2, 1_000, 1_001, null)));

    assertThat(doc.committedRev()).isEqualTo(2);
    assertThat(doc.state()).isEqualTo(Json.parse("{\"a\":2}"));
  }

  @Test
  void applyServerChanges_committedChangeDoesNotApply_isSkippedAsTheServerSkipsIt() {
    PatchesDoc doc = patches.openDoc("d");

    doc.applyServerChanges(
        List.of(
            server("s1", 1, PatchOp.add("/items", Json.parse("[1]"))),
            server("bad", 2, PatchOp.add("/items/5", Json.NODES.numberNode(2))),
            server("s3", 3, PatchOp.add("/items/-", Json.NODES.numberNode(3)))));

    assertThat(doc.committedRev()).isEqualTo(3);
    assertThat(doc.state()).isEqualTo(Json.parse("{\"items\":[1,3]}"));
  }

  @Test
  void dropPending_changeTransformedAway_removesItFromViewAndStore() {
    PatchesDoc doc = patches.openDoc("d");
    Change mine = doc.change(p -> p.add("/a", 1));

    doc.dropPending(List.of(mine.id()));

    assertThat(doc.hasPending()).isFalse();
    assertThat(doc.state()).isNull();
    assertThat(store.loadDoc("d").pending()).isEmpty();
  }

  @Test
  void openDoc_sameStoreNewRegistry_restoresCommittedStateAndPending() {
    PatchesDoc doc = patches.openDoc("d");
    doc.applyServerChanges(List.of(server("s1", 1, PatchOp.add("/a", Json.NODES.numberNode(1)))));
    Change mine = doc.change(p -> p.add("/b", 2));

    PatchesDoc reopened = Patches.create(store, clock).openDoc("d");

    assertThat(reopened.committedRev()).isEqualTo(1);
    assertThat(reopened.pendingChanges()).containsExactly(mine);
    assertThat(reopened.state()).isEqualTo(Json.parse("{\"a\":1,\"b\":2}"));
  }

  @Test
  void onUpdate_throwingListener_othersStillRunAndCloseRemoves() {
    PatchesDoc doc = patches.openDoc("d");
    List<Long> seen = new ArrayList<>();
    doc.onUpdate(
        d -> {
          throw new IllegalStateException("boom");
        });
    Subscription sub = doc.onUpdate(d -> seen.add(d.committedRev()));

    doc.change(p -> p.add("/a", 1));
    sub.close();
    doc.change(p -> p.add("/b", 1));

    assertThat(seen).containsExactly(0L);
  }

  @Test
  void openDoc_twice_returnsSameInstance() {
    assertThat(patches.openDoc("d")).isSameAs(patches.openDoc("d"));
    assertThat(patches.getOpenDoc("other")).isNull();
  }
}
