package dev.patchbay.client.spi;

import static org.assertj.core.api.Assertions.assertThat;

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
}
