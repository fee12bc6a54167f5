package dev.patchbay.client.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The seeded convergence fuzz ({@link ConvergenceFuzz}) over in-memory client stores, per build:
 * 500 seeds of concurrent editing on loaded documents, and 100 seeds where client 0 creates the
 * documents while the others connect, edit and fail at random. {@code -Dpatchbay.fuzz.seeds=N} runs
 * N seeds of each instead, {@code -Dpatchbay.fuzz.first=S} starts at seed S (to explore beyond the
 * build's range).
 *
 * <p>Edits include {@code /-} appends. The Patches reference documents them as not
 * index-transformable (shared/protocol/patches.md §4.2), and the real-socket test this fuzz
 * replaces diverged about once in forty runs with them; that divergence came from the lost-answer
 * bug pinned below, not from appends: with it fixed, 900 seeds with appends converged. Client and
 * server run the same transform walk, so an append's ambiguity can change where an item lands,
 * never whether the replicas agree.
 */
class ConvergenceFuzzTest {
  // -Dpatchbay.fuzz.lwwNested=false leaves the nested last-write-wins edits out (to replay a seed
  // as it ran before they were on).
  private static final ConvergenceFuzz.Options OPTIONS =
      ConvergenceFuzz.Options.defaults(ConvergenceFuzz::inMemoryStores)
          .withLwwNested(
              Boolean.parseBoolean(System.getProperty("patchbay.fuzz.lwwNested", "true")));

  /** The options the nested last-write-wins seeds were found with: the default run. */
  private static final ConvergenceFuzz.Options NESTED_FOUND_WITH =
      ConvergenceFuzz.Options.defaults(ConvergenceFuzz::inMemoryStores);

  /** The options the pinned seeds were found with: 120 steps, no {@code /-} appends, no LWW. */
  private static final ConvergenceFuzz.Options FOUND_WITH =
      OPTIONS.withAppends(false).withSteps(120).withLww(false);

  static LongStream seeds() {
    return range(500);
  }

  static LongStream fraySeeds() {
    return range(100);
  }

  private static LongStream range(long defaultCount) {
    long first = Long.getLong("patchbay.fuzz.first", 1);
    long count = Long.getLong("patchbay.fuzz.seeds", defaultCount);
    return LongStream.range(first, first + count);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomRun_seed_everyReplicaEqualsTheServer(long seed) {
    ConvergenceFuzz.run(seed, OPTIONS);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("fraySeeds")
  void randomRunCreatingTheDocuments_seed_everyReplicaEqualsTheServer(long seed) {
    ConvergenceFuzz.run(seed, OPTIONS.withLoadFirst(false));
  }

  @Test
  void thirtySeeds_together_exerciseEveryActionAndReachManyRevisions() {
    Map<String, Integer> actions = new TreeMap<>();
    Map<String, Long> revisions = new TreeMap<>();
    Set<Integer> clientCounts = new TreeSet<>();
    for (long seed = 1; seed <= 30; seed++) {
      ConvergenceFuzz.Summary summary = ConvergenceFuzz.run(seed, OPTIONS);
      summary.actions().forEach((kind, n) -> actions.merge(kind, n, Integer::sum));
      summary.serverRevs().forEach((doc, rev) -> revisions.merge(doc, rev, Long::sum));
      clientCounts.add(summary.clients());
    }

    assertThat(actions)
        .containsKeys(
            "edit",
            "deliver to server",
            "deliver to client",
            "overtake",
            "burst",
            "drop connection",
            "lose answer",
            "duplicate request",
            "go offline or online",
            "restart",
            "time passes",
            "time jumps");
    assertThat(actions.get("lose answer")).isGreaterThan(10);
    assertThat(actions.get("restart")).isGreaterThan(10);
    assertThat(clientCounts).containsExactly(2, 3, 4, 5);
    assertThat(revisions).as("committed revisions over 30 seeds").containsKeys("a", "b", "lww-1");
    assertThat(revisions.values()).allMatch(rev -> rev > 30 * 5);
  }

  // Seeds that failed, pinned with the bug they found. They replay their run exactly as long as
  // the harness draws its random numbers the same way; the focused test named beside each fix
  // keeps the bug covered when it does not.

  /**
   * A client's answer was lost; on its next connection it re-sent its queue, and the server matched
   * its own committed head only on the same connection, so it transformed the tail over the head a
   * second time (fixed in {@code Engine}; {@code PatchesProtocolEndToEndTest
   * .resendOnNewConnectionAfterLostAnswer_tailIsNotTransformedOverItsOwnHead}).
   */
  @Test
  void seed6_resendOnNewConnectionAfterLostAnswer_converges() {
    ConvergenceFuzz.run(6, FOUND_WITH.withBursts(false));
  }

  /**
   * A client with a small payload limit flushed a long offline queue in several batches while
   * others edited; the later batches went out as split before the first answer, unrebased, and the
   * server placed their edits wrongly or dropped them (fixed in {@code PatchesSync.flush}; {@code
   * PatchesSyncConnectionTest
   * .maxPayloadBytes_flushInTwoBatches_sendsTheSecondRebasedOverTheFirstAnswer}).
   */
  @Test
  void seed20_flushInManyBatchesWhileOthersEdit_converges() {
    ConvergenceFuzz.run(20, FOUND_WITH.withBursts(false));
  }

  /**
   * The document's creator lost the answer to its first upload and re-sent it with later edits on
   * base 0; the server took it for a stranger's upload (asked for a reload, then refused the rest
   * with 409) and the creator's edits stayed pending for good (fixed in {@code Engine}: an upload
   * holding the document's first change is the creator's own, resumed; {@code
   * PatchesProtocolEndToEndTest
   * .creatingUploadResentWithLaterEdits_resumesOnBaseZeroAndTransformsOverOthers}).
   */
  @Test
  void seed2_creatorResendsItsFirstUploadWithLaterEdits_converges() {
    ConvergenceFuzz.run(2, FOUND_WITH.withLoadFirst(false));
  }

  /**
   * A client's {@code getDoc} answer arrived after the same revision had come as a notification and
   * the user had edited on it; loading the stale snapshot rebased the edits over that revision a
   * second time and dropped them (fixed in {@code PatchesSync.reload}; {@code
   * PatchesSyncConnectionTest.staleGetDocAnswer_afterTheSameRevisionArrived_keepsEditsMadeMeanwhile}).
   */
  @Test
  void seed45_staleSnapshotAfterNotification_keepsEdits() {
    ConvergenceFuzz.run(45, FOUND_WITH.withLoadFirst(false));
  }

  /**
   * Client 0 removed {@code /obj}, then offline client 3 wrote {@code /obj/k0} again; the server
   * deleted the removal row for the child, so client 3, catching up from before the removal, kept a
   * sibling key the server no longer had (fixed in {@code Consolidator}: the removal becomes an
   * empty-object row; {@code LwwRowsTest
   * .catchUp_parentRemovedThenAChildWrittenAgain_dropsTheOldChildrenAsAFreshLoadDoes}).
   */
  @Test
  void seed12_childWrittenUnderARemovedParent_catchUpLearnsOfTheRemoval() {
    ConvergenceFuzz.run(12, NESTED_FOUND_WITH);
  }

  /**
   * {@code /obj} existed only because a child was written into it; once the child was removed, the
   * server's rows built a state without {@code /obj} while clients that applied the child kept
   * {@code {}} (fixed in {@code Consolidator}: a commit stores such parents as empty-object rows;
   * {@code LwwRowsTest
   * .catchUp_parentCreatedByAChildThenTheChildRemoved_keepsTheEmptyParentAsAFreshLoadDoes}).
   */
  @Test
  void seed35_parentCreatedByAChildWhoseWriteIsRemoved_converges() {
    ConvergenceFuzz.run(35, NESTED_FOUND_WITH);
  }

  /** As seed 12: a removed parent's other children outlived the removal on a catching-up client. */
  @Test
  void seed55_childWrittenUnderARemovedParent_converges() {
    ConvergenceFuzz.run(55, NESTED_FOUND_WITH);
  }

  /** As seed 35: an implicitly created parent stayed {@code {}} on one side only. */
  @Test
  void seed62_parentCreatedByAChildWhoseWriteIsRemoved_converges() {
    ConvergenceFuzz.run(62, NESTED_FOUND_WITH);
  }
}
