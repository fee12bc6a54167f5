package dev.patchbay.server.spi;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A version of a document: a snapshot of its state at {@code endRev} plus the grouping of the
 * changes {@code startRev..endRev} into one history entry. Wire form {@code {id, name?, parentId?,
 * groupId?, origin, isOffline?, startedAt, endedAt, startRev, endRev, …metadata}}; members this
 * model does not name ({@code branchName}, {@code beforeRestored}, application data) are kept
 * verbatim in {@link #metadata()}. Instances are immutable and can be shared between threads.
 *
 * @param id the version id, unique per document (a 16-character id that sorts by creation time)
 * @param name a user-given name, or {@code null}
 * @param parentId the previous version in the history graph, or {@code null} for a root
 * @param groupId links the versions of one offline session or branch, or {@code null}
 * @param origin how the version was created
 * @param offline whether it was created from offline edits ({@code isOffline} on the wire)
 * @param startedAt time of the first change, in milliseconds
 * @param endedAt time of the last change, in milliseconds
 * @param startRev revision of the first change
 * @param endRev revision of the last change; the stored state is the state at this revision
 * @param metadata every other member, kept verbatim
 */
public record VersionMetadata(
    String id,
    @Nullable String name,
    @Nullable String parentId,
    @Nullable String groupId,
    VersionOrigin origin,
    boolean offline,
    long startedAt,
    long endedAt,
    long startRev,
    long endRev,
    Map<String, JsonNode> metadata) {

  /**
   * Returns whether {@code member} is one of the wire members this record models with a field of
   * its own ({@code id}, {@code name}, {@code origin}, the revisions and times, …), as opposed to
   * free metadata.
   */
  public static boolean isNamedMember(String member) {
    return NAMED.contains(member);
  }

  /** The members with a field of their own; never keys of {@link #metadata()}. */
  static final Set<String> NAMED =
      Set.of(
          "id",
          "name",
          "parentId",
          "groupId",
          "origin",
          "isOffline",
          "startedAt",
          "endedAt",
          "startRev",
          "endRev");

  /** Validates the id, the revisions and the metadata keys, and copies the metadata. */
  public VersionMetadata {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(origin, "origin");
    if (id.isEmpty()) {
      throw new IllegalArgumentException("version id must not be empty");
    }
    if (startRev < 0 || endRev < 0) {
      throw new IllegalArgumentException("revisions must not be negative");
    }
    metadata = copyMetadata(metadata);
  }

  /** Returns a version without name, parent, group or extra metadata. */
  public static VersionMetadata of(
      String id, VersionOrigin origin, long startedAt, long endedAt, long startRev, long endRev) {
    return new VersionMetadata(
        id, null, null, null, origin, false, startedAt, endedAt, startRev, endRev, Map.of());
  }

  /** Returns this version with another name. */
  public VersionMetadata withName(@Nullable String newName) {
    return new VersionMetadata(
        id, newName, parentId, groupId, origin, offline, startedAt, endedAt, startRev, endRev,
        metadata);
  }

  /** Returns this version with another parent. */
  public VersionMetadata withParentId(@Nullable String newParentId) {
    return new VersionMetadata(
        id,
        name,
        newParentId,
        groupId,
        origin,
        offline,
        startedAt,
        endedAt,
        startRev,
        endRev,
        metadata);
  }

  /** Returns this version with another group and offline flag. */
  public VersionMetadata withGroup(@Nullable String newGroupId, boolean newOffline) {
    return new VersionMetadata(
        id,
        name,
        parentId,
        newGroupId,
        origin,
        newOffline,
        startedAt,
        endedAt,
        startRev,
        endRev,
        metadata);
  }

  /** Returns this version with other extra metadata. */
  public VersionMetadata withMetadata(Map<String, JsonNode> newMetadata) {
    return new VersionMetadata(
        id,
        name,
        parentId,
        groupId,
        origin,
        offline,
        startedAt,
        endedAt,
        startRev,
        endRev,
        newMetadata);
  }

  /**
   * Returns this version with an update applied: the name replaced when the update has one, the
   * offline flag replaced when the update has one, and the update's metadata members merged over
   * this version's.
   */
  public VersionMetadata apply(VersionUpdate update) {
    Map<String, JsonNode> merged = new LinkedHashMap<>(metadata);
    merged.putAll(update.metadata());
    return new VersionMetadata(
        id,
        update.name() != null ? update.name() : name,
        parentId,
        groupId,
        origin,
        update.offline() != null ? update.offline() : offline,
        startedAt,
        endedAt,
        startRev,
        endRev,
        merged);
  }

  /** Returns the wire form of this version. */
  public ObjectNode toJson() {
    ObjectNode node = Json.object();
    node.put("id", id);
    if (name != null) {
      node.put("name", name);
    }
    if (parentId != null) {
      node.put("parentId", parentId);
    }
    if (groupId != null) {
      node.put("groupId", groupId);
    }
    node.put("origin", origin.wire());
    if (offline) {
      node.put("isOffline", true);
    }
    node.put("startedAt", startedAt);
    node.put("endedAt", endedAt);
    node.put("startRev", startRev);
    node.put("endRev", endRev);
    for (Map.Entry<String, JsonNode> e : metadata.entrySet()) {
      node.set(e.getKey(), e.getValue());
    }
    return node;
  }

  /**
   * Reads a version from its wire form.
   *
   * @throws PatchbayException with code 400 when a required member is missing or has the wrong type
   */
  public static VersionMetadata fromJson(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new PatchbayException(400, "Invalid version: expected an object");
    }
    String id = string(node, "id");
    String origin = string(node, "origin");
    if (id == null || id.isEmpty() || origin == null) {
      throw new PatchbayException(400, "Invalid version: id and origin are required");
    }
    JsonNode offline = node.get("isOffline");
    if (offline != null && !offline.isNull() && !offline.isBoolean()) {
      throw new PatchbayException(400, "Invalid version: isOffline must be a boolean");
    }
    Map<String, JsonNode> metadata = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      if (!NAMED.contains(e.getKey())) {
        metadata.put(e.getKey(), e.getValue());
      }
    }
    return new VersionMetadata(
        id,
        string(node, "name"),
        string(node, "parentId"),
        string(node, "groupId"),
        VersionOrigin.fromWire(origin),
        offline != null && offline.booleanValue(),
        number(node, "startedAt"),
        number(node, "endedAt"),
        number(node, "startRev"),
        number(node, "endRev"),
        metadata);
  }

  static Map<String, JsonNode> copyMetadata(Map<String, JsonNode> metadata) {
    if (metadata.isEmpty()) {
      return Map.of();
    }
    for (String key : metadata.keySet()) {
      if (NAMED.contains(key)) {
        throw new IllegalArgumentException("metadata must not hold the named member " + key);
      }
    }
    return Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  private static @Nullable String string(JsonNode node, String name) {
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isString()) {
      throw new PatchbayException(400, "Invalid version: " + name + " must be a string");
    }
    return value.stringValue();
  }

  private static long number(JsonNode node, String name) {
    JsonNode value = node.get(name);
    if (value == null || !value.isNumber()) {
      throw new PatchbayException(400, "Invalid version: " + name + " must be a number");
    }
    return value.longValue();
  }
}
