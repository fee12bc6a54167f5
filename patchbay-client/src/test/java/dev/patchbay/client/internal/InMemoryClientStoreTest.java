package dev.patchbay.client.internal;

import dev.patchbay.client.spi.ClientStore;
import dev.patchbay.client.spi.ClientStoreContract;

class InMemoryClientStoreTest extends ClientStoreContract {
  @Override
  protected ClientStore newStore() {
    return new InMemoryClientStore();
  }
}
