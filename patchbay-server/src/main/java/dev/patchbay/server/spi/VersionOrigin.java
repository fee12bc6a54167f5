package dev.patchbay.server.spi;

import dev.patchbay.core.PatchbayException;

/** How a version came to be, with its wire name. */
public enum VersionOrigin {
  /** A version of the main timeline; cold loads start from the newest one. */
  MAIN("main"),
  /** A version cut from an offline session that was fast-forwarded or transformed in. */
  OFFLINE_BRANCH("offline-branch"),
  /** A version of a branch document. */
  BRANCH("branch");

  private final String wire;

  VersionOrigin(String wire) {
    this.wire = wire;
  }

  /** Returns the wire name, for example {@code "offline-branch"}. */
  public String wire() {
    return wire;
  }

  /**
   * Returns the origin with the given wire name.
   *
   * @throws PatchbayException with code 400 for an unknown name
   */
  public static VersionOrigin fromWire(String name) {
    for (VersionOrigin origin : values()) {
      if (origin.wire.equals(name)) {
        return origin;
      }
    }
    throw new PatchbayException(400, "Unknown version origin: " + name);
  }
}
