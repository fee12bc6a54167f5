package dev.patchbay.server.spi;

import dev.patchbay.core.PatchbayException;

/** The field {@link VersionStore#listVersions} sorts by, with its wire name. */
public enum VersionOrder {
  /** By {@link VersionMetadata#startedAt()}. */
  STARTED_AT("startedAt"),
  /** By {@link VersionMetadata#endRev()}. */
  END_REV("endRev"),
  /** By {@link VersionMetadata#startRev()}. */
  START_REV("startRev");

  private final String wire;

  VersionOrder(String wire) {
    this.wire = wire;
  }

  /** Returns the wire name, for example {@code "endRev"}. */
  public String wire() {
    return wire;
  }

  /** Returns the value of this sort field in {@code version}. */
  public long sortKey(VersionMetadata version) {
    return switch (this) {
      case STARTED_AT -> version.startedAt();
      case END_REV -> version.endRev();
      case START_REV -> version.startRev();
    };
  }

  /**
   * Returns the order with the given wire name.
   *
   * @throws PatchbayException with code 400 for an unknown name
   */
  public static VersionOrder fromWire(String name) {
    for (VersionOrder order : values()) {
      if (order.wire.equals(name)) {
        return order;
      }
    }
    throw new PatchbayException(400, "Unknown version order: " + name);
  }
}
