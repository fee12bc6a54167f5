package dev.patchbay.server.collections;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.server.spi.CollectionRecord;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * SyncLayer's pull filters: {@code where[field]=value} equality (dotted paths, ANDed; the value
 * matches a string, number or boolean of the same text), and {@code fields} or {@code
 * excludeFields} (comma-separated top-level fields, one of the two).
 */
final class RecordQuery {
  private final Map<String, String> where;
  private final @Nullable Projection projection;

  /** Keeps or drops top-level fields of a record's data. */
  record Projection(Set<String> fields, boolean include) {
    JsonNode apply(JsonNode data) {
      ObjectNode out = ((ObjectNode) data).deepCopy();
      if (include) {
        out.retain(fields);
      } else {
        out.remove(fields);
      }
      return out;
    }
  }

  private RecordQuery(Map<String, String> where, @Nullable Projection projection) {
    this.where = where;
    this.projection = projection;
  }

  static RecordQuery parse(Map<String, List<String>> params) {
    Map<String, String> where = new LinkedHashMap<>();
    params.forEach(
        (name, values) -> {
          if (name.startsWith("where[") && name.endsWith("]") && !values.isEmpty()) {
            String field = name.substring(6, name.length() - 1);
            if (field.isEmpty()) {
              throw new PatchbayException(400, "where[] needs a field name");
            }
            where.put(field, values.get(0));
          }
        });
    List<String> fields = params.get("fields");
    List<String> exclude = params.get("excludeFields");
    if (fields != null && exclude != null) {
      throw new PatchbayException(400, "fields and excludeFields cannot be combined");
    }
    Projection projection = null;
    if (fields != null) {
      projection = new Projection(split(fields), true);
    } else if (exclude != null) {
      projection = new Projection(split(exclude), false);
    }
    return new RecordQuery(Map.copyOf(where), projection);
  }

  private static Set<String> split(List<String> values) {
    Set<String> out = new LinkedHashSet<>();
    for (String v : values) {
      for (String f : v.split(",")) {
        if (!f.isBlank()) {
          out.add(f.strip());
        }
      }
    }
    return out;
  }

  @Nullable Projection projection() {
    return projection;
  }

  /** Returns whether the record passes the where filter; tombstones always do. */
  boolean matches(CollectionRecord r) {
    if (r.deleted()) {
      return true;
    }
    for (Map.Entry<String, String> e : where.entrySet()) {
      JsonNode node = r.data();
      for (String part : e.getKey().split("\\.")) {
        node = node == null || !node.isObject() ? null : node.get(part);
      }
      if (node == null || !(node.isValueNode()) || node.isNull()) {
        return false;
      }
      String text = node.isString() ? node.stringValue() : node.toString();
      if (!text.equals(e.getValue())) {
        return false;
      }
    }
    return true;
  }
}
