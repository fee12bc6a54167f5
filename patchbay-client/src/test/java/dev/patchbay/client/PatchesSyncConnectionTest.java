package dev.patchbay.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.patchbay.client.spi.ConnectRequest;
import dev.patchbay.client.spi.Scheduler;
import dev.patchbay.client.spi.Transport;
import dev.patchbay.client.spi.TransportConnection;
import dev.patchbay.client.spi.TransportListener;
import dev.patchbay.core.json.Json;
import dev.patchbay.core.ot.Change;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The connection state machine and the protocol exchange, driven without sockets or waiting: a
 * scripted transport, a scheduler whose time the test advances, and an executor that runs tasks at
 * once.
 */
class PatchesSyncConnectionTest {
  private final FakeScheduler scheduler = new FakeScheduler();
  private final FakeTransport transport = new FakeTransport();
  private final Patches patches = Patches.create(ClientStores.inMemory());
  private final List<Throwable> errors = new ArrayList<>();
  private final List<SyncState> states = new ArrayList<>();

  private PatchesSync sync(ReconnectPolicy policy) {
    PatchesSync sync =
        PatchesSync.builder(patches, transport)
            .scheduler(scheduler)
            .executor(Runnable::run)
            .random(() -> 0)
            .reconnectPolicy(policy)
            .build();
    sync.onError((e, docId) -> errors.add(e));
    sync.onStateChange(states::add);
    return sync;
  }

  @Test
  void connect_serverUnreachable_retriesWithDoublingDelaysCappedAtThirtySeconds() {
    transport.failAll = true;
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT);

    sync.connect();
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      FakeScheduler.Task next = scheduler.nextLive();
      delays.add(next.delay.toSeconds());
      next.run();
    }

    assertThat(delays).containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L);
    assertThat(transport.attempts).isEqualTo(8);
    assertThat(errors).hasSize(8).allMatch(e -> e instanceof ConnectException);
  }

  @Test
  void connect_attemptLimitReached_givesUpAndFailsTheFuture() {
    transport.failAll = true;
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT.withMaxAttempts(3));

    CompletableFuture<Void> connected = sync.connect();
    for (int i = 0; i < 3; i++) {
      scheduler.nextLive().run();
    }

    assertThat(scheduler.nextLiveOrNull()).isNull();
    assertThat(transport.attempts).isEqualTo(4);
    assertThat(connected).isCompletedExceptionally();
    assertThat(errors.get(errors.size() - 1)).hasMessageContaining("Gave up");
  }

  @Test
  void disconnect_duringBackoff_neverReconnects() {
    transport.failAll = true;
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT);
    sync.connect();
    FakeScheduler.Task pending = scheduler.nextLive();

    sync.disconnect();
    pending.run(); // even a timer that fires anyway does nothing

    assertThat(pending.cancelled).isTrue();
    assertThat(transport.attempts).isEqualTo(1);
    assertThat(scheduler.nextLiveOrNull()).isNull();
  }

  @Test
  void connectionLost_afterSuccess_backoffStartsAgainAtOneSecond() {
    transport.failAll = true;
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT);
    sync.connect();
    scheduler.nextLive().run(); // 1 s
    transport.failAll = false;
    FakeScheduler.Task second = scheduler.nextLive();
    assertThat(second.delay).isEqualTo(Duration.ofSeconds(2));
    second.run();
    assertThat(sync.state().connected()).isTrue();

    transport.last().listener.onClosed(1006, "gone");

    assertThat(sync.state().connected()).isFalse();
    assertThat(scheduler.nextLive().delay).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void disconnect_whileConnected_closesAndDoesNotReconnect() {
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT);
    sync.connect();
    FakeConnection connection = transport.last();

    sync.disconnect();
    connection.listener.onClosed(1000, "bye");

    assertThat(connection.closed).isTrue();
    assertThat(sync.state().connected()).isFalse();
    assertThat(scheduler.nextLiveOrNull()).isNull();
  }

  @Test
  void connect_noAnswerWithinTimeout_abandonsAttemptAndRetries() {
    transport.hang = true;
    PatchesSync sync =
        PatchesSync.builder(patches, transport)
            .scheduler(scheduler)
            .executor(Runnable::run)
            .random(() -> 0)
            .connectTimeout(Duration.ofSeconds(3))
            .build();
    sync.onError((e, docId) -> errors.add(e));
    sync.connect();

    FakeScheduler.Task timeout = scheduler.nextLive();
    assertThat(timeout.delay).isEqualTo(Duration.ofSeconds(3));
    timeout.run();

    assertThat(transport.hanging.get(0)).isCancelled();
    assertThat(errors).singleElement().isInstanceOf(TimeoutException.class);
    assertThat(errors.get(0)).hasMessageContaining("Connection timeout");
    assertThat(scheduler.nextLive().delay).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void stateEvents_fireOnlyOnRealChanges_andThrowingListenerDoesNotStopOthers() {
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT);
    sync.onStateChange(
        s -> {
          throw new IllegalStateException("boom");
        });
    List<SyncState> later = new ArrayList<>();
    sync.onStateChange(later::add);

    sync.connect();
    sync.connect();

    assertThat(states).containsExactly(new SyncState(true, true, false));
    assertThat(later).isEqualTo(states);
  }

  @Test
  void connect_trackedDocWithPending_subscribesThenCommitsAndSettles() {
    PatchesDoc doc = patches.openDoc("d");
    var mine = doc.change(p -> p.add("/a", 1));
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT);

    sync.connect();
    FakeConnection c = transport.last();
    JsonNode subscribe = c.sent(0);
    assertThat(subscribe.get("method").stringValue()).isEqualTo("subscribe");
    assertThat(subscribe.get("params")).isEqualTo(Json.parse("[[\"d\"]]"));
    c.answer(subscribe, Json.parse("[\"d\"]"));

    JsonNode commit = c.sent(1);
    assertThat(commit.get("method").stringValue()).isEqualTo("commitChanges");
    assertThat(commit.get("params").get(1).get(0).get("id").stringValue()).isEqualTo(mine.id());
    assertThat(sync.docStates().get("d").status()).isEqualTo(DocSyncStatus.SYNCING);
    assertThat(sync.state().syncing()).isTrue();
    JsonNode committed = mine.committed(1, mine.createdAt(), 5, "x").toJson();
    c.answer(commit, Json.object().set("changes", Json.array().add(committed)));

    assertThat(doc.hasPending()).isFalse();
    assertThat(doc.committedRev()).isEqualTo(1);
    assertThat(sync.docStates().get("d"))
        .isEqualTo(new DocSyncState(1, false, DocSyncStatus.SYNCED));
    assertThat(sync.state().syncing()).isFalse();
  }

  @Test
  void commitAnswer_withoutTheSentChange_dropsItAsTransformedAway() {
    PatchesDoc doc = patches.openDoc("d");
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT);
    sync.connect();
    FakeConnection c = transport.last();
    c.answer(c.sent(0), Json.parse("[\"d\"]"));
    c.answer(c.sent(1), Json.parse("{\"state\":null,\"rev\":0,\"changes\":[]}")); // getDoc

    doc.change(p -> p.remove("/gone"));
    JsonNode commit = c.sent(2);
    c.answer(commit, Json.parse("{\"changes\":[]}"));

    assertThat(doc.hasPending()).isFalse();
    assertThat(doc.committedRev()).isZero();
  }

  @Test
  void notification_withGap_catchesUpWithGetChangesSince() {
    PatchesDoc doc = patches.openDoc("d");
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT);
    sync.connect();
    FakeConnection c = transport.last();
    c.answer(c.sent(0), Json.parse("[\"d\"]"));
    c.answer(c.sent(1), Json.parse("{\"state\":{\"a\":0},\"rev\":1,\"changes\":[]}"));
    assertThat(doc.committedRev()).isEqualTo(1);

    c.listener.onText(
        "{\"jsonrpc\":\"2.0\",\"method\":\"changesCommitted\",\"params\":{\"docId\":\"d\","
            + "\"changes\":["
            + change("c3", 3, "{\"op\":\"replace\",\"path\":\"/a\",\"value\":3}")
            + "]}}");

    JsonNode catchUp = c.sent(2);
    assertThat(catchUp.get("method").stringValue()).isEqualTo("getChangesSince");
    assertThat(catchUp.get("params")).isEqualTo(Json.parse("[\"d\",1]"));
    c.answer(
        catchUp,
        Json.parse(
            "["
                + change("c2", 2, "{\"op\":\"replace\",\"path\":\"/a\",\"value\":2}")
                + ","
                + change("c3", 3, "{\"op\":\"replace\",\"path\":\"/a\",\"value\":3}")
                + "]"));

    assertThat(doc.committedRev()).isEqualTo(3);
    assertThat(doc.state()).isEqualTo(Json.parse("{\"a\":3}"));
  }

  @Test
  void heartbeat_unanswered_dropsConnectionAndReconnects() {
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT);
    sync.connect();
    FakeConnection c = transport.last();

    FakeScheduler.Task beat = scheduler.nextLive();
    assertThat(beat.delay).isEqualTo(Duration.ofSeconds(30));
    beat.run();
    assertThat(c.pings).hasSize(1);
    FakeScheduler.Task timeout = scheduler.nextLive();
    assertThat(timeout.delay).isEqualTo(Duration.ofSeconds(5));
    timeout.run();

    assertThat(c.closed).isTrue();
    assertThat(sync.state().connected()).isFalse();
    assertThat(errors).isEmpty();
    scheduler.nextLive().run(); // the 1 s reconnect
    assertThat(transport.connections).hasSize(2);
    assertThat(sync.state().connected()).isTrue();
  }

  @Test
  void heartbeat_answered_keepsConnectionAndPingsAgain() {
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT);
    sync.connect();
    FakeConnection c = transport.last();

    scheduler.nextLive().run();
    FakeScheduler.Task timeout = scheduler.nextLive();
    c.pings.get(0).complete(null);

    assertThat(timeout.cancelled).isTrue();
    assertThat(sync.state().connected()).isTrue();
    assertThat(scheduler.nextLive().delay).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void docDeletedNotification_trackedDocWithPending_reportsPendingAndForgetsDoc() {
    PatchesDoc doc = patches.openDoc("d");
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT);
    List<Object> deleted = new ArrayList<>();
    sync.onRemoteDocDeleted((id, pending) -> deleted.add(List.of(id, pending)));
    sync.connect();
    FakeConnection c = transport.last();
    c.answer(c.sent(0), Json.parse("[\"d\"]"));
    c.answer(c.sent(1), Json.parse("{\"state\":null,\"rev\":0,\"changes\":[]}"));
    var mine = doc.change(p -> p.add("/a", 1)); // sent, not yet answered

    c.listener.onText(
        "{\"jsonrpc\":\"2.0\",\"method\":\"docDeleted\",\"params\":{\"docId\":\"d\"}}");

    assertThat(deleted).containsExactly(List.of("d", List.of(mine)));
    assertThat(patches.trackedDocs()).isEmpty();
    assertThat(patches.store().loadDoc("d")).isNull();
    assertThat(sync.docStates()).doesNotContainKey("d");
  }

  @Test
  void deleteDoc_offline_deletesLocallyAtOnce_andSendsOnTheNextConnection() {
    PatchesDoc doc = patches.openDoc("d");
    doc.change(p -> p.add("/a", 1));
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT);

    CompletableFuture<Void> deleted = sync.deleteDoc("d");

    assertThat(patches.trackedDocs()).isEmpty();
    assertThat(patches.store().loadDoc("d")).isNull();
    assertThat(patches.pendingDeletes()).containsExactly("d");
    assertThat(deleted).isNotDone();
    assertThatThrownBy(() -> doc.change(p -> p.add("/b", 2)))
        .isInstanceOf(IllegalStateException.class);

    sync.connect();
    FakeConnection c = transport.last();
    JsonNode delete = c.sent(0);
    assertThat(delete.get("method").stringValue()).isEqualTo("deleteDoc");
    assertThat(delete.get("params")).isEqualTo(Json.parse("[\"d\"]"));
    c.answer(delete, Json.NODES.nullNode());

    assertThat(deleted).isCompleted();
    assertThat(patches.pendingDeletes()).isEmpty();
  }

  @Test
  void deleteDoc_connectionLostBeforeAnswer_isSentAgainOnReconnect() {
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT);
    sync.connect();
    CompletableFuture<Void> deleted = sync.deleteDoc("d");
    FakeConnection first = transport.last();
    assertThat(first.sent(0).get("method").stringValue()).isEqualTo("deleteDoc");

    first.listener.onClosed(1006, "gone");
    scheduler.nextLive().run();
    FakeConnection second = transport.last();
    second.answer(second.sent(0), Json.NODES.nullNode());

    assertThat(second.sent(0).get("method").stringValue()).isEqualTo("deleteDoc");
    assertThat(deleted).isCompleted();
    assertThat(patches.pendingDeletes()).isEmpty();
  }

  @Test
  void deleteDoc_refusedWith403_dropsTombstoneAndFails() {
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT);
    sync.connect();
    CompletableFuture<Void> deleted = sync.deleteDoc("d");
    FakeConnection c = transport.last();

    c.error(c.sent(0), 403, "not yours", null);

    assertThat(deleted).isCompletedExceptionally();
    assertThat(patches.pendingDeletes()).isEmpty();
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0)).hasMessageContaining("not yours");
  }

  @Test
  void commitRejected_400NamingOneChange_quarantinesItAndSendsTheRest() {
    PatchesDoc doc = patches.openDoc("d");
    var bad = doc.change(p -> p.add("/a", 1));
    var good = doc.change(p -> p.add("/b", 2));
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT);
    List<String> errorDocs = new ArrayList<>();
    sync.onError((e, id) -> errorDocs.add(id));
    sync.connect();
    FakeConnection c = transport.last();
    c.answer(c.sent(0), Json.parse("[\"d\"]"));
    JsonNode commit = c.sent(1);
    assertThat(commit.get("params").get(1)).hasSize(2);

    c.error(
        commit,
        400,
        "Invalid change",
        Json.object().put("changeId", bad.id()).put("scope", "change"));

    assertThat(patches.quarantinedChanges("d"))
        .singleElement()
        .satisfies(
            q -> {
              assertThat(q.change().id()).isEqualTo(bad.id());
              assertThat(q.code()).isEqualTo(400);
            });
    assertThat(errorDocs).containsExactly("d");
    JsonNode retry = c.sent(2);
    assertThat(retry.get("params").get(1)).hasSize(1);
    assertThat(retry.get("params").get(1).get(0).get("id").stringValue()).isEqualTo(good.id());
    c.answer(
        retry,
        Json.object().set("changes", Json.array().add(good.committed(1, 1, 5, "x").toJson())));

    assertThat(doc.hasPending()).isFalse();
    assertThat(doc.state()).isEqualTo(Json.parse("{\"b\":2}"));
    assertThat(sync.docStates().get("d").status()).isEqualTo(DocSyncStatus.SYNCED);
  }

  @Test
  void commitRejected_413ForTheDocument_quarantinesTheWholeBatch() {
    PatchesDoc doc = patches.openDoc("d");
    doc.change(p -> p.add("/a", 1));
    doc.change(p -> p.add("/b", 2));
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT);
    sync.connect();
    FakeConnection c = transport.last();
    c.answer(c.sent(0), Json.parse("[\"d\"]"));

    c.error(c.sent(1), 413, "too big", Json.object().put("scope", "doc"));

    assertThat(patches.quarantinedChanges("d")).hasSize(2);
    assertThat(doc.hasPending()).isFalse();
    assertThat(c.sent).hasSize(2);
  }

  @Test
  void commitFailed_transientError_keepsChangesPendingAndMarksError() {
    PatchesDoc doc = patches.openDoc("d");
    doc.change(p -> p.add("/a", 1));
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT);
    sync.connect();
    FakeConnection c = transport.last();
    c.answer(c.sent(0), Json.parse("[\"d\"]"));

    c.error(c.sent(1), 500, "Internal server error", null);

    assertThat(patches.quarantinedChanges()).isEmpty();
    assertThat(doc.hasPending()).isTrue();
    assertThat(sync.docStates().get("d").status()).isEqualTo(DocSyncStatus.ERROR);
  }

  @Test
  void flushAnswered410_reportsRemoteDeleteWithThePendingChanges() {
    PatchesDoc doc = patches.openDoc("d");
    var mine = doc.change(p -> p.add("/a", 1));
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT);
    List<Object> deleted = new ArrayList<>();
    sync.onRemoteDocDeleted((id, pending) -> deleted.add(List.of(id, pending)));
    sync.connect();
    FakeConnection c = transport.last();
    c.answer(c.sent(0), Json.parse("[\"d\"]"));

    c.error(c.sent(1), 410, "Document d was deleted", Json.object().put("docId", "d"));

    assertThat(deleted).containsExactly(List.of("d", List.of(mine)));
    assertThat(patches.trackedDocs()).isEmpty();
    assertThat(sync.docStates()).doesNotContainKey("d");
  }

  @Test
  void lwwDoc_offlineEdits_areSentAsOneConsolidatedChange_editsInFlightFollow() {
    Patches lww = Patches.builder(ClientStores.inMemory()).lww("s/*").build();
    PatchesDoc doc = lww.openDoc("s/1");
    doc.change(p -> p.add("/a", 1));
    doc.change(p -> p.replace("/a", 2).increment("/n", 1));
    doc.change(p -> p.increment("/n", 4));
    PatchesSync sync =
        PatchesSync.builder(lww, transport)
            .scheduler(scheduler)
            .executor(Runnable::run)
            .random(() -> 0)
            .build();
    sync.connect();
    FakeConnection c = transport.last();
    c.answer(c.sent(0), Json.parse("[\"s/1\"]"));

    JsonNode commit = c.sent(1);
    JsonNode sent = commit.get("params").get(1);
    assertThat(sent).hasSize(1);
    JsonNode ops = sent.get(0).get("ops");
    assertThat(ops).hasSize(2);
    assertThat(ops.get(0).get("value").asInt()).isEqualTo(2);
    assertThat(ops.get(1).get("op").stringValue()).isEqualTo("@inc");
    assertThat(ops.get(1).get("value").asInt()).isEqualTo(5);
    assertThat(ops.get(0).has("ts")).isTrue();
    doc.change(p -> p.add("/b", true)); // waits: one change in flight at a time
    assertThat(c.sent).hasSize(2);

    String sentId = sent.get(0).get("id").stringValue();
    c.answer(
        commit,
        Json.parse(
            "{\"changes\":[{\"id\":\""
                + sentId
                + "\",\"baseRev\":0,\"rev\":1,\"ops\":["
                + "{\"op\":\"replace\",\"path\":\"/a\",\"value\":2,\"ts\":1,\"rev\":1},"
                + "{\"op\":\"replace\",\"path\":\"/n\",\"value\":5,\"ts\":1,\"rev\":1}"
                + "],\"createdAt\":1,\"committedAt\":1}]}"));

    JsonNode next = c.sent(2);
    assertThat(next.get("params").get(1).get(0).get("baseRev").asLong()).isEqualTo(1);
    assertThat(next.get("params").get(1).get(0).get("ops")).hasSize(1);
    assertThat(doc.committedRev()).isEqualTo(1);
    assertThat(doc.state()).isEqualTo(Json.parse("{\"a\":2,\"n\":5,\"b\":true}"));
  }

  @Test
  void lwwDoc_rejectedChange_isQuarantined() {
    Patches lww = Patches.builder(ClientStores.inMemory()).lww("s/*").build();
    PatchesDoc doc = lww.openDoc("s/1");
    doc.change(p -> p.add("/a", 1));
    PatchesSync sync =
        PatchesSync.builder(lww, transport)
            .scheduler(scheduler)
            .executor(Runnable::run)
            .random(() -> 0)
            .build();
    sync.connect();
    FakeConnection c = transport.last();
    c.answer(c.sent(0), Json.parse("[\"s/1\"]"));
    JsonNode commit = c.sent(1);
    String sentId = commit.get("params").get(1).get(0).get("id").stringValue();

    c.error(commit, 400, "bad", Json.object().put("changeId", sentId).put("scope", "change"));

    assertThat(lww.quarantinedChanges("s/1"))
        .singleElement()
        .extracting(q -> q.change().id())
        .isEqualTo(sentId);
    assertThat(doc.hasPending()).isFalse();
    assertThat(doc.state()).isEqualTo(Json.object());
  }

  @Test
  void connectionState_followsTheMachine_andFiresOnlyOnRealChanges() {
    transport.failAll = true;
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT.withMaxAttempts(1));
    List<String> changes = new ArrayList<>();
    sync.onConnectionStateChange((from, to) -> changes.add(from + ">" + to));
    assertThat(sync.connectionState()).isEqualTo(ConnectionState.DISCONNECTED);

    sync.connect();
    scheduler.nextLive().run(); // second attempt fails too: the limit of one retry is reached
    assertThat(sync.connectionState()).isEqualTo(ConnectionState.ERROR);
    transport.failAll = false;
    sync.connect();
    sync.connect();
    transport.last().listener.onClosed(1006, "gone");
    sync.disconnect();
    sync.disconnect();

    assertThat(changes)
        .containsExactly(
            "DISCONNECTED>CONNECTING",
            "CONNECTING>RECONNECTING",
            "RECONNECTING>CONNECTING",
            "CONNECTING>ERROR",
            "ERROR>CONNECTING",
            "CONNECTING>CONNECTED",
            "CONNECTED>RECONNECTING",
            "RECONNECTING>DISCONNECTED");
  }

  @Test
  void onSyncedChange_getsEveryNewImmutableMap() {
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT);
    List<java.util.Map<String, DocSyncState>> maps = new ArrayList<>();
    sync.onSyncedChange(maps::add);

    PatchesDoc doc = patches.openDoc("d");
    doc.change(p -> p.add("/a", 1));

    assertThat(maps).hasSizeGreaterThanOrEqualTo(2);
    assertThat(maps.get(maps.size() - 1)).isSameAs(sync.docStates());
    assertThat(sync.docStates().get("d"))
        .isEqualTo(new DocSyncState(0, true, DocSyncStatus.UNSYNCED));
    assertThatThrownBy(() -> sync.docStates().put("x", null))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void maxStorageBytes_largeChange_isSplitIntoPiecesThatSettleTogether() {
    PatchesDoc doc = patches.openDoc("d");
    Change big = doc.change(p -> p.insertText("/body", 0, "x".repeat(3_000)));
    PatchesSync sync =
        PatchesSync.builder(patches, transport)
            .scheduler(scheduler)
            .executor(Runnable::run)
            .maxStorageBytes(1_000)
            .build();
    sync.connect();
    FakeConnection c = transport.last();
    c.answer(c.sent(0), Json.parse("[\"d\"]"));

    JsonNode commit = c.sent(1);
    JsonNode sent = commit.get("params").get(1);
    assertThat(sent.size()).isGreaterThan(2);
    assertThat(sent.get(0).get("id").stringValue()).isEqualTo(big.id());
    assertThat(doc.pendingChanges()).hasSize(sent.size());
    var committed = Json.array();
    long rev = 1;
    for (JsonNode piece : sent) {
      committed.add(Change.fromJson(piece).committed(rev++, 1, 2, null).toJson());
    }
    c.answer(commit, Json.object().set("changes", committed));

    assertThat(doc.hasPending()).isFalse();
    assertThat(doc.committedRev()).isEqualTo(sent.size());
    assertThat(doc.state().get("body").get("ops").get(0).get("insert").stringValue())
        .hasSize(3_001);
  }

  @Test
  void maxPayloadBytes_flushInTwoBatches_sendsTheSecondRebasedOverTheFirstAnswer() {
    patches.store().saveDoc("d", Json.parse("{\"items\":[\"x\",\"y\"]}"), 1, List.of());
    PatchesDoc doc = patches.openDoc("d");
    Change a = doc.change(p -> p.add("/items/0", "a"));
    doc.change(p -> p.remove("/items/2")); // removes "y" from [a, x, y]
    PatchesSync sync =
        PatchesSync.builder(patches, transport)
            .scheduler(scheduler)
            .executor(Runnable::run)
            .maxPayloadBytes(200)
            .build();
    sync.connect();
    FakeConnection c = transport.last();
    c.answer(c.sent(0), Json.parse("[\"d\"]"));
    JsonNode first = c.sent(1);
    assertThat(first.get("params").get(1)).hasSize(1);

    // Another client's insert at the front was committed before ours.
    var answer = Json.array();
    answer.add(
        Json.parse(change("other", 2, "{\"op\":\"add\",\"path\":\"/items/0\",\"value\":\"f\"}")));
    answer.add(
        Change.fromJson(first.get("params").get(1).get(0)).committed(3, 1, 2, null).toJson());
    c.answer(first, Json.object().set("changes", answer));

    // The second batch is the rebased remove: base revision 3, "y" now at index 3 of [a, f, x, y]
    // (sent as split up front it kept base 1 and index 2, and the server moved it wrongly).
    JsonNode second = c.sent(2).get("params").get(1);
    assertThat(second).hasSize(1);
    assertThat(second.get(0).get("baseRev").asLong()).isEqualTo(3);
    assertThat(second.get(0).get("ops").get(0).get("path").stringValue()).isEqualTo("/items/3");
    assertThat(a.id()).isNotEqualTo(second.get(0).get("id").stringValue());
  }

  @Test
  void staleGetDocAnswer_afterTheSameRevisionArrived_keepsEditsMadeMeanwhile() {
    PatchesDoc doc = patches.openDoc("d");
    sync(ReconnectPolicy.DEFAULT).connect();
    FakeConnection c = transport.last();
    c.answer(c.sent(0), Json.parse("[\"d\"]"));
    JsonNode getDoc = c.sent(1);
    String created = change("one", 1, "{\"op\":\"add\",\"path\":\"/items\",\"value\":[\"x\"]}");
    c.listener.onText(
        "{\"jsonrpc\":\"2.0\",\"method\":\"changesCommitted\",\"params\":{\"docId\":\"d\","
            + "\"changes\":["
            + created
            + "]}}");
    doc.change(p -> p.add("/items/1", "mine"));

    // The answer to the getDoc sent before rev 1 arrived holds nothing newer. Loading it rebased
    // the edit over rev 1 a second time, and the add of /items dropped it (found by the fuzz).
    c.answer(getDoc, Json.parse("{\"state\":null,\"rev\":0,\"changes\":[" + created + "]}"));

    assertThat(doc.committedRev()).isEqualTo(1);
    assertThat(doc.pendingChanges()).hasSize(1);
    assertThat(doc.state().get("items")).isEqualTo(Json.parse("[\"x\",\"mine\"]"));
  }

  @Test
  void subscribeFilter_excludedDoc_isSyncedButNotSubscribed() {
    patches.openDoc("keep");
    patches.openDoc("skip");
    PatchesSync sync =
        PatchesSync.builder(patches, transport)
            .scheduler(scheduler)
            .executor(Runnable::run)
            .subscribeFilter(ids -> ids.stream().filter(id -> !id.equals("skip")).toList())
            .build();

    sync.connect();
    FakeConnection c = transport.last();
    assertThat(c.sent(0).get("params")).isEqualTo(Json.parse("[[\"keep\"]]"));
    c.answer(c.sent(0), Json.parse("[\"keep\"]"));

    assertThat(List.of(c.sent(1), c.sent(2)))
        .extracting(m -> m.get("method").stringValue() + " " + m.get("params").get(0).stringValue())
        .containsExactlyInAnyOrder("getDoc keep", "getDoc skip");
    assertThat(sync.docStates()).containsOnlyKeys("keep", "skip");
  }

  @Test
  void untrackDoc_whileConnected_unsubscribesAndDropsItsState() {
    patches.openDoc("d");
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT);
    sync.connect();
    FakeConnection c = transport.last();
    c.answer(c.sent(0), Json.parse("[\"d\"]"));
    JsonNode getDoc = c.sent(1);

    patches.untrackDoc("d");
    c.answer(getDoc, Json.parse("{\"state\":{\"a\":1},\"rev\":1,\"changes\":[]}"));

    JsonNode unsubscribe = c.sent(2);
    assertThat(unsubscribe.get("method").stringValue()).isEqualTo("unsubscribe");
    assertThat(unsubscribe.get("params")).isEqualTo(Json.parse("[[\"d\"]]"));
    assertThat(sync.docStates()).isEmpty();
    assertThat(sync.state().syncing()).isFalse();
  }

  @Test
  void token_askedOnEveryAttempt_eachReconnectUsesTheFreshToken() {
    List<String> handedOut = new ArrayList<>();
    PatchesSync sync =
        PatchesSync.builder(patches, transport)
            .scheduler(scheduler)
            .executor(Runnable::run)
            .random(() -> 0)
            .token(
                () -> {
                  String t = "t" + (handedOut.size() + 1);
                  handedOut.add(t);
                  return t;
                })
            .build();
    sync.onError((e, docId) -> errors.add(e));
    sync.connect();
    transport.last().listener.onClosed(1006, "token expired");

    transport.failAll = true; // the first reconnect is refused, the second gets through
    FakeScheduler.Task first = scheduler.nextLive();
    first.run();
    transport.failAll = false;
    FakeScheduler.Task second = scheduler.nextLive();
    second.run();

    assertThat(List.of(first.delay, second.delay))
        .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
    assertThat(handedOut).containsExactly("t1", "t2", "t3");
    assertThat(transport.requests)
        .extracting(r -> r.headers().get("Authorization"))
        .containsExactly("Bearer t1", "Bearer t2", "Bearer t3");
    assertThat(transport.requests).allMatch(r -> r.uri() == null);
    assertThat(sync.connectionState()).isEqualTo(ConnectionState.CONNECTED);
  }

  @Test
  void tokenSupplierThrows_failsTheAttempt_reportsItAndRetriesWithBackoff() {
    IllegalStateException down = new IllegalStateException("token service down");
    int[] calls = {0};
    PatchesSync sync =
        PatchesSync.builder(patches, transport)
            .scheduler(scheduler)
            .executor(Runnable::run)
            .random(() -> 0)
            .token(
                () -> {
                  if (++calls[0] <= 2) {
                    throw down;
                  }
                  return "fresh";
                })
            .build();
    List<Object> reported = new ArrayList<>();
    sync.onError((e, docId) -> reported.add(List.of(e, String.valueOf(docId))));

    CompletableFuture<Void> connected = sync.connect();
    assertThat(sync.connectionState()).isEqualTo(ConnectionState.RECONNECTING);
    FakeScheduler.Task first = scheduler.nextLive();
    first.run();
    FakeScheduler.Task second = scheduler.nextLive();
    second.run();

    assertThat(List.of(first.delay, second.delay))
        .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
    assertThat(reported).containsExactly(List.of(down, "null"), List.of(down, "null"));
    assertThat(transport.requests)
        .singleElement()
        .satisfies(r -> assertThat(r.headers()).containsEntry("Authorization", "Bearer fresh"));
    assertThat(connected).isCompleted();
    assertThat(sync.connectionState()).isEqualTo(ConnectionState.CONNECTED);
  }

  @Test
  void tokenSupplierAlwaysThrows_attemptLimitReached_givesUpWithoutTheTransport() {
    PatchesSync sync =
        PatchesSync.builder(patches, transport)
            .scheduler(scheduler)
            .executor(Runnable::run)
            .random(() -> 0)
            .reconnectPolicy(ReconnectPolicy.DEFAULT.withMaxAttempts(2))
            .token(
                () -> {
                  throw new IllegalStateException("no token");
                })
            .build();
    sync.onError((e, docId) -> errors.add(e));

    CompletableFuture<Void> connected = sync.connect();
    scheduler.nextLive().run();
    scheduler.nextLive().run();

    assertThat(transport.attempts).isZero();
    assertThat(connected).isCompletedExceptionally();
    assertThat(sync.connectionState()).isEqualTo(ConnectionState.ERROR);
    assertThat(errors).hasSize(4);
    assertThat(errors.subList(0, 3)).allMatch(e -> e.getMessage().equals("no token"));
    assertThat(errors.get(3)).hasMessageContaining("Gave up");
  }

  @Test
  void addressSupplier_withCustomTransport_isAskedOnEveryAttempt_nullFailsTheAttempt() {
    List<URI> addresses = new ArrayList<>();
    addresses.add(URI.create("ws://h/ws?token=a"));
    addresses.add(null);
    addresses.add(URI.create("ws://h/ws?token=c"));
    int[] asked = {0};
    PatchesSync sync =
        PatchesSync.builder(patches, () -> addresses.get(asked[0]++))
            .transport(transport)
            .scheduler(scheduler)
            .executor(Runnable::run)
            .random(() -> 0)
            .build();
    sync.onError((e, docId) -> errors.add(e));
    sync.connect();

    transport.last().listener.onClosed(1006, "gone");
    scheduler.nextLive().run(); // the address supplier answers null: a failed attempt
    scheduler.nextLive().run();

    assertThat(asked[0]).isEqualTo(3);
    assertThat(transport.requests)
        .extracting(ConnectRequest::uri)
        .containsExactly(URI.create("ws://h/ws?token=a"), URI.create("ws://h/ws?token=c"));
    assertThat(transport.requests).allMatch(r -> r.headers().isEmpty());
    assertThat(errors).singleElement().isInstanceOf(IllegalStateException.class);
    assertThat(sync.connectionState()).isEqualTo(ConnectionState.CONNECTED);
  }

  /** Connects, loads "d" at revision 3 with {@code {"a":0}}, and returns the connection. */
  private FakeConnection connectedWithDocAtRev3(PatchesSync sync) {
    sync.connect();
    FakeConnection c = transport.last();
    c.answer(c.sent(0), Json.parse("[\"d\"]"));
    c.answer(c.sent(1), Json.parse("{\"state\":{\"a\":0},\"rev\":3,\"changes\":[]}"));
    return c;
  }

  @Test
  void commitAnswered409ScopeDoc_reloadsMovesPendingOntoTheServerHeadAndResendsAll() {
    PatchesDoc doc = patches.openDoc("d");
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT);
    FakeConnection c = connectedWithDocAtRev3(sync);
    Change first = doc.change(p -> p.add("/b", 1));
    JsonNode commit = c.sent(2);
    Change second = doc.change(p -> p.add("/c", 2)); // made while the first is out

    // The server was restored from a backup: it is at revision 1 and refuses base revision 3.
    c.error(commit, 409, "Client baseRev (3) is ahead", Json.object().put("scope", "doc"));

    JsonNode reload = c.sent(3);
    assertThat(reload.get("method").stringValue()).isEqualTo("getDoc");
    assertThat(reload.get("params")).isEqualTo(Json.parse("[\"d\"]"));
    c.answer(reload, Json.parse("{\"state\":{\"a\":9},\"rev\":1,\"changes\":[]}"));

    assertThat(doc.committedRev()).isEqualTo(1);
    assertThat(doc.state()).isEqualTo(Json.parse("{\"a\":9,\"b\":1,\"c\":2}"));
    assertThat(patches.store().loadDoc("d").pending())
        .extracting(Change::id, Change::baseRev, Change::rev)
        .containsExactly(tuple(first.id(), 1L, 2L), tuple(second.id(), 1L, 3L));
    JsonNode resend = c.sent(4);
    assertThat(resend.get("method").stringValue()).isEqualTo("commitChanges");
    JsonNode sent = resend.get("params").get(1);
    assertThat(sent).hasSize(2);
    assertThat(sent.get(0).get("id").stringValue()).isEqualTo(first.id());
    assertThat(sent.get(0).get("baseRev").asLong()).isEqualTo(1);
    assertThat(sent.get(0).get("ops"))
        .isEqualTo(Json.parse("[{\"op\":\"add\",\"path\":\"/b\",\"value\":1}]"));
    assertThat(sent.get(1).get("id").stringValue()).isEqualTo(second.id());

    c.answer(
        resend,
        Json.object()
            .set(
                "changes",
                Json.array()
                    .add(first.withRevs(1, 2).committed(2, 1, 5, "x").toJson())
                    .add(second.withRevs(1, 3).committed(3, 1, 5, "x").toJson())));

    assertThat(doc.hasPending()).isFalse();
    assertThat(doc.committedRev()).isEqualTo(3);
    assertThat(doc.state()).isEqualTo(Json.parse("{\"a\":9,\"b\":1,\"c\":2}"));
    // The edit made during the flush asked for one more pass: a catch-up that finds nothing new.
    JsonNode catchUp = c.sent(5);
    assertThat(catchUp.get("params")).isEqualTo(Json.parse("[\"d\",3]"));
    c.answer(catchUp, Json.array());
    assertThat(sync.docStates().get("d"))
        .isEqualTo(new DocSyncState(3, false, DocSyncStatus.SYNCED));
    assertThat(errors).isEmpty();
    assertThat(patches.quarantinedChanges()).isEmpty();
  }

  @Test
  void reloadAfter409_snapshotHoldsOnePendingChange_dropsItAndResendsTheRest() {
    PatchesDoc doc = patches.openDoc("d");
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT);
    FakeConnection c = connectedWithDocAtRev3(sync);
    Change first = doc.change(p -> p.add("/b", 1));
    JsonNode commit = c.sent(2);
    Change second = doc.change(p -> p.add("/c", 2));

    c.error(commit, 409, "stale continuation", Json.object().put("scope", "doc"));
    String committedFirst = Json.write(first.withRevs(0, 1).committed(1, 1, 5, "x").toJson());
    c.answer(
        c.sent(3), Json.parse("{\"state\":null,\"rev\":0,\"changes\":[" + committedFirst + "]}"));

    JsonNode resend = c.sent(4).get("params").get(1);
    assertThat(resend).hasSize(1);
    assertThat(resend.get(0).get("id").stringValue()).isEqualTo(second.id());
    assertThat(resend.get(0).get("baseRev").asLong()).isEqualTo(1);
    assertThat(doc.committedRev()).isEqualTo(1);
    assertThat(doc.state()).isEqualTo(Json.parse("{\"b\":1,\"c\":2}"));
  }

  @Test
  void commitAnswered409Twice_failsTheFlushKeepsEverythingPending_andRetriesOnTheNextEdit() {
    PatchesDoc doc = patches.openDoc("d");
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT);
    FakeConnection c = connectedWithDocAtRev3(sync);
    Change first = doc.change(p -> p.add("/b", 1));
    c.error(c.sent(2), 409, "ahead", Json.object().put("scope", "doc"));
    c.answer(c.sent(3), Json.parse("{\"state\":{\"a\":9},\"rev\":1,\"changes\":[]}"));

    c.error(c.sent(4), 409, "ahead again", Json.object().put("scope", "doc"));

    assertThat(c.sent).hasSize(5); // no second reload
    assertThat(doc.pendingChanges()).extracting(Change::id).containsExactly(first.id());
    assertThat(sync.docStates().get("d").status()).isEqualTo(DocSyncStatus.ERROR);
    assertThat(errors)
        .singleElement()
        .satisfies(e -> assertThat(e).hasMessageContaining("ahead again"));
    Change second = doc.change(p -> p.add("/c", 2));
    assertThat(c.sent(5).get("params").get(1))
        .extracting(n -> n.get("id").stringValue())
        .containsExactly(first.id(), second.id());
  }

  @Test
  void commitAnswered409WithoutScopeDoc_isAnErrorAsBefore_noReload() {
    PatchesDoc doc = patches.openDoc("d");
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT);
    FakeConnection c = connectedWithDocAtRev3(sync);
    doc.change(p -> p.add("/b", 1));

    c.error(c.sent(2), 409, "Change ids already committed", null);

    assertThat(c.sent).hasSize(3);
    assertThat(doc.hasPending()).isTrue();
    assertThat(doc.committedRev()).isEqualTo(3);
    assertThat(sync.docStates().get("d").status()).isEqualTo(DocSyncStatus.ERROR);
  }

  @Test
  void connectionClosedBeforeItsOpeningIsReported_isAFailedAttemptNotADeadConnection() {
    transport.hang = true;
    PatchesSync sync = sync(ReconnectPolicy.DEFAULT);
    CompletableFuture<Void> connected = sync.connect();

    // The JDK WebSocket can deliver the close of a socket the server shut right after the
    // handshake before the future of its opening completes.
    transport.listeners.get(0).onClosed(1001, "server shutting down");
    FakeConnection dead = new FakeConnection(transport.listeners.get(0));
    transport.hanging.get(0).complete(dead);

    assertThat(dead.closed).isTrue();
    assertThat(sync.connectionState()).isEqualTo(ConnectionState.RECONNECTING);
    assertThat(connected).isNotDone();
    assertThat(errors).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("1001"));
    transport.hang = false;
    FakeScheduler.Task retry = scheduler.nextLive();
    assertThat(retry.delay).isEqualTo(Duration.ofSeconds(1));
    retry.run();
    assertThat(connected).isCompleted();
    assertThat(sync.connectionState()).isEqualTo(ConnectionState.CONNECTED);
  }

  private static String change(String id, long rev, String op) {
    return "{\"id\":\""
        + id
        + "\",\"baseRev\":"
        + (rev - 1)
        + ",\"rev\":"
        + rev
        + ",\"ops\":["
        + op
        + "],\"createdAt\":1,\"committedAt\":2}";
  }

  private static final class FakeScheduler implements Scheduler {
    final List<Task> tasks = new ArrayList<>();

    static final class Task implements Cancellable {
      final Duration delay;
      final Runnable body;
      boolean cancelled;
      boolean ran;

      Task(Duration delay, Runnable body) {
        this.delay = delay;
        this.body = body;
      }

      @Override
      public void cancel() {
        cancelled = true;
      }

      void run() {
        ran = true;
        body.run();
      }
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
      Task t = new Task(delay, task);
      tasks.add(t);
      return t;
    }

    Task nextLiveOrNull() {
      for (Task t : tasks) {
        if (!t.cancelled && !t.ran) {
          return t;
        }
      }
      return null;
    }

    Task nextLive() {
      Task t = nextLiveOrNull();
      assertThat(t).as("a scheduled task").isNotNull();
      return t;
    }
  }

  private static final class FakeConnection implements TransportConnection {
    final TransportListener listener;
    final List<String> sent = new ArrayList<>();
    final List<CompletableFuture<Void>> pings = new ArrayList<>();
    boolean closed;

    FakeConnection(TransportListener listener) {
      this.listener = listener;
    }

    @Override
    public boolean send(String text) {
      sent.add(text);
      return !closed;
    }

    @Override
    public CompletableFuture<Void> ping() {
      CompletableFuture<Void> pong = new CompletableFuture<>();
      pings.add(pong);
      return pong;
    }

    @Override
    public void close() {
      closed = true;
    }

    JsonNode sent(int index) {
      assertThat(sent).hasSizeGreaterThan(index);
      return Json.parse(sent.get(index));
    }

    void error(JsonNode request, int code, String message, JsonNode data) {
      var error = Json.object().put("code", code).put("message", message);
      if (data != null) {
        error.set("data", data);
      }
      var response = Json.object().put("jsonrpc", "2.0");
      response.set("id", request.get("id"));
      response.set("error", error);
      listener.onText(Json.write(response));
    }

    void answer(JsonNode request, JsonNode result) {
      var response = Json.object().put("jsonrpc", "2.0");
      response.set("id", request.get("id"));
      response.set("result", result);
      listener.onText(Json.write(response));
    }
  }

  private static final class FakeTransport implements Transport {
    boolean failAll;
    boolean hang;
    int attempts;
    final List<FakeConnection> connections = new ArrayList<>();
    final List<CompletableFuture<TransportConnection>> hanging = new ArrayList<>();
    final List<ConnectRequest> requests = new ArrayList<>();
    final List<TransportListener> listeners = new ArrayList<>();

    @Override
    public CompletableFuture<TransportConnection> connect(
        ConnectRequest request, TransportListener listener) {
      attempts++;
      requests.add(request);
      listeners.add(listener);
      if (hang) {
        CompletableFuture<TransportConnection> f = new CompletableFuture<>();
        hanging.add(f);
        return f;
      }
      if (failAll) {
        return CompletableFuture.failedFuture(new ConnectException("refused"));
      }
      FakeConnection c = new FakeConnection(listener);
      connections.add(c);
      return CompletableFuture.completedFuture(c);
    }

    FakeConnection last() {
      assertThat(connections).isNotEmpty();
      return connections.get(connections.size() - 1);
    }
  }
}
