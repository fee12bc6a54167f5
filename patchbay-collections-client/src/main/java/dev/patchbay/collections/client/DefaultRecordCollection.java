package dev.patchbay.collections.client;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The local-first CRUD of one collection; every change and its outbox entry in one transaction. */
final class DefaultRecordCollection implements RecordCollection {
  private final String name;
  private final LocalStore store;
  private final DefaultCollectionsClient client;

  DefaultRecordCollection(String name, LocalStore store, DefaultCollectionsClient client) {
    this.name = name;
    this.store = store;
    this.client = client;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String save(ObjectNode data) {
    return save(data, null);
  }

  @Override
  public String save(ObjectNode data, @Nullable String id) {
    Objects.requireNonNull(data, "data");
    String recordId = id == null ? UUID.randomUUID().toString() : checkId(id);
    ObjectNode copy = data.deepCopy();
    OperationType type = store.transaction(() -> saveIn(recordId, copy));
    client.watchers().changed(name);
    queued(recordId, type, null);
    return recordId;
  }

  private OperationType saveIn(String id, ObjectNode data) throws java.sql.SQLException {
    long now = client.now();
    LocalStore.Row row = store.row(name, id);
    OperationType type = row == null ? OperationType.INSERT : OperationType.UPDATE;
    store.put(name, id, data, null, now, false, null);
    store.enqueue(name, id, type, data, now, UUID.randomUUID().toString());
    return type;
  }

  private void queued(String id, OperationType type, @Nullable ObjectNode delta) {
    ObjectNode meta = Json.object();
    meta.put("operationType", type.name());
    if (delta != null) {
      var fields = meta.putArray("fieldsChanged");
      delta.propertyNames().forEach(fields::add);
    }
    client.emit(SyncEventType.OPERATION_QUEUED, name, id, meta, null);
    client.pushSoon();
  }

  @Override
  public void update(String id, ObjectNode fields) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(fields, "fields");
    ObjectNode delta = fields.deepCopy();
    boolean changed =
        store.transaction(
            () -> {
              LocalStore.Row row = store.row(name, id);
              if (row == null || row.deleted()) {
                throw new PatchbayException(
                    404, "record '" + id + "' not found in collection '" + name + "'");
              }
              if (delta.isEmpty()) {
                return false;
              }
              ObjectNode merged = row.data();
              for (Map.Entry<String, JsonNode> e : delta.properties()) {
                if (e.getValue().isNull()) {
                  merged.remove(e.getKey());
                } else {
                  merged.set(e.getKey(), e.getValue());
                }
              }
              long now = client.now();
              store.put(name, id, merged, null, now, false, null);
              store.enqueue(
                  name, id, OperationType.PATCH, delta, now, UUID.randomUUID().toString());
              return true;
            });
    if (changed) {
      client.watchers().changed(name);
      queued(id, OperationType.PATCH, delta);
    }
  }

  @Override
  public @Nullable ObjectNode get(String id) {
    Objects.requireNonNull(id, "id");
    LocalStore.Row row = store.transaction(() -> store.row(name, id));
    return row == null || row.deleted() ? null : row.data();
  }

  @Override
  public List<ObjectNode> getAll() {
    return store.transaction(() -> store.live(name));
  }

  @Override
  public void delete(String id) {
    Objects.requireNonNull(id, "id");
    if (store.transaction(() -> deleteIn(id))) {
      client.watchers().changed(name);
      queued(id, OperationType.DELETE, null);
    }
  }

  private boolean deleteIn(String id) throws java.sql.SQLException {
    LocalStore.Row row = store.row(name, id);
    if (row == null || row.deleted()) {
      return false;
    }
    long now = client.now();
    store.put(name, id, row.data(), null, now, true, null);
    store.enqueue(name, id, OperationType.DELETE, null, now, UUID.randomUUID().toString());
    return true;
  }

  @Override
  public List<String> saveAll(List<ObjectNode> records) {
    List<String> ids = new ArrayList<>(records.size());
    List<ObjectNode> copies = new ArrayList<>(records.size());
    for (ObjectNode r : records) {
      Objects.requireNonNull(r, "record");
      JsonNode given = r.get("id");
      ids.add(
          given != null && given.isString()
              ? checkId(given.stringValue())
              : UUID.randomUUID().toString());
      copies.add(r.deepCopy());
    }
    List<OperationType> types =
        store.transaction(
            () -> {
              List<OperationType> out = new ArrayList<>(ids.size());
              for (int i = 0; i < ids.size(); i++) {
                out.add(saveIn(ids.get(i), copies.get(i)));
              }
              return out;
            });
    client.watchers().changed(name);
    for (int i = 0; i < ids.size(); i++) {
      queued(ids.get(i), types.get(i), null);
    }
    return List.copyOf(ids);
  }

  @Override
  public void deleteAll(List<String> ids) {
    List<String> copy = List.copyOf(ids);
    List<String> deleted =
        store.transaction(
            () -> {
              List<String> out = new ArrayList<>();
              for (String id : copy) {
                if (deleteIn(id)) {
                  out.add(id);
                }
              }
              return out;
            });
    if (!deleted.isEmpty()) {
      client.watchers().changed(name);
    }
    for (String id : deleted) {
      queued(id, OperationType.DELETE, null);
    }
  }

  @Override
  public Query query() {
    return new Query(this::getAll, (q, listener) -> client.watchers().watch(name, q, listener));
  }

  @Override
  public void resolveConflict(String id, @Nullable ObjectNode chosen) {
    Objects.requireNonNull(id, "id");
    client.resolveConflict(name, id, chosen == null ? null : chosen.deepCopy());
  }

  @Override
  public @Nullable SyncStatus status(String id) {
    return store.transaction(
        () -> {
          if (store.row(name, id) == null) {
            return null;
          }
          if (!store.conflicts(name, id).isEmpty()) {
            return SyncStatus.CONFLICT;
          }
          if (store.hasFailedOps(name, id)) {
            return SyncStatus.ERROR;
          }
          return store.hasOps(name, id) ? SyncStatus.PENDING : SyncStatus.SYNCED;
        });
  }

  /** The server's record id rule, checked here so a bad id fails at the call, not at push. */
  static String checkId(String id) {
    if (id.isEmpty() || id.length() > 256) {
      throw new IllegalArgumentException("a record id is 1 to 256 characters: '" + id + "'");
    }
    for (int i = 0; i < id.length(); i++) {
      char ch = id.charAt(i);
      if (ch == '/' || Character.isISOControl(ch)) {
        throw new IllegalArgumentException("a record id holds no '/' or control character");
      }
    }
    return id;
  }
}
