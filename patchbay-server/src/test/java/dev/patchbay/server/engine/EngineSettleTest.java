package dev.patchbay.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.ot.Change;
import dev.patchbay.core.ot.ChangeApplier;
import dev.patchbay.core.ot.OtTransforms;
import dev.patchbay.core.patch.PatchOp;
import dev.patchbay.server.spi.DocStore;
import dev.patchbay.server.spi.VersionMetadata;
import dev.patchbay.server.spi.VersionOrder;
import dev.patchbay.server.spi.VersionQuery;
import dev.patchbay.server.store.DocStores;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A document keeps only its newest in-memory changes parsed while in use, and only the newest few,
 * compact (ops only as JSON), once left untouched for a while; everything read from them or from
 * the store below them is what the full changes gave: snapshots, the transform of a commit made on
 * an old revision, and the versions cut by replaying them.
 */
class EngineSettleTest {
  private static final String DOC = "doc";
  private final AtomicLong now = new AtomicLong(1_800_000_000_000L);
  private final DocStore store = DocStores.inMemory();
  private final Engine engine =
      new Engine(
          store,
          new Engine.Settings(
              1, Duration.ofMinutes(30), 100, 100, List.of(), 10_000, 1 << 20, 1L << 30),
          EngineVersioningTest.QUIET,
          now::get);

  @AfterEach
  void close() {
    engine.close();
  }

  @Test
  void untouchedDocument_keepsItsChangesCompact_andAnswersAsBefore() throws Exception {
    for (int i = 0; i < 250; i++) {
      commit("a" + i, i, i);
    }
    assertThat(get(engine.tailStats(DOC)))
        .as("in use: all but the newest compact")
        .isEqualTo(new Engine.TailStats(250, 250 - OtDoc.PARSED_WINDOW));

    // A commit made on revision 50 crosses two hundred changes, most of them compact: those are
    // parsed for it and stay parsed until the next sweep compacts them again.
    transformedAsByTheFullChanges("early", 50);
    assertThat(get(engine.tailStats(DOC)).compact()).as("inflated").isLessThan(60);
    now.addAndGet(600); // a sweep is due, but the document is in use: no settling
    assertThat(get(engine.tailStats(DOC)))
        .as("compacted again")
        .isEqualTo(new Engine.TailStats(251, 251 - OtDoc.PARSED_WINDOW));
    Snapshot before = get(engine.getDoc(DOC, null));

    now.addAndGet(1_500); // past the settle delay; the next task sweeps first
    assertThat(get(engine.tailStats(DOC)))
        .as("untouched: the window, compact")
        .isEqualTo(new Engine.TailStats(OtDoc.PARSED_WINDOW, OtDoc.PARSED_WINDOW));
    assertThat(get(engine.getDoc(DOC, null))).isEqualTo(before);

    // Commits made on revisions in the shrunk tail and below it (read from the store).
    transformedAsByTheFullChanges("late", 200);
    transformedAsByTheFullChanges("later", 100);

    // Versions cut from here on replay the compact changes.
    for (int i = 253; i < 420; i++) {
      commit("b" + i, i, i);
    }
    List<Change> all = store.listChanges(DOC, 0);
    Snapshot head = get(engine.getDoc(DOC, null));
    assertThat(json(ChangeApplier.applyChanges(head.state(), head.changes())))
        .isEqualTo(json(ChangeApplier.applyChanges(null, all)));
    List<VersionMetadata> versions =
        get(engine.listVersions(DOC, VersionQuery.orderBy(VersionOrder.END_REV)));
    assertThat(versions).hasSizeGreaterThanOrEqualTo(3);
    for (VersionMetadata v : versions) {
      assertThat(json(get(engine.getVersionState(DOC, v.id()))))
          .as("version ending at %d", v.endRev())
          .isEqualTo(json(ChangeApplier.applyChanges(null, all.subList(0, (int) v.endRev()))));
    }
  }

  /** Commits a change made on {@code baseRev} and checks it against the stored changes. */
  private void transformedAsByTheFullChanges(String id, long baseRev) throws Exception {
    List<PatchOp> ops = ops(id, 0);
    List<Change> since = store.listChanges(DOC, baseRev);
    long head = baseRev + since.size();
    List<Change> answer = get(commit(id, baseRev, ops)).changes();
    Change committed = answer.get(answer.size() - 1);
    List<Change> expected =
        OtTransforms.transformIncomingChanges(
            List.of(Change.of(id, baseRev, baseRev + 1, ops, 0)), since, head, false, Set.of());
    assertThat(committed.id()).isEqualTo(id);
    assertThat(committed.rev()).isEqualTo(head + 1);
    assertThat(committed.ops()).isEqualTo(expected.get(0).ops());
  }

  private void commit(String id, long baseRev, int i) throws Exception {
    get(commit(id, baseRev, ops(id, i)));
  }

  private java.util.concurrent.CompletableFuture<CommitResult> commit(
      String id, long baseRev, List<PatchOp> ops) {
    return engine.commitChanges(
        DOC,
        List.of(new IncomingChange(id, baseRev, baseRev + 1, ops, now.get(), null, Map.of())),
        false,
        "conn");
  }

  /** Types "{id} " at the start of the text and sets a key, as the commit benchmark does. */
  private static List<PatchOp> ops(String id, int i) {
    return List.of(
        PatchOp.of("@txt", "/body", Json.parse("[{\"insert\":\"" + id + " \"}]")),
        PatchOp.replace("/k" + (i % 7), Json.number(i)));
  }

  /** States compare as JSON text: numbers read back from JSON may be another node type. */
  private static String json(@Nullable JsonNode node) {
    return node == null ? "null" : Json.write(node);
  }

  private static <T> T get(java.util.concurrent.CompletableFuture<T> future) throws Exception {
    return future.get(10, TimeUnit.SECONDS);
  }
}
