package dev.patchbay.client.fuzz;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The seeded convergence fuzz ({@link ConvergenceFuzz}) over in-memory client stores: 500 seeds per
 * build. {@code -Dpatchbay.fuzz.seeds=N} runs N seeds instead, {@code -Dpatchbay.fuzz.first=S}
 * starts at seed S (to explore beyond the pinned range).
 */
class ConvergenceFuzzTest {
  private static final ConvergenceFuzz.Options OPTIONS =
      ConvergenceFuzz.Options.defaults(ConvergenceFuzz::inMemoryStores);

  static LongStream seeds() {
    long first = Long.getLong("patchbay.fuzz.first", 1);
    long count = Long.getLong("patchbay.fuzz.seeds", 500);
    return LongStream.range(first, first + count);
  }

  // Seeds that failed, pinned with the bug they found. They replay the run exactly as long as the
  // harness draws its random numbers the same way; the focused tests named beside each fix keep
  // the bug covered when it does not.

  /**
   * A client's answer was lost; on its next connection it re-sent its queue, and the server matched
   * its own committed head only on the same connection, so it transformed the tail over the head a
   * second time (fixed in {@code Engine}; {@code
   * PatchesProtocolEndToEndTest.resendOnNewConnectionAfterLostAnswer_tailIsNotTransformedOverItsOwnHead}).
   */
  @Test
  void seed6_resendOnNewConnectionAfterLostAnswer_converges() {
    ConvergenceFuzz.run(6, OPTIONS);
  }

  /**
   * A client with a small payload limit flushed a long offline queue in several batches while
   * others edited; the later batches went out as split before the first answer, unrebased, and the
   * server placed their edits wrongly or dropped them (fixed in {@code PatchesSync.flush}; {@code
   * PatchesSyncConnectionTest.maxPayloadBytes_flushInTwoBatches_sendsTheSecondRebasedOverTheFirstAnswer}).
   */
  @Test
  void seed20_flushInManyBatchesWhileOthersEdit_converges() {
    ConvergenceFuzz.run(20, OPTIONS);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomRun_seed_everyReplicaEqualsTheServer(long seed) {
    ConvergenceFuzz.run(seed, OPTIONS);
  }
}
