package dev.patchbay.server.store;

import dev.patchbay.server.spi.DocStore;
import java.time.Clock;

/** Factories of the stores that ship with the server. */
public final class DocStores {
  private DocStores() {}

  /**
   * Returns a new, empty in-memory store on the system clock: nothing survives the process. Every
   * write completes at once; the uniqueness rules are those of every store.
   */
  public static DocStore inMemory() {
    return inMemory(Clock.systemUTC());
  }

  /**
   * Returns a new, empty in-memory store that judges expiry (tombstones, seen change ids) by {@code
   * clock}.
   */
  public static DocStore inMemory(Clock clock) {
    return new MemoryDocStore(clock);
  }
}
