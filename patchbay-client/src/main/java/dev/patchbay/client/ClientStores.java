package dev.patchbay.client;

import dev.patchbay.client.internal.InMemoryClientStore;
import dev.patchbay.client.spi.ClientStore;

/** The client stores Patchbay ships. */
public final class ClientStores {
  private ClientStores() {}

  /** Returns a new, empty store in memory; its contents are lost when the process ends. */
  public static ClientStore inMemory() {
    return new InMemoryClientStore();
  }
}
