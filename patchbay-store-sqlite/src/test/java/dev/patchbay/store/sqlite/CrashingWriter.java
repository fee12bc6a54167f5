package dev.patchbay.store.sqlite;

import dev.patchbay.server.spi.DocStore;
import java.nio.file.Path;
import java.util.List;

/**
 * A process for {@link SqliteStoreFileTest}: writes changes one by one and prints {@code ACK n}
 * after each acknowledged write, until the test kills it with SIGKILL. Never closes the store.
 */
public final class CrashingWriter {
  private CrashingWriter() {}

  /** Arguments: the data directory and the number of changes to write at most. */
  public static void main(String[] args) throws Exception {
    DocStore store = SqliteStores.builder(Path.of(args[0])).open();
    int max = Integer.parseInt(args[1]);
    for (int rev = 1; rev <= max; rev++) {
      store.saveChanges("crash", List.of(Fixtures.change("k" + rev, rev))).join();
      System.out.println("ACK " + rev);
      System.out.flush();
    }
    // Wait to be killed rather than exit cleanly.
    Thread.currentThread().join();
  }
}
