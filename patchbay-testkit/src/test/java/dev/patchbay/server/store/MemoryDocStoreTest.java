package dev.patchbay.server.store;

import dev.patchbay.server.spi.DocStore;
import dev.patchbay.testkit.DocStoreContract;
import java.time.Clock;

/**
 * Runs the store contract against the in-memory store. It lives in the testkit's tests because the
 * testkit depends on the server module, so the server module cannot depend back on it.
 */
class MemoryDocStoreTest extends DocStoreContract {

  @Override
  protected DocStore createStore(Clock clock) {
    return DocStores.inMemory(clock);
  }
}
