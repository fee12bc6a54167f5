package dev.patchbay.server.spi;

import dev.patchbay.core.PatchbayException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The editable part of a version ({@code updateVersion}): a new name, a new offline flag and extra
 * members to merge. The identity, lineage, origin, times and revisions of a version cannot be
 * edited. Instances are immutable.
 *
 * @param name the new name, or {@code null} to keep the current one
 * @param offline the new offline flag, or {@code null} to keep the current one
 * @param metadata extra members merged over the version's (a JSON null is stored as null)
 */
public record VersionUpdate(
    @Nullable String name, @Nullable Boolean offline, Map<String, JsonNode> metadata) {

  private static final Set<String> FROZEN =
      Set.of(
          "id",
          "parentId",
          "groupId",
          "origin",
          "branchName",
          "startedAt",
          "endedAt",
          "startRev",
          "endRev");

  /** Validates and copies the metadata. */
  public VersionUpdate {
    metadata = VersionMetadata.copyMetadata(metadata);
    for (String key : metadata.keySet()) {
      if (FROZEN.contains(key)) {
        throw new IllegalArgumentException("version member cannot be updated: " + key);
      }
    }
  }

  /** Returns an update that only renames. */
  public static VersionUpdate rename(String name) {
    return new VersionUpdate(name, null, Map.of());
  }

  /**
   * Reads an update from the wire ({@code updateVersion}'s metadata argument).
   *
   * @throws PatchbayException with code 400 when it is not an object, names a member that cannot be
   *     updated, or has a name or isOffline of the wrong type
   */
  public static VersionUpdate fromJson(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new PatchbayException(400, "Invalid version update: expected an object");
    }
    String name = null;
    Boolean offline = null;
    Map<String, JsonNode> metadata = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      String key = e.getKey();
      JsonNode value = e.getValue();
      if (FROZEN.contains(key)) {
        throw new PatchbayException(400, "Invalid version update: " + key + " cannot be changed");
      } else if (key.equals("name")) {
        if (!value.isString()) {
          throw new PatchbayException(400, "Invalid version update: name must be a string");
        }
        name = value.stringValue();
      } else if (key.equals("isOffline")) {
        if (!value.isBoolean()) {
          throw new PatchbayException(400, "Invalid version update: isOffline must be a boolean");
        }
        offline = value.booleanValue();
      } else {
        metadata.put(key, value);
      }
    }
    return new VersionUpdate(name, offline, metadata);
  }
}
