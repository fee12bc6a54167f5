package dev.patchbay.store.sqlite;

import dev.patchbay.server.spi.DocStore;
import dev.patchbay.testkit.CollectionStoreContract;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

/** Runs the collection store contract against the SQLite store, on a fresh file per test. */
class SqliteCollectionStoreTest extends CollectionStoreContract {
  @TempDir Path dataDirectory;

  @Override
  protected DocStore createStore(Clock clock) {
    return SqliteStores.builder(dataDirectory).clock(clock).open();
  }
}
