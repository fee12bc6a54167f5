package dev.patchbay.client.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.client.QuarantinedChange;
import dev.patchbay.core.json.Json;
import dev.patchbay.core.ot.Change;
import dev.patchbay.core.patch.PatchOp;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ClientStore} must do. An implementation's test extends this class and returns a
 * fresh, empty store from {@link #newStore()}. Published in the client's test-jar, so stores in
 * other modules run it too.
 *
 * <p>Stored documents are compared as JSON ({@link #assertStoredEquals}): a durable store keeps the
 * wire form, so a number may come back as another node type ({@code 5L} as an int node) while
 * meaning the same value.
 */
public abstract class ClientStoreContract {
  private ClientStore store;

  /** Returns a new, empty store; it is closed after each test. */
  protected abstract ClientStore newStore();

  @BeforeEach
  void open() {
    store = newStore();
  }

  @AfterEach
  void close() {
    store.close();
  }

  /**
   * Asserts that {@code actual} holds what {@code expected} does: the same revision, and state and
   * pending changes equal as JSON ({@link Json#equal}).
   */
  protected static void assertStoredEquals(@Nullable StoredDoc actual, StoredDoc expected) {
    assertThat(actual).as("stored doc").isNotNull();
    assertThat(actual.committedRev()).as("committedRev").isEqualTo(expected.committedRev());
    assertThat(Json.equal(actual.state(), expected.state()))
        .as("state %s equals %s", actual.state(), expected.state())
        .isTrue();
    assertPendingEquals(actual.pending(), expected.pending());
    if (expected.sending() == null) {
      assertThat(actual.sending()).as("sending").isNull();
    } else {
      assertThat(actual.sending()).as("sending").isNotNull();
      assertPendingEquals(List.of(actual.sending()), List.of(expected.sending()));
    }
  }

  /** Asserts that two pending queues hold the same changes as JSON, in the same order. */
  protected static void assertPendingEquals(List<Change> actual, List<Change> expected) {
    assertThat(actual).as("pending").hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(Json.equal(actual.get(i).toJson(), expected.get(i).toJson()))
          .as("pending[%d] %s equals %s", i, actual.get(i), expected.get(i))
          .isTrue();
    }
  }

  private static Change change(String id, long baseRev, long rev) {
    return Change.of(
        id, baseRev, rev, List.of(PatchOp.add("/" + id, Json.NODES.numberNode(rev))), 1);
  }

  @Test
  void loadDoc_unknownDoc_returnsNull() {
    assertThat(store.loadDoc("nope")).isNull();
  }

  @Test
  void trackDocs_thenUntrack_listsOnlyTrackedIds() {
    store.trackDocs(List.of("a", "b", "c"));
    store.untrackDocs(List.of("b"));

    assertThat(store.trackedDocs()).containsExactlyInAnyOrder("a", "c");
    assertThat(store.isTracked("a")).isTrue();
    assertThat(store.isTracked("b")).isFalse();
  }

  @Test
  void appendPending_keepsOrderAndCommittedPart() {
    store.saveDoc("d", Json.parse("{\"x\":1}"), 4, List.of());
    Change c1 = change("c1", 4, 5);
    Change c2 = change("c2", 4, 6);

    store.appendPending("d", c1);
    store.appendPending("d", c2);

    assertStoredEquals(
        store.loadDoc("d"), new StoredDoc(Json.parse("{\"x\":1}"), 4, List.of(c1, c2)));
  }

  @Test
  void appendPending_unknownDoc_createsItWithoutCommittedState() {
    Change c1 = change("c1", 0, 1);

    store.appendPending("new", c1);

    assertStoredEquals(store.loadDoc("new"), new StoredDoc(null, 0, List.of(c1)));
  }

  @Test
  void saveDoc_replacesStateRevisionAndPendingAtOnce() {
    store.appendPending("d", change("c1", 0, 1));
    Change rebased = change("c2", 3, 4);

    store.saveDoc("d", Json.parse("[1,2,3]"), 3, List.of(rebased));

    assertStoredEquals(
        store.loadDoc("d"), new StoredDoc(Json.parse("[1,2,3]"), 3, List.of(rebased)));
  }

  @Test
  void deleteDoc_removesDataAndTracking() {
    store.trackDocs(List.of("d", "e"));
    store.saveDoc("d", Json.parse("{}"), 1, List.of(change("c1", 1, 2)));

    store.deleteDoc("d");

    assertThat(store.loadDoc("d")).isNull();
    assertThat(store.trackedDocs()).containsExactly("e");
  }

  @Test
  void trackedDocs_returnedSet_isASnapshot() {
    store.trackDocs(List.of("a"));
    var snapshot = store.trackedDocs();

    store.trackDocs(List.of("b"));

    assertThat(snapshot).containsExactly("a");
  }

  @Test
  void saveDoc_withSendingChange_keepsItApartFromPending() {
    Change sending = change("s1", 2, 3);
    Change pending = change("p1", 2, 3);

    store.saveDoc("d", new StoredDoc(Json.parse("{\"a\":1}"), 2, List.of(pending), sending));

    assertStoredEquals(
        store.loadDoc("d"), new StoredDoc(Json.parse("{\"a\":1}"), 2, List.of(pending), sending));
  }

  @Test
  void appendPending_docWithSendingChange_keepsTheSendingChange() {
    Change sending = change("s1", 0, 1);
    store.saveDoc("d", new StoredDoc(null, 0, List.of(), sending));
    Change next = change("p1", 0, 1);

    store.appendPending("d", next);

    assertStoredEquals(store.loadDoc("d"), new StoredDoc(null, 0, List.of(next), sending));
  }

  @Test
  void saveDoc_fourArguments_clearsTheSendingChange() {
    store.saveDoc("d", new StoredDoc(null, 0, List.of(), change("s1", 0, 1)));

    store.saveDoc("d", Json.parse("{}"), 1, List.of());

    assertStoredEquals(store.loadDoc("d"), new StoredDoc(Json.parse("{}"), 1, List.of()));
  }

  @Test
  void addTombstone_removesDocAndTrackingAndListsTheId() {
    store.trackDocs(List.of("d", "e"));
    store.saveDoc("d", Json.parse("{}"), 1, List.of(change("c1", 1, 2)));

    store.addTombstone("d");

    assertThat(store.loadDoc("d")).isNull();
    assertThat(store.trackedDocs()).containsExactly("e");
    assertThat(store.tombstones()).containsExactly("d");
  }

  @Test
  void removeTombstone_forgetsOnlyThatId_andIsIdempotent() {
    store.addTombstone("a");
    store.addTombstone("b");

    store.removeTombstone("a");
    store.removeTombstone("a");

    assertThat(store.tombstones()).containsExactly("b");
  }

  @Test
  void quarantine_movesChangesAndSavesTheRemainingDocAtOnce() {
    Change bad = change("bad", 1, 2);
    Change good = change("good", 1, 2);
    store.saveDoc("d", Json.parse("{}"), 1, List.of(bad, good));

    store.quarantine(
        "d",
        List.of(new QuarantinedChange("d", bad, 400, "no", 7)),
        new StoredDoc(Json.parse("{}"), 1, List.of(good)));

    assertStoredEquals(store.loadDoc("d"), new StoredDoc(Json.parse("{}"), 1, List.of(good)));
    List<QuarantinedChange> quarantined = store.quarantinedChanges();
    assertThat(quarantined).hasSize(1);
    QuarantinedChange q = quarantined.get(0);
    assertThat(q.docId()).isEqualTo("d");
    assertThat(q.code()).isEqualTo(400);
    assertThat(q.message()).isEqualTo("no");
    assertThat(q.quarantinedAt()).isEqualTo(7);
    assertPendingEquals(List.of(q.change()), List.of(bad));
  }

  @Test
  void quarantinedChanges_surviveDeleteDoc_andAreDiscardedOneByOne() {
    Change one = change("one", 0, 1);
    Change two = change("two", 0, 1);
    store.quarantine(
        "d",
        List.of(new QuarantinedChange("d", one, 400, "x", 1)),
        new StoredDoc(null, 0, List.of()));
    store.quarantine(
        "e",
        List.of(new QuarantinedChange("e", two, 413, "y", 2)),
        new StoredDoc(null, 0, List.of()));
    store.deleteDoc("d");

    assertThat(store.discardQuarantined("d", "two")).isFalse();
    assertThat(store.discardQuarantined("d", "one")).isTrue();

    assertThat(store.quarantinedChanges())
        .extracting(QuarantinedChange::docId)
        .containsExactly("e");
  }
}
