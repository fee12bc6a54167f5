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
    store.transaction(
        () -> {
          saveIn(recordId, copy);
          return null;
        });
    client.watchers().changed(name);
    return recordId;
  }

  private void saveIn(String id, ObjectNode data) throws java.sql.SQLException {
    long now = client.now();
    LocalStore.Row row = store.row(name, id);
    OperationType type = row == null ? OperationType.INSERT : OperationType.UPDATE;
    store.put(name, id, data, null, now, false, null);
    store.enqueue(name, id, type, data, now, UUID.randomUUID().toString());
  }

  @Override
  public void update(String id, ObjectNode fields) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(fields, "fields");
    ObjectNode delta = fields.deepCopy();
    store.transaction(
        () -> {
          LocalStore.Row row = store.row(name, id);
          if (row == null || row.deleted()) {
            throw new PatchbayException(
                404, "record '" + id + "' not found in collection '" + name + "'");
          }
          if (delta.isEmpty()) {
            return null;
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
          store.enqueue(name, id, OperationType.PATCH, delta, now, UUID.randomUUID().toString());
          return null;
        });
    client.watchers().changed(name);
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
    store.transaction(
        () -> {
          deleteIn(id);
          return null;
        });
    client.watchers().changed(name);
  }

  private void deleteIn(String id) throws java.sql.SQLException {
    LocalStore.Row row = store.row(name, id);
    if (row == null || row.deleted()) {
      return;
    }
    long now = client.now();
    store.put(name, id, row.data(), null, now, true, null);
    store.enqueue(name, id, OperationType.DELETE, null, now, UUID.randomUUID().toString());
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
    store.transaction(
        () -> {
          for (int i = 0; i < ids.size(); i++) {
            saveIn(ids.get(i), copies.get(i));
          }
          return null;
        });
    client.watchers().changed(name);
    return List.copyOf(ids);
  }

  @Override
  public void deleteAll(List<String> ids) {
    List<String> copy = List.copyOf(ids);
    store.transaction(
        () -> {
          for (String id : copy) {
            deleteIn(id);
          }
          return null;
        });
    client.watchers().changed(name);
  }

  @Override
  public Query query() {
    return new Query(this::getAll, (q, listener) -> client.watchers().watch(name, q, listener));
  }

  @Override
  public @Nullable SyncStatus status(String id) {
    return store.transaction(
        () -> {
          if (store.row(name, id) == null) {
            return null;
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

  static ObjectNode emptyIfNull(@Nullable ObjectNode node) {
    return node == null ? Json.object() : node;
  }
}
