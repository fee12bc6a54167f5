package dev.patchbay.server.collections;

import dev.patchbay.core.json.Json;
import dev.patchbay.server.spi.CollectionRecord;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The JSON shapes both dialects and the HTTP contract share. */
final class Wire {
  private Wire() {}

  /**
   * A record as the HTTP pull answers it: {@code {recordId, data, updatedAt, version}}, plus {@code
   * deleted} for a tombstone and {@code changeId} when the write that made it carried one (so a
   * device recognises its own write whose answer it never got).
   */
  static ObjectNode record(CollectionRecord r, RecordQuery.@Nullable Projection projection) {
    ObjectNode o = Json.object();
    o.put("recordId", r.recordId());
    o.set("data", projection == null ? r.data() : projection.apply(r.data()));
    o.put("updatedAt", Timestamps.format(r.updatedAt()));
    o.put("version", r.version());
    if (r.deleted()) {
      o.put("deleted", true);
    }
    if (r.changeId() != null) {
      o.put("changeId", r.changeId());
    }
    return o;
  }

  /** A record as the SyncLayer {@code sync} snapshot carries it ({@code id}, not recordId). */
  static ObjectNode snapshotRecord(CollectionRecord r) {
    ObjectNode o = Json.object();
    o.put("id", r.recordId());
    o.set("data", r.data());
    o.put("version", r.version());
    o.put("updatedAt", Timestamps.format(r.updatedAt()));
    if (r.deleted()) {
      o.put("deleted", true);
    }
    return o;
  }

  /**
   * The SyncLayer envelope of a stored record: {@code insert} for a first version, {@code delete}
   * for a tombstone, otherwise {@code update}. The data is always the whole record ({@code
   * metadata.patch} false), so a receiver that replaces its copy never loses fields.
   */
  static ObjectNode syncLayerChange(CollectionRecord r, boolean conflict) {
    return syncLayerChange(r, conflict, null);
  }

  /**
   * The same, with the change id of the write that made this version ({@code metadata.changeId}): a
   * device that sent the write over HTTP recognises its own change coming back.
   */
  static ObjectNode syncLayerChange(
      CollectionRecord r, boolean conflict, @Nullable String changeId) {
    ObjectNode o = Json.object();
    o.put("type", r.deleted() ? "delete" : r.version() == 1 ? "insert" : "update");
    o.put("collection", r.collection());
    o.put("recordId", r.recordId());
    if (!r.deleted()) {
      o.set("data", r.data());
    }
    o.put("timestamp", Timestamps.format(r.updatedAt()));
    ObjectNode meta = o.putObject("metadata");
    meta.put("version", r.version());
    if (r.updatedBy() != null) {
      meta.put("userId", r.updatedBy());
    }
    meta.put("patch", false);
    meta.put("seq", r.seq()); // the feed position: a receiver knows whether it missed one
    if (changeId != null) {
      meta.put("changeId", changeId);
    }
    if (conflict) {
      meta.put("conflict", true);
    }
    return o;
  }

  /** The Paperlyte note a record is: its data, with {@code id} and {@code version} set. */
  static ObjectNode note(CollectionRecord r) {
    ObjectNode note = ((ObjectNode) r.data()).deepCopy();
    note.put("id", r.recordId());
    note.put("version", r.version());
    if (!note.has("updatedAt")) {
      note.put("updatedAt", Timestamps.format(r.updatedAt()));
    }
    return note;
  }

  /** The Paperlyte event of a stored record: {@code note_updated} or {@code note_deleted}. */
  static ObjectNode notesChange(CollectionRecord r, boolean conflict, long now) {
    ObjectNode payload = Json.object();
    String type;
    if (r.deleted()) {
      type = "note_deleted";
      payload.put("noteId", r.recordId());
    } else {
      type = "note_updated";
      payload.set("note", note(r));
    }
    if (r.updatedBy() != null) {
      payload.put("userId", r.updatedBy());
    }
    if (conflict) {
      payload.put("conflict", true);
    }
    return notesMessage(type, payload, now);
  }

  /** The Paperlyte envelope {@code {type, payload, timestamp}}. */
  static ObjectNode notesMessage(String type, JsonNode payload, long now) {
    ObjectNode o = Json.object();
    o.put("type", type);
    o.set("payload", payload);
    o.put("timestamp", Timestamps.format(now));
    return o;
  }

  /** A JSON error body: {@code {error, code}}. */
  static String error(String code, String message) {
    ObjectNode o = Json.object();
    o.put("error", message);
    o.put("code", code);
    return Json.write(o);
  }

  static byte[] bytes(JsonNode node) {
    return Json.write(node).getBytes(StandardCharsets.UTF_8);
  }
}
