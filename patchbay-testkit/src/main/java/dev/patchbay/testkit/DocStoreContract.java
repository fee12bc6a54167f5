package dev.patchbay.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.core.ot.Change;
import dev.patchbay.core.patch.PatchOp;
import dev.patchbay.server.spi.ChangeQuery;
import dev.patchbay.server.spi.DocStore;
import dev.patchbay.server.spi.DuplicateChangeIdException;
import dev.patchbay.server.spi.LwwState;
import dev.patchbay.server.spi.LwwWrite;
import dev.patchbay.server.spi.RevConflictException;
import dev.patchbay.server.spi.Tombstone;
import dev.patchbay.server.spi.VersionMetadata;
import dev.patchbay.server.spi.VersionOrder;
import dev.patchbay.server.spi.VersionOrigin;
import dev.patchbay.server.spi.VersionQuery;
import dev.patchbay.server.spi.VersionUpdate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The contract every {@link DocStore} keeps. An implementation's test class extends this class and
 * returns a fresh, empty store from {@link #createStore(Clock)}; every test here then runs against
 * it. Tests only use the SPI, wait on futures with a timeout, and never sleep.
 */
public abstract class DocStoreContract {

  /** How long a test waits for one future before it fails. */
  protected static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** The clock the store under test judges expiry by; starts at 2027-01-15. */
  protected final ManualClock clock = new ManualClock(1_800_000_000_000L);

  /** The store under test, fresh for every test. */
  protected DocStore store;

  /**
   * Returns a new, empty store that reads time from {@code clock}. Called once before each test;
   * the contract closes the store after the test.
   */
  protected abstract DocStore createStore(Clock clock) throws Exception;

  @BeforeEach
  final void openStore() throws Exception {
    store = createStore(clock);
  }

  @AfterEach
  final void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  // The change log.

  @Test
  public void currentRev_unknownDoc_isZero() {
    assertThat(store.currentRev("nope")).isZero();
    assertThat(store.listChanges("nope", ChangeQuery.all())).isEmpty();
    assertThat(store.findChanges("nope", List.of("a"))).isEmpty();
  }

  @Test
  public void saveChanges_thenRead_returnsChangesInRevOrder() {
    await(store.saveChanges("d", List.of(change("a", 1), change("b", 2))));
    await(store.saveChanges("d", List.of(change("c", 3))));

    assertThat(store.currentRev("d")).isEqualTo(3);
    assertThat(ids(store.listChanges("d", ChangeQuery.all()))).containsExactly("a", "b", "c");
    assertThat(ids(store.listChanges("d", 1))).containsExactly("b", "c");
  }

  @Test
  public void saveChanges_everyMember_isKeptVerbatim() {
    Change rich =
        Change.fromJson(
            Json.parse(
                """
                {"id":"rich1","baseRev":0,"rev":1,"ops":[
                  {"op":"add","path":"/a~1b","value":{"x":[1,2.5,"s",null,true]}},
                  {"op":"move","from":"/a","path":"/b"},
                  {"op":"replace","path":"/n","value":3,"soft":true,"ts":1700,"rev":9},
                  {"op":"@txt","path":"/t","value":[{"insert":"héllo ☃\\n","attributes":{"bold":true}}]}],
                 "createdAt":1799999999000,"committedAt":1800000000000,"batchId":"batch-1",
                 "clientId":"c1","custom":{"deep":[{"k":"v"}]},"userId":"u-7"}
                """));
    await(store.saveChanges("d", List.of(rich)));

    assertSameChanges(store.listChanges("d", 0), List.of(rich));
    assertSameChanges(
        List.copyOf(store.findChanges("d", List.of("rich1")).values()), List.of(rich));
  }

  @Test
  public void listChanges_windowLimitAndOrder_selectTheRightChanges() {
    List<Change> five = new ArrayList<>();
    for (int rev = 1; rev <= 5; rev++) {
      five.add(change("c" + rev, rev));
    }
    await(store.saveChanges("d", five));

    assertThat(revs(store.listChanges("d", ChangeQuery.after(2)))).containsExactly(3L, 4L, 5L);
    assertThat(revs(store.listChanges("d", ChangeQuery.after(1).until(3)))).containsExactly(2L, 3L);
    assertThat(revs(store.listChanges("d", ChangeQuery.all().limit(2)))).containsExactly(1L, 2L);
    assertThat(revs(store.listChanges("d", ChangeQuery.all().reversed())))
        .containsExactly(5L, 4L, 3L, 2L, 1L);
    assertThat(revs(store.listChanges("d", ChangeQuery.all().reversed().limit(2))))
        .containsExactly(5L, 4L);
    assertThat(revs(store.listChanges("d", ChangeQuery.after(1).until(4).reversed().limit(2))))
        .containsExactly(4L, 3L);
    assertThat(store.listChanges("d", ChangeQuery.after(5))).isEmpty();
    assertThat(store.listChanges("d", ChangeQuery.after(3).until(3))).isEmpty();
    assertThat(store.listChanges("d", ChangeQuery.after(4).until(2))).isEmpty();
  }

  @Test
  public void listChanges_otherDocs_areSeparate() {
    await(store.saveChanges("d1", List.of(change("a", 1), change("b", 2))));
    await(store.saveChanges("d2", List.of(change("a", 1))));

    assertThat(store.currentRev("d1")).isEqualTo(2);
    assertThat(store.currentRev("d2")).isEqualTo(1);
    assertThat(ids(store.listChanges("d2", 0))).containsExactly("a");
    assertThat(store.findChanges("d2", List.of("a", "b"))).containsOnlyKeys("a");
  }

  @Test
  public void saveChanges_revisionGap_isAllowed() {
    await(store.saveChanges("d", List.of(change("a", 1))));
    await(store.saveChanges("d", List.of(change("root", 5))));

    assertThat(store.currentRev("d")).isEqualTo(5);
    assertThat(revs(store.listChanges("d", 0))).containsExactly(1L, 5L);
  }

  @Test
  public void saveChangesAfter_expectedRevMatches_writes() {
    await(store.saveChanges("d", 0, List.of(change("a", 1))));
    await(store.saveChanges("d", 1, List.of(change("b", 2), change("c", 3))));
    assertThat(store.currentRev("d")).isEqualTo(3);
  }

  @Test
  public void saveChangesAfter_expectedRevStale_failsWithRevConflictAndWritesNothing() {
    await(store.saveChanges("d", 0, List.of(change("a", 1))));
    Throwable error = failure(store.saveChanges("d", 0, List.of(change("b", 2))));
    assertThat(error).isInstanceOf(RevConflictException.class);
    assertThat(store.currentRev("d")).isEqualTo(1);
    assertThat(store.findChanges("d", List.of("b"))).isEmpty();
  }

  @Test
  public void saveChangesAfter_earlierWriteFailed_laterDependentWriteFailsToo() {
    await(store.saveChanges("d", 0, List.of(change("a", 1))));
    // Queued back to back: the first conflicts (id taken), so the second, which assumed it,
    // must not leave a gap.
    CompletableFuture<Void> first = store.saveChanges("d", 1, List.of(change("a", 2)));
    CompletableFuture<Void> second = store.saveChanges("d", 2, List.of(change("c", 3)));
    assertThat(failure(first)).isInstanceOf(DuplicateChangeIdException.class);
    assertThat(failure(second)).isInstanceOf(RevConflictException.class);
    assertThat(store.currentRev("d")).isEqualTo(1);
  }

  @Test
  public void saveChanges_emptyList_writesNothing() {
    await(store.saveChanges("d", List.of()));

    assertThat(store.currentRev("d")).isZero();
  }

  @Test
  public void saveChanges_nonPositiveRev_failsWith400AndWritesNothing() {
    Throwable error = failure(store.saveChanges("d", List.of(change("a", 1), change("b", 0))));

    assertThat(error).isInstanceOf(PatchbayException.class);
    assertThat(((PatchbayException) error).code()).isEqualTo(400);
    assertThat(store.currentRev("d")).isZero();
  }

  @Test
  public void saveChanges_revTaken_failsWithRevConflictAndWritesNothingOfTheBatch() {
    await(store.saveChanges("d", List.of(change("a", 1), change("b", 2))));

    Throwable error = failure(store.saveChanges("d", List.of(change("c", 3), change("x", 2))));

    assertThat(error).isInstanceOf(RevConflictException.class);
    RevConflictException conflict = (RevConflictException) error;
    assertThat(conflict.code()).isEqualTo(409);
    assertThat(conflict.docId()).isEqualTo("d");
    assertThat(conflict.revs()).containsExactly(2L);
    assertThat(store.currentRev("d")).isEqualTo(2);
    assertThat(store.findChanges("d", List.of("c", "x"))).isEmpty();
    assertThat(ids(store.listChanges("d", 0))).containsExactly("a", "b");
  }

  @Test
  public void saveChanges_revRepeatedInBatch_failsWithRevConflict() {
    Throwable error = failure(store.saveChanges("d", List.of(change("a", 1), change("b", 1))));

    assertThat(error).isInstanceOf(RevConflictException.class);
    assertThat(((RevConflictException) error).revs()).containsExactly(1L);
    assertThat(store.currentRev("d")).isZero();
  }

  @Test
  public void saveChanges_idCommitted_failsWithDuplicateIdsAndWritesNothingOfTheBatch() {
    await(store.saveChanges("d", List.of(change("a", 1), change("b", 2))));

    // A rebased re-send: new revisions, ids already committed.
    Throwable error =
        failure(store.saveChanges("d", List.of(change("n", 3), change("b", 4), change("a", 5))));

    assertThat(error).isInstanceOf(DuplicateChangeIdException.class);
    DuplicateChangeIdException duplicate = (DuplicateChangeIdException) error;
    assertThat(duplicate.code()).isEqualTo(409);
    assertThat(duplicate.docId()).isEqualTo("d");
    assertThat(duplicate.ids()).containsExactly("b", "a");
    assertThat(store.currentRev("d")).isEqualTo(2);
    assertThat(store.findChanges("d", List.of("n"))).isEmpty();
  }

  @Test
  public void saveChanges_idRepeatedInBatch_failsWithDuplicateIds() {
    Throwable error = failure(store.saveChanges("d", List.of(change("a", 1), change("a", 2))));

    assertThat(error).isInstanceOf(DuplicateChangeIdException.class);
    assertThat(((DuplicateChangeIdException) error).ids()).containsExactly("a");
    assertThat(store.currentRev("d")).isZero();
  }

  @Test
  public void saveChanges_idAndRevBothTaken_reportsTheDuplicateIds() {
    await(store.saveChanges("d", List.of(change("a", 1))));

    Throwable error = failure(store.saveChanges("d", List.of(change("a", 1))));

    assertThat(error).isInstanceOf(DuplicateChangeIdException.class);
  }

  @Test
  public void saveChanges_sameIdInAnotherDoc_isAllowed() {
    await(store.saveChanges("d1", List.of(change("a", 1))));
    await(store.saveChanges("d2", List.of(change("a", 1))));

    assertThat(store.findChanges("d2", List.of("a"))).containsOnlyKeys("a");
  }

  @Test
  public void findChanges_mixedIds_returnsOnlyCommittedCopies() {
    Change a = change("a", 1);
    Change b = change("b", 2);
    await(store.saveChanges("d", List.of(a, b)));

    Map<String, Change> found = store.findChanges("d", List.of("b", "zz", "a"));

    assertThat(found).containsOnlyKeys("a", "b");
    assertSameChanges(List.of(found.get("a"), found.get("b")), List.of(a, b));
    assertThat(store.findChanges("d", List.of())).isEmpty();
  }

  @Test
  public void findChanges_manyIds_findsAll() {
    List<Change> changes = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int rev = 1; rev <= 1200; rev++) {
      changes.add(change("id" + rev, rev));
      ids.add("id" + rev);
    }
    await(store.saveChanges("d", changes));

    assertThat(store.findChanges("d", ids)).hasSize(1200);
    Throwable error = failure(store.saveChanges("d", List.of(change("id1100", 1201))));
    assertThat(((DuplicateChangeIdException) error).ids()).containsExactly("id1100");
  }

  // Versions.

  @Test
  public void createVersion_thenLoad_roundTripsMetadataAndState() {
    VersionMetadata version =
        VersionMetadata.fromJson(
            Json.parse(
                """
                {"id":"0VbeOup6joYdn4Fg","name":"Draft","parentId":"0VbeOup6joYdn4Ff",
                 "groupId":"g1","origin":"offline-branch","isOffline":true,
                 "startedAt":1799999000000,"endedAt":1799999500000,"startRev":3,"endRev":7,
                 "branchName":"b","beforeRestored":true,"app":{"tags":["x"]}}
                """));
    JsonNode state = Json.parse("{\"title\":\"Hi\",\"items\":[1,{\"a\":null}]}");

    await(store.createVersion("d", version, state));

    VersionMetadata loaded = store.loadVersion("d", "0VbeOup6joYdn4Fg");
    assertThat(loaded).isNotNull();
    assertJson(loaded.toJson(), version.toJson());
    assertJson(store.loadVersionState("d", "0VbeOup6joYdn4Fg"), state);
    assertThat(store.loadVersion("other", "0VbeOup6joYdn4Fg")).isNull();
    assertThat(store.loadVersion("d", "missing")).isNull();
    assertThat(store.loadVersionState("d", "missing")).isNull();
  }

  @Test
  public void createVersion_nullState_isKept() {
    await(
        store.createVersion("d", version("v", VersionOrigin.MAIN, 1, 0, 0), Json.NODES.nullNode()));

    JsonNode state = store.loadVersionState("d", "v");
    assertThat(state).isNotNull();
    assertThat(state.isNull()).isTrue();
  }

  @Test
  public void createVersion_duplicateId_failsWith409AndKeepsTheFirst() {
    await(store.createVersion("d", version("v", VersionOrigin.MAIN, 1, 1, 5), Json.parse("{}")));

    Throwable error =
        failure(
            store.createVersion(
                "d", version("v", VersionOrigin.BRANCH, 2, 6, 9), Json.parse("{\"x\":1}")));

    assertThat(error).isInstanceOf(PatchbayException.class);
    assertThat(((PatchbayException) error).code()).isEqualTo(409);
    assertThat(store.loadVersion("d", "v").origin()).isEqualTo(VersionOrigin.MAIN);
    assertJson(store.loadVersionState("d", "v"), Json.parse("{}"));
  }

  @Test
  public void listVersions_orderBy_sortsByThatField() {
    saveFiveVersions();

    assertThat(versionIds(VersionQuery.orderBy(VersionOrder.STARTED_AT)))
        .containsExactly("b", "d", "c", "e", "a");
    assertThat(versionIds(VersionQuery.orderBy(VersionOrder.END_REV)))
        .containsExactly("a", "b", "c", "d", "e");
    assertThat(versionIds(VersionQuery.orderBy(VersionOrder.START_REV)))
        .containsExactly("a", "e", "b", "c", "d");
    assertThat(versionIds(VersionQuery.orderBy(VersionOrder.STARTED_AT).reversed()))
        .containsExactly("a", "e", "c", "d", "b");
    assertThat(store.listVersions("other", VersionQuery.orderBy(VersionOrder.END_REV))).isEmpty();
  }

  @Test
  public void listVersions_cursors_areRelativeToTheSortOrder() {
    saveFiveVersions();
    VersionQuery byEnd = VersionQuery.orderBy(VersionOrder.END_REV);

    assertThat(versionIds(byEnd.startAfter(20))).containsExactly("c", "d", "e");
    assertThat(versionIds(byEnd.endBefore(30))).containsExactly("a", "b");
    assertThat(versionIds(byEnd.startAfter(10).endBefore(40))).containsExactly("b", "c");
    assertThat(versionIds(byEnd.reversed().startAfter(30))).containsExactly("b", "a");
    assertThat(versionIds(byEnd.reversed().endBefore(20))).containsExactly("e", "d", "c");
    assertThat(versionIds(byEnd.reversed().startAfter(40).endBefore(10))).containsExactly("c", "b");
    assertThat(versionIds(VersionQuery.orderBy(VersionOrder.STARTED_AT).startAfter(250)))
        .containsExactly("c", "e", "a");
  }

  @Test
  public void listVersions_filtersAndLimit_combine() {
    saveFiveVersions();
    VersionQuery byEnd = VersionQuery.orderBy(VersionOrder.END_REV);

    assertThat(versionIds(byEnd.limit(2))).containsExactly("a", "b");
    assertThat(versionIds(byEnd.reversed().limit(2))).containsExactly("e", "d");
    assertThat(versionIds(byEnd.origin(VersionOrigin.MAIN))).containsExactly("a", "c");
    assertThat(versionIds(byEnd.groupId("g1"))).containsExactly("b", "d");
    assertThat(versionIds(byEnd.groupId("g2").origin(VersionOrigin.BRANCH))).containsExactly("e");
    assertThat(versionIds(byEnd.groupId("g2").origin(VersionOrigin.MAIN))).isEmpty();
    assertThat(
            versionIds(
                VersionQuery.orderBy(VersionOrder.STARTED_AT)
                    .reversed()
                    .origin(VersionOrigin.OFFLINE_BRANCH)
                    .limit(1)))
        .containsExactly("d");
    assertThat(versionIds(byEnd.startAfter(10).origin(VersionOrigin.OFFLINE_BRANCH).limit(1)))
        .containsExactly("b");
  }

  @Test
  public void listVersions_equalSortValues_areOrderedById() {
    for (String id : List.of("v2", "v3", "v1")) {
      await(
          store.createVersion(
              "d", VersionMetadata.of(id, VersionOrigin.MAIN, 100, 100, 1, 1), Json.object()));
    }

    assertThat(versionIds(VersionQuery.orderBy(VersionOrder.STARTED_AT)))
        .containsExactly("v1", "v2", "v3");
    assertThat(versionIds(VersionQuery.orderBy(VersionOrder.STARTED_AT).reversed()))
        .containsExactly("v3", "v2", "v1");
  }

  @Test
  public void updateVersion_existing_changesOnlyTheEditableMembers() {
    VersionMetadata original =
        version("v", VersionOrigin.MAIN, 100, 1, 4)
            .withName("old")
            .withGroup("g", false)
            .withMetadata(Map.of("keep", Json.parse("1"), "over", Json.parse("\"x\"")));
    await(store.createVersion("d", original, Json.parse("{\"s\":1}")));

    boolean updated =
        await(
            store.updateVersion(
                "d",
                "v",
                new VersionUpdate(
                    "new", true, Map.of("over", Json.parse("[2]"), "added", Json.parse("true")))));

    assertThat(updated).isTrue();
    VersionMetadata loaded = store.loadVersion("d", "v");
    assertJson(
        loaded.toJson(),
        original
            .withName("new")
            .withGroup("g", true)
            .withMetadata(
                Map.of(
                    "keep",
                    Json.parse("1"),
                    "over",
                    Json.parse("[2]"),
                    "added",
                    Json.parse("true")))
            .toJson());
    assertThat(versionIds(VersionQuery.orderBy(VersionOrder.END_REV))).containsExactly("v");
    assertThat(store.listVersions("d", VersionQuery.orderBy(VersionOrder.END_REV)).get(0).name())
        .isEqualTo("new");
    assertJson(store.loadVersionState("d", "v"), Json.parse("{\"s\":1}"));
  }

  @Test
  public void updateVersion_nameOnly_keepsTheRest() {
    VersionMetadata original =
        version("v", VersionOrigin.MAIN, 100, 1, 4).withMetadata(Map.of("k", Json.parse("1")));
    await(store.createVersion("d", original, Json.object()));

    assertThat(await(store.updateVersion("d", "v", VersionUpdate.rename("n")))).isTrue();

    assertJson(store.loadVersion("d", "v").toJson(), original.withName("n").toJson());
  }

  @Test
  public void updateVersion_missing_returnsFalse() {
    assertThat(await(store.updateVersion("d", "nope", VersionUpdate.rename("n")))).isFalse();
    assertThat(store.loadVersion("d", "nope")).isNull();
  }

  @Test
  public void latestMainVersion_picksTheNewestMainAtOrBelowTheRevision() {
    saveFiveVersions();

    assertThat(store.latestMainVersion("d", Long.MAX_VALUE).id()).isEqualTo("c");
    assertThat(store.latestMainVersion("d", 35).id()).isEqualTo("c");
    assertThat(store.latestMainVersion("d", 30).id()).isEqualTo("c");
    assertThat(store.latestMainVersion("d", 29).id()).isEqualTo("a");
    assertThat(store.latestMainVersion("d", 9)).isNull();
    assertThat(store.latestMainVersion("other", 100)).isNull();

    await(store.createVersion("d", version("c2", VersionOrigin.MAIN, 600, 25, 30), Json.object()));
    assertThat(store.latestMainVersion("d", 30).id()).isEqualTo("c2");
  }

  // Last-write-wins documents.

  @Test
  public void loadLww_unknownDoc_isEmpty() {
    assertThat(store.loadLww("nope")).isEqualTo(LwwState.EMPTY);
    assertThat(store.lwwRev("nope")).isZero();
    assertThat(store.listLwwOps("nope", 0)).isEmpty();
    assertThat(store.seenLwwChangeIds("nope", List.of("a"))).isEmpty();
  }

  @Test
  public void saveLwwOps_eachWrite_incrementsTheRevAndStampsTheOps() {
    assertThat(await(store.saveLwwOps("d", LwwWrite.of(List.of(lww("/a", 1, 10)))))).isEqualTo(1);
    assertThat(await(store.saveLwwOps("d", LwwWrite.of(List.of(lww("/b", 2, 20)))))).isEqualTo(2);
    assertThat(await(store.saveLwwOps("d", LwwWrite.of(List.of())))).isEqualTo(3);

    LwwState state = store.loadLww("d");
    assertThat(state.rev()).isEqualTo(3);
    assertThat(state.snapshot()).isNull();
    assertOps(state.ops(), "/a@1", "/b@2");
    assertThat(state.ops().get(0).ts()).isEqualTo(10L);
    assertJson(state.ops().get(0).value(), Json.parse("1"));
    assertThat(store.lwwRev("d")).isEqualTo(3);
    assertThat(store.currentRev("d")).isZero();
  }

  @Test
  public void saveLwwOps_everyMemberOfAnOp_isKept() {
    PatchOp op =
        PatchOp.fromJson(
            Json.parse(
                "{\"op\":\"@max\",\"path\":\"/m/x~1y\",\"value\":{\"n\":[1.5,\"é\"]},"
                    + "\"soft\":true,\"ts\":123,\"rev\":99}"));

    await(store.saveLwwOps("d", LwwWrite.of(List.of(op))));

    PatchOp stored = store.loadLww("d").ops().get(0);
    assertJson(stored.toJson(), op.withRev(1L).toJson());
  }

  @Test
  public void saveLwwOps_samePath_replacesTheRow() {
    await(store.saveLwwOps("d", LwwWrite.of(List.of(lww("/a", 1, 10)))));
    await(store.saveLwwOps("d", LwwWrite.of(List.of(lww("/a", 2, 20)))));

    LwwState state = store.loadLww("d");
    assertOps(state.ops(), "/a@2");
    assertJson(state.ops().get(0).value(), Json.parse("2"));
  }

  @Test
  public void saveLwwOps_parentPath_removesTheRowsUnderIt() {
    await(
        store.saveLwwOps(
            "d",
            LwwWrite.of(
                List.of(
                    lww("/a/b", 1, 1), lww("/a/c/d", 1, 1), lww("/ab", 1, 1), lww("/b", 1, 1)))));

    await(store.saveLwwOps("d", LwwWrite.of(List.of(lww("/a", 9, 5)))));

    assertOps(store.loadLww("d").ops(), "/ab@1", "/b@1", "/a@2");
  }

  @Test
  public void saveLwwOps_pathsToDelete_removeRowsAtAndUnderEachPathOnly() {
    await(
        store.saveLwwOps(
            "d",
            LwwWrite.of(
                List.of(
                    lww("/x", 1, 1),
                    lww("/x/y", 1, 1),
                    lww("/x/y/z", 1, 1),
                    lww("/xy", 1, 1),
                    lww("/x~1y", 1, 1),
                    lww("/z", 1, 1),
                    lww("/q/r", 1, 1)))));

    long rev = await(store.saveLwwOps("d", LwwWrite.of(List.of()).deleting(List.of("/x", "/q"))));

    assertThat(rev).isEqualTo(2);
    assertOps(store.loadLww("d").ops(), "/xy@1", "/x~1y@1", "/z@1");
  }

  @Test
  public void saveLwwOps_rootPathToDelete_removesEveryRow() {
    await(store.saveLwwOps("d", LwwWrite.of(List.of(lww("/a", 1, 1), lww("/b/c", 1, 1)))));

    await(store.saveLwwOps("d", LwwWrite.of(List.of()).deleting(List.of(""))));

    assertThat(store.loadLww("d").ops()).isEmpty();
    assertThat(store.lwwRev("d")).isEqualTo(2);
  }

  @Test
  public void saveLwwOps_deletesComeBeforeOpsAndOpsApplyInOrder() {
    await(store.saveLwwOps("d", LwwWrite.of(List.of(lww("/a", 1, 1), lww("/k/old", 1, 1)))));

    await(
        store.saveLwwOps(
            "d",
            LwwWrite.of(List.of(lww("/a/b", 2, 2), lww("/k/new", 2, 2), lww("/k", 3, 3)))
                .deleting(List.of("/a"))));

    assertOps(store.loadLww("d").ops(), "/a/b@2", "/k@2");
  }

  @Test
  public void saveLwwOps_parentThenOlderChildInOneWrite_keepsBothParentFirst() {
    // The engine stores the parent a write creates (an empty object, ts 0, or a restored removal
    // with its old ts) in the same write as the value below it, whose ts may be newer or older.
    await(
        store.saveLwwOps(
            "d",
            LwwWrite.of(
                List.of(
                    new PatchOp("replace", "/p", null, Json.object(), false, 50L, null),
                    lww("/p/k", 1, 10),
                    lww("/p/q/r", 2, 5),
                    lww("/z", 3, 20)))));

    assertOps(store.loadLww("d").ops(), "/z@1", "/p@1", "/p/k@1", "/p/q/r@1");
    assertOps(store.listLwwOps("d", 0), "/z@1", "/p@1", "/p/k@1", "/p/q/r@1");
  }

  @Test
  public void saveLwwOps_invalidPath_isRefusedWith400AndWritesNothing() {
    // An LwwWrite validates its paths when it is made, so no store ever sees a bad pointer.
    assertThatThrownBy(() -> LwwWrite.of(List.of(lww("/ok", 1, 1), lww("bad", 1, 1))))
        .isInstanceOfSatisfying(PatchbayException.class, e -> assertThat(e.code()).isEqualTo(400));
    assertThat(store.loadLww("d")).isEqualTo(LwwState.EMPTY);
  }

  @Test
  public void listLwwOps_afterRev_returnsLaterRowsInCommitOrder() {
    await(store.saveLwwOps("d", LwwWrite.of(List.of(lww("/a", 1, 50)))));
    await(store.saveLwwOps("d", LwwWrite.of(List.of(lww("/c", 1, 30), lww("/b", 1, 10)))));
    await(
        store.saveLwwOps(
            "d",
            LwwWrite.of(
                List.of(
                    lww("/e", 1, 5),
                    new PatchOp("replace", "/f", null, Json.parse("1"), false, null, null),
                    lww("/d", 1, 5)))));

    assertOps(store.listLwwOps("d", 1), "/b@2", "/c@2", "/f@3", "/d@3", "/e@3");
    assertOps(store.listLwwOps("d", 2), "/f@3", "/d@3", "/e@3");
    assertThat(store.listLwwOps("d", 3)).isEmpty();
    assertOps(store.loadLww("d").ops(), "/a@1", "/b@2", "/c@2", "/f@3", "/d@3", "/e@3");
  }

  @Test
  public void seenLwwChangeIds_rememberedUntilTheirExpiry() {
    long expiry = clock.millis() + 1000;
    await(
        store.saveLwwOps(
            "d", LwwWrite.of(List.of(lww("/a", 1, 1))).remembering(Set.of("c1", "c2"), expiry)));

    assertThat(store.seenLwwChangeIds("d", List.of("c1", "c3", "c2")))
        .containsExactlyInAnyOrder("c1", "c2");
    assertThat(store.seenLwwChangeIds("other", List.of("c1"))).isEmpty();

    clock.advance(Duration.ofMillis(999));
    assertThat(store.seenLwwChangeIds("d", List.of("c1"))).containsExactly("c1");
    clock.advance(Duration.ofMillis(1));
    assertThat(store.seenLwwChangeIds("d", List.of("c1", "c2"))).isEmpty();

    await(
        store.saveLwwOps(
            "d", LwwWrite.of(List.of()).remembering(Set.of("c3"), clock.millis() + 10)));
    assertThat(store.seenLwwChangeIds("d", List.of("c1", "c2", "c3"))).containsExactly("c3");
  }

  @Test
  public void saveLwwSnapshot_isLoadedAndRaisesTheRevOnly() {
    await(store.saveLwwOps("d", LwwWrite.of(List.of(lww("/a", 1, 1)))));

    await(store.saveLwwSnapshot("d", Json.parse("{\"a\":1,\"s\":true}"), 5));

    LwwState state = store.loadLww("d");
    assertThat(state.rev()).isEqualTo(5);
    assertThat(state.snapshot()).isNotNull();
    assertThat(state.snapshot().rev()).isEqualTo(5);
    assertJson(state.snapshot().state(), Json.parse("{\"a\":1,\"s\":true}"));
    assertOps(state.ops(), "/a@1");
    assertThat(await(store.saveLwwOps("d", LwwWrite.of(List.of(lww("/b", 1, 1)))))).isEqualTo(6);

    await(store.saveLwwSnapshot("d", Json.parse("{}"), 3));
    assertThat(store.lwwRev("d")).isEqualTo(6);
    assertThat(store.loadLww("d").snapshot().rev()).isEqualTo(3);
  }

  // Tombstones and deletion.

  @Test
  public void tombstone_createGetReplaceRemove() {
    assertThat(store.getTombstone("d")).isNull();
    Tombstone first = new Tombstone("d", 1000, 7, "client-1", null);

    await(store.createTombstone(first));
    assertThat(store.getTombstone("d")).isEqualTo(first);
    assertThat(store.getTombstone("other")).isNull();

    Tombstone second = new Tombstone("d", 2000, 9, null, clock.millis() + 5000);
    await(store.createTombstone(second));
    assertThat(store.getTombstone("d")).isEqualTo(second);

    assertThat(await(store.removeTombstone("d"))).isTrue();
    assertThat(store.getTombstone("d")).isNull();
    assertThat(await(store.removeTombstone("d"))).isFalse();
  }

  @Test
  public void tombstone_expired_readsAsAbsent() {
    await(store.createTombstone(new Tombstone("d", 1000, 7, null, clock.millis() + 60_000)));
    await(store.createTombstone(new Tombstone("forever", 1000, 7, null, null)));

    clock.advance(Duration.ofMillis(59_999));
    assertThat(store.getTombstone("d")).isNotNull();
    clock.advance(Duration.ofMillis(1));
    assertThat(store.getTombstone("d")).isNull();
    clock.advance(Duration.ofDays(10_000));
    assertThat(store.getTombstone("forever")).isNotNull();
  }

  @Test
  public void deleteDoc_removesAllDataOfThatDocOnly() {
    fillDoc("d");
    fillDoc("keep");
    await(store.createTombstone(new Tombstone("d", 1000, 2, null, null)));

    await(store.deleteDoc("d"));

    assertThat(store.currentRev("d")).isZero();
    assertThat(store.listChanges("d", 0)).isEmpty();
    assertThat(store.findChanges("d", List.of("a"))).isEmpty();
    assertThat(store.listVersions("d", VersionQuery.orderBy(VersionOrder.END_REV))).isEmpty();
    assertThat(store.loadVersion("d", "v1")).isNull();
    assertThat(store.loadVersionState("d", "v1")).isNull();
    assertThat(store.latestMainVersion("d", Long.MAX_VALUE)).isNull();
    assertThat(store.loadLww("d")).isEqualTo(LwwState.EMPTY);
    assertThat(store.seenLwwChangeIds("d", List.of("l1"))).isEmpty();
    assertThat(store.getTombstone("d")).isNotNull();

    assertThat(store.currentRev("keep")).isEqualTo(2);
    assertThat(store.loadVersion("keep", "v1")).isNotNull();
    assertThat(store.loadVersionState("keep", "v1")).isNotNull();
    assertThat(store.lwwRev("keep")).isEqualTo(2);
    assertThat(store.loadLww("keep").snapshot()).isNotNull();
    assertThat(store.seenLwwChangeIds("keep", List.of("l1"))).containsExactly("l1");
  }

  @Test
  public void deleteDoc_thenWriteAgain_startsFresh() {
    fillDoc("d");

    await(store.deleteDoc("d"));
    await(store.saveChanges("d", List.of(change("a", 1))));
    await(store.createVersion("d", version("v1", VersionOrigin.MAIN, 1, 1, 1), Json.object()));

    assertThat(store.currentRev("d")).isEqualTo(1);
    assertThat(await(store.saveLwwOps("d", LwwWrite.of(List.of())))).isEqualTo(1);
  }

  @Test
  public void deleteDoc_unknownDoc_succeeds() {
    await(store.deleteDoc("nope"));

    assertThat(store.currentRev("nope")).isZero();
  }

  @Test
  public void close_thenUse_failsWith503() {
    await(store.saveChanges("d", List.of(change("a", 1))));

    store.close();
    store.close();

    Throwable error = failure(store.saveChanges("d", List.of(change("b", 2))));
    assertThat(error).isInstanceOf(PatchbayException.class);
    assertThat(((PatchbayException) error).code()).isEqualTo(503);
    assertThat(((PatchbayException) failure(store.saveLwwOps("d", LwwWrite.of(List.of())))).code())
        .isEqualTo(503);
    assertThatThrownBy(() -> store.currentRev("d"))
        .isInstanceOfSatisfying(PatchbayException.class, e -> assertThat(e.code()).isEqualTo(503));
  }

  // Concurrency.

  @Test
  public void concurrentWriters_manyDocs_loseAndDuplicateNothing() throws Exception {
    int threads = 4;
    int docsPerThread = 5;
    int changesPerDoc = 8;
    runConcurrently(
        threads,
        t -> {
          for (int n = 1; n <= changesPerDoc; n++) {
            for (int doc = 0; doc < docsPerThread; doc++) {
              String docId = "doc-" + t + "-" + doc;
              await(store.saveChanges(docId, List.of(change(docId + "-" + n, n))));
            }
          }
        });

    for (int t = 0; t < threads; t++) {
      for (int doc = 0; doc < docsPerThread; doc++) {
        String docId = "doc-" + t + "-" + doc;
        List<Change> log = store.listChanges(docId, 0);
        assertThat(revs(log)).containsExactlyElementsOf(revRange(changesPerDoc));
        assertThat(ids(log)).doesNotHaveDuplicates().allMatch(id -> id.startsWith(docId + "-"));
      }
    }
  }

  @Test
  public void concurrentWriters_oneDocFollowingTheProtocol_produceDenseRevisions()
      throws Exception {
    int threads = 4;
    int changesPerThread = 15;
    runConcurrently(
        threads,
        t -> {
          for (int n = 0; n < changesPerThread; n++) {
            String id = "w" + t + "-" + n;
            while (true) {
              long rev = store.currentRev("d") + 1;
              try {
                await(store.saveChanges("d", List.of(change(id, rev))));
                break;
              } catch (CompletionException e) {
                if (!(e.getCause() instanceof RevConflictException)) {
                  throw e;
                }
              }
            }
          }
        });

    List<Change> log = store.listChanges("d", 0);
    assertThat(revs(log)).containsExactlyElementsOf(revRange(threads * changesPerThread));
    assertThat(ids(log)).doesNotHaveDuplicates().hasSize(threads * changesPerThread);
    assertThat(store.currentRev("d")).isEqualTo(threads * changesPerThread);
  }

  @Test
  public void concurrentResends_sameChangeId_commitExactlyOnce() throws Exception {
    int threads = 6;
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    runConcurrently(
        threads,
        t -> {
          Throwable error = failureOrNull(store.saveChanges("d", List.of(change("same", t + 1))));
          if (error != null) {
            failures.add(error);
          }
        });

    assertThat(store.listChanges("d", 0)).hasSize(1);
    assertThat(failures)
        .hasSize(threads - 1)
        .allMatch(e -> e instanceof DuplicateChangeIdException);
  }

  @Test
  public void concurrentLwwWriters_oneDoc_getDistinctDenseRevisions() throws Exception {
    int threads = 4;
    int writesPerThread = 15;
    Set<Long> revs = Collections.synchronizedSet(new HashSet<>());
    runConcurrently(
        threads,
        t -> {
          for (int n = 0; n < writesPerThread; n++) {
            long rev =
                await(store.saveLwwOps("d", LwwWrite.of(List.of(lww("/t" + t + "/" + n, n, n)))));
            assertThat(revs.add(rev)).as("revision %s returned twice", rev).isTrue();
          }
        });

    int total = threads * writesPerThread;
    assertThat(revs).containsExactlyInAnyOrderElementsOf(revRange(total));
    LwwState state = store.loadLww("d");
    assertThat(state.rev()).isEqualTo(total);
    assertThat(state.ops()).hasSize(total);
    assertThat(state.ops().stream().map(PatchOp::rev).collect(Collectors.toSet()))
        .containsExactlyInAnyOrderElementsOf(revRange(total));
  }

  // Helpers for subclasses and the tests above.

  /** Returns a committed change with one op, {@code baseRev = rev - 1} and some metadata. */
  protected static Change change(String id, long rev) {
    return new Change(
        id,
        rev - 1,
        rev,
        List.of(PatchOp.replace("/r" + rev, Json.parse("{\"v\":" + rev + "}"))),
        1_799_000_000_000L + rev,
        1_800_000_000_000L + rev,
        null,
        "client",
        Map.of("note", Json.parse("\"n" + rev + "\"")));
  }

  /** Returns a last-write-wins {@code replace} op with a numeric value and a timestamp. */
  protected static PatchOp lww(String path, int value, long ts) {
    return new PatchOp("replace", path, null, Json.number(value), false, ts, null);
  }

  /** Returns a version without name, parent, group or extras. */
  protected static VersionMetadata version(
      String id, VersionOrigin origin, long startedAt, long startRev, long endRev) {
    return VersionMetadata.of(id, origin, startedAt, startedAt + 10, startRev, endRev);
  }

  /** Waits for a future and returns its value; fails the test when it fails or times out. */
  protected static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new CompletionException(e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("future did not complete within " + TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Waits for a future that must fail and returns its failure. */
  protected static Throwable failure(CompletableFuture<?> future) {
    Throwable error = failureOrNull(future);
    if (error == null) {
      fail("expected the write to fail, but it succeeded");
    }
    return error;
  }

  /** Waits for a future and returns its failure, or {@code null} when it succeeded. */
  protected static @Nullable Throwable failureOrNull(CompletableFuture<?> future) {
    try {
      await(future);
      return null;
    } catch (CompletionException e) {
      return e.getCause();
    }
  }

  /** Asserts that two lists of changes are equal member by member, JSON values by value. */
  protected static void assertSameChanges(List<Change> actual, List<Change> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertJson(actual.get(i).toJson(), expected.get(i).toJson());
    }
  }

  /** Asserts that two JSON trees are equal by value (numbers by value, keys in any order). */
  protected static void assertJson(@Nullable JsonNode actual, @Nullable JsonNode expected) {
    assertThat(Json.equal(actual, expected))
        .as(
            "expected %s but was %s",
            expected == null ? "null" : Json.write(expected),
            actual == null ? "null" : Json.write(actual))
        .isTrue();
  }

  /** Returns the ids of changes, in order. */
  protected static List<String> ids(List<Change> changes) {
    return changes.stream().map(Change::id).toList();
  }

  /** Returns the revisions of changes, in order. */
  protected static List<Long> revs(List<Change> changes) {
    return changes.stream().map(Change::rev).toList();
  }

  /** Runs {@code body(threadIndex)} on {@code threads} threads released together. */
  protected static void runConcurrently(int threads, ThreadBody body) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Void>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int index = t;
        Callable<Void> task =
            () -> {
              start.await();
              body.run(index);
              return null;
            };
        done.add(pool.submit(task));
      }
      start.countDown();
      for (Future<Void> future : done) {
        future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** The work of one thread in {@link #runConcurrently}. */
  @FunctionalInterface
  protected interface ThreadBody {
    /** Runs the work of thread number {@code index}. */
    void run(int index) throws Exception;
  }

  private static List<Long> revRange(int count) {
    return LongStream.rangeClosed(1, count).boxed().toList();
  }

  private List<String> versionIds(VersionQuery query) {
    return store.listVersions("d", query).stream().map(VersionMetadata::id).toList();
  }

  /** Asserts rows as {@code path@rev}, in the given order. */
  private static void assertOps(List<PatchOp> ops, String... expected) {
    assertThat(ops.stream().map(op -> op.path() + "@" + op.rev()).toList())
        .containsExactly(expected);
  }

  private void saveFiveVersions() {
    Map<String, VersionMetadata> versions = new LinkedHashMap<>();
    versions.put("a", version("a", VersionOrigin.MAIN, 500, 1, 10));
    versions.put(
        "b", version("b", VersionOrigin.OFFLINE_BRANCH, 100, 11, 20).withGroup("g1", true));
    versions.put("c", version("c", VersionOrigin.MAIN, 300, 21, 30));
    versions.put(
        "d", version("d", VersionOrigin.OFFLINE_BRANCH, 200, 31, 40).withGroup("g1", true));
    versions.put("e", version("e", VersionOrigin.BRANCH, 400, 5, 50).withGroup("g2", false));
    for (VersionMetadata v : versions.values()) {
      await(store.createVersion("d", v, Json.parse("{\"at\":" + v.endRev() + "}")));
    }
  }

  private void fillDoc(String docId) {
    await(store.saveChanges(docId, List.of(change("a", 1), change("b", 2))));
    await(store.createVersion(docId, version("v1", VersionOrigin.MAIN, 1, 1, 2), Json.object()));
    await(
        store.saveLwwOps(
            docId,
            LwwWrite.of(List.of(lww("/x", 1, 1)))
                .remembering(Set.of("l1"), clock.millis() + 60_000)));
    await(store.saveLwwSnapshot(docId, Json.parse("{\"x\":1}"), 2));
  }
}
