package dev.patchbay.store.sqlite.client;

import dev.patchbay.client.fuzz.ConvergenceFuzz;
import java.nio.file.Path;
import java.util.stream.LongStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The seeded client convergence fuzz with every client on its own SQLite store file: a restart
 * closes the file and the client's next incarnation reopens it, so pending changes made offline
 * survive only through SQLite. Fewer seeds than the in-memory run: every store write is an fsynced
 * transaction. {@code -Dpatchbay.fuzz.sqliteSeeds=N} runs N seeds.
 */
class SqliteConvergenceFuzzTest {
  @TempDir Path dir;

  static LongStream seeds() {
    return LongStream.rangeClosed(1, Long.getLong("patchbay.fuzz.sqliteSeeds", 8));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomRunWithRestarts_sqliteStores_everyReplicaEqualsTheServer(long seed) {
    Path runDir = dir.resolve("seed-" + seed);
    ConvergenceFuzz.run(
        seed,
        ConvergenceFuzz.Options.defaults(
            () -> client -> SqliteClientStores.open(runDir, "client-" + client + ".db")));
  }
}
