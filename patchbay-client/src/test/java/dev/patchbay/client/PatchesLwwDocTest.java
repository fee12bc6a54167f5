package dev.patchbay.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchbay.client.spi.ClientStore;
import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.core.ot.Change;
import dev.patchbay.core.patch.PatchOp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Last-write-wins documents on the client, without a server: stamping, consolidation, sending. */
class PatchesLwwDocTest {
  private final ClientStore store = ClientStores.inMemory();
  private final StepClock clock = new StepClock();
  private final Patches patches = Patches.builder(store).clock(clock).lww("settings/*").build();

  /** A clock that moves one second on every reading, so every edit gets its own ts. */
  private static final class StepClock extends Clock {
    long millis = 1_000;

    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      millis += Duration.ofSeconds(1).toMillis();
      return Instant.ofEpochMilli(millis);
    }
  }

  private static Change server(String id, long baseRev, long rev, PatchOp... ops) {
    return new Change(id, baseRev, rev, List.of(ops), 1, 2, null, null, Map.of());
  }

  @Test
  void algorithmOf_matchesTheGlobs_otherwiseOt() {
    assertThat(patches.algorithmOf("settings/user/1")).isEqualTo(Algorithm.LWW);
    assertThat(patches.algorithmOf("notes/1")).isEqualTo(Algorithm.OT);
    assertThat(patches.openDoc("settings/a").algorithm()).isEqualTo(Algorithm.LWW);
  }

  @Test
  void change_stampsTsAndConsolidatesEverythingIntoOnePendingChange() {
    PatchesDoc doc = patches.openDoc("settings/a");

    doc.change(p -> p.add("/theme", "dark"));
    doc.change(p -> p.increment("/count", 2));
    doc.change(p -> p.replace("/theme", "light").increment("/count", 3));

    assertThat(doc.state()).isEqualTo(Json.parse("{\"theme\":\"light\",\"count\":5}"));
    List<Change> pending = doc.pendingChanges();
    assertThat(pending).hasSize(1);
    List<PatchOp> ops = pending.get(0).ops();
    assertThat(ops).extracting(PatchOp::path).containsExactly("/theme", "/count");
    assertThat(ops.get(0).value()).isEqualTo(Json.NODES.stringNode("light"));
    assertThat(ops.get(0).ts()).isEqualTo(4_000); // the third edit, at the third reading
    assertThat(ops.get(1).op()).isEqualTo("@inc");
    assertThat(ops.get(1).value().asInt()).isEqualTo(5);
    assertThat(store.loadDoc("settings/a").pending()).isEqualTo(pending);
  }

  @Test
  void change_parentWrite_dropsPendingChildOps() {
    PatchesDoc doc = patches.openDoc("settings/a");
    doc.change(p -> p.add("/prefs", Map.of()));
    doc.change(p -> p.add("/prefs/size", 3));

    doc.change(p -> p.replace("/prefs", Map.of("font", "mono")));

    assertThat(doc.pendingChanges().get(0).ops())
        .extracting(PatchOp::path)
        .containsExactly("/prefs");
    assertThat(doc.state()).isEqualTo(Json.parse("{\"prefs\":{\"font\":\"mono\"}}"));
  }

  @Test
  void change_removeParentThenWriteChild_sendsTheParentEmptiedAndTheChild() {
    // Sending only the child would keep the server's other children of the removed parent.
    PatchesDoc doc = patches.openDoc("settings/a");
    doc.applyServerChanges(
        List.of(server("x", 0, 1, PatchOp.replace("/obj", Json.parse("{\"k0\":1,\"k1\":2}")))));

    doc.change(p -> p.remove("/obj"));
    doc.change(p -> p.replace("/obj/k1", 3));

    assertThat(doc.state()).isEqualTo(Json.parse("{\"obj\":{\"k1\":3}}"));
    List<PatchOp> ops = doc.pendingChanges().get(0).ops();
    assertThat(ops).extracting(PatchOp::path).containsExactly("/obj", "/obj/k1");
    assertThat(ops.get(0).op()).isEqualTo("replace");
    assertThat(ops.get(0).value()).isEqualTo(Json.object());
    // The removal's time (the first edit), not the child's.
    assertThat(ops.get(0).ts()).isEqualTo(2_000);
  }

  @Test
  void change_removeParentThenRemoveChild_keepsTheParentRemoved() {
    PatchesDoc doc = patches.openDoc("settings/a");
    doc.applyServerChanges(
        List.of(server("x", 0, 1, PatchOp.replace("/obj", Json.parse("{\"k0\":1,\"k1\":2}")))));

    doc.change(p -> p.remove("/obj"));
    doc.change(p -> p.remove("/obj/k1"));

    assertThat(doc.state()).isEqualTo(Json.object());
    assertThat(doc.pendingChanges().get(0).ops())
        .extracting(PatchOp::path)
        .containsExactly("/obj", "/obj/k1");
  }

  @Test
  void change_rootMoveOrText_isRefusedAndChangesNothing() {
    PatchesDoc doc = patches.openDoc("settings/a");
    doc.change(p -> p.add("/a", "x"));

    assertThatThrownBy(() -> doc.change(p -> p.replace("", Map.of())))
        .isInstanceOf(PatchbayException.class)
        .hasMessageContaining("below the root");
    assertThatThrownBy(() -> doc.change(p -> p.move("/a", "/b")))
        .isInstanceOf(PatchbayException.class);
    assertThatThrownBy(() -> doc.change(p -> p.insertText("/t", 0, "hi")))
        .isInstanceOf(PatchbayException.class);
    assertThat(doc.state()).isEqualTo(Json.parse("{\"a\":\"x\"}"));
    assertThat(doc.pendingChanges().get(0).ops()).hasSize(1);
  }

  @Test
  void lwwSendingChange_movesPendingToSending_andEditsMeanwhileWaitBehindIt() {
    PatchesDoc doc = patches.openDoc("settings/a");
    doc.change(p -> p.add("/a", 1));

    Change sending = doc.lwwSendingChange();
    doc.change(p -> p.add("/b", 2));

    assertThat(doc.lwwSendingChange()).isEqualTo(sending); // a resend keeps the id
    assertThat(sending.baseRev()).isZero();
    assertThat(sending.rev()).isEqualTo(1);
    assertThat(store.loadDoc("settings/a").sending()).isEqualTo(sending);
    assertThat(store.loadDoc("settings/a").pending()).hasSize(1);
    assertThat(doc.pendingChanges()).hasSize(2).first().isEqualTo(sending);
    assertThat(doc.state()).isEqualTo(Json.parse("{\"a\":1,\"b\":2}"));
  }

  @Test
  void lwwCommitted_appliesServerRowsAndSettlesSending_pendingStaysOnTop() {
    PatchesDoc doc = patches.openDoc("settings/a");
    doc.change(p -> p.add("/a", 1));
    Change sending = doc.lwwSendingChange();
    doc.change(p -> p.add("/b", 2));

    // Another client's newer write to /a won; the answer carries the stored row.
    doc.lwwCommitted(
        sending.id(),
        List.of(server(sending.id(), 0, 3, PatchOp.replace("/a", Json.NODES.numberNode(9)))));

    assertThat(doc.committedRev()).isEqualTo(3);
    assertThat(doc.pendingChanges()).hasSize(1);
    assertThat(doc.state()).isEqualTo(Json.parse("{\"a\":9,\"b\":2}"));
    assertThat(store.loadDoc("settings/a").sending()).isNull();
    assertThat(Json.equal(store.loadDoc("settings/a").state(), Json.parse("{\"a\":9}"))).isTrue();
  }

  @Test
  void applyServerChanges_pendingValueWinsLocally_pendingIncrementAppliesOnServerValue() {
    PatchesDoc doc = patches.openDoc("settings/a");
    doc.change(p -> p.add("/title", "mine").increment("/n", 1));

    var outcome =
        doc.applyServerChanges(
            List.of(
                server(
                    "x",
                    0,
                    1,
                    PatchOp.replace("/title", Json.NODES.stringNode("theirs")),
                    PatchOp.replace("/n", Json.NODES.numberNode(10)))));

    assertThat(outcome).isEqualTo(PatchesDoc.ApplyOutcome.APPLIED);
    assertThat(doc.committedRev()).isEqualTo(1);
    assertThat(doc.state()).isEqualTo(Json.parse("{\"title\":\"mine\",\"n\":11}"));
  }

  @Test
  void applyServerChanges_baseRevAheadOfCommitted_isAGap_andStaleRevsAreIgnored() {
    PatchesDoc doc = patches.openDoc("settings/a");
    doc.applyServerChanges(List.of(server("x", 0, 2, PatchOp.add("/a", Json.NODES.numberNode(2)))));

    assertThat(
            doc.applyServerChanges(
                List.of(server("y", 3, 4, PatchOp.add("/a", Json.NODES.numberNode(4))))))
        .isEqualTo(PatchesDoc.ApplyOutcome.GAP);
    doc.applyServerChanges(List.of(server("z", 0, 1, PatchOp.add("/a", Json.NODES.numberNode(1)))));

    assertThat(doc.committedRev()).isEqualTo(2);
    assertThat(doc.state()).isEqualTo(Json.parse("{\"a\":2}"));
  }

  @Test
  void reopen_afterRestart_keepsSendingAndPending() {
    PatchesDoc doc = patches.openDoc("settings/a");
    doc.change(p -> p.add("/a", 1));
    Change sending = doc.lwwSendingChange();
    doc.change(p -> p.add("/b", 2));

    Patches restarted = Patches.builder(store).lww("settings/*").build();
    PatchesDoc again = restarted.openDoc("settings/a");

    assertThat(again.lwwSendingChange()).isEqualTo(sending);
    assertThat(again.pendingChanges()).hasSize(2);
    assertThat(again.state()).isEqualTo(Json.parse("{\"a\":1,\"b\":2}"));
  }

  @Test
  void quarantine_sendingChange_leavesPendingAndRecordsIt() {
    PatchesDoc doc = patches.openDoc("settings/a");
    doc.change(p -> p.add("/a", 1));
    Change sending = doc.lwwSendingChange();
    doc.change(p -> p.add("/b", 2));

    List<QuarantinedChange> moved =
        doc.quarantine(List.of(sending.id()), new PatchbayException(400, "bad"));

    assertThat(moved).extracting(QuarantinedChange::change).containsExactly(sending);
    assertThat(doc.state()).isEqualTo(Json.parse("{\"b\":2}"));
    assertThat(patches.quarantinedChanges("settings/a")).hasSize(1);
    assertThat(patches.discardQuarantinedChange("settings/a", sending.id())).isTrue();
    assertThat(patches.quarantinedChanges()).isEmpty();
  }

  @Test
  void change_clockSteppedBack_neverStampsOlderThanOwnUnacknowledgedWrites() {
    PatchesDoc doc = patches.openDoc("settings/a");
    doc.change(p -> p.add("/a", 1)); // ts 2000
    doc.lwwSendingChange();
    clock.millis = -60_000;

    doc.change(p -> p.add("/a", 2));

    assertThat(doc.pendingChanges().get(1).ops().get(0).ts()).isEqualTo(2_000);
  }
}
