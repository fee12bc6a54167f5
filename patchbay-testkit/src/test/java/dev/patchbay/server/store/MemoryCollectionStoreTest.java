package dev.patchbay.server.store;

import dev.patchbay.server.spi.DocStore;
import dev.patchbay.testkit.CollectionStoreContract;
import java.time.Clock;

/** Runs the collection store contract against the in-memory store. */
class MemoryCollectionStoreTest extends CollectionStoreContract {

  @Override
  protected DocStore createStore(Clock clock) {
    return DocStores.inMemory(clock);
  }
}
