package dev.patchbay.collections.client;

import dev.patchbay.core.json.Json;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * SyncLayer's six preset resolvers. Each starts from the remote record and overrides the listed
 * fields, so fields not named come from the server.
 */
public final class ConflictResolvers {
  private ConflictResolvers() {}

  /** The union of the local and remote arrays in the listed fields (remote order, then local). */
  public static ConflictResolver mergeArrays(List<String> fields) {
    List<String> names = List.copyOf(fields);
    return (local, remote, lt, rt) -> {
      ObjectNode out = remote.deepCopy();
      for (String f : names) {
        JsonNode l = local.get(f);
        JsonNode r = remote.get(f);
        if (l != null && l.isArray() && r != null && r.isArray()) {
          out.set(f, union(r, l));
        } else if (r == null && l != null) {
          out.set(f, l.deepCopy());
        }
      }
      return out;
    };
  }

  /** The sum of the local and remote numbers in the listed fields. */
  public static ConflictResolver sumNumbers(List<String> fields) {
    List<String> names = List.copyOf(fields);
    return (local, remote, lt, rt) -> {
      ObjectNode out = remote.deepCopy();
      for (String f : names) {
        JsonNode l = local.get(f);
        JsonNode r = remote.get(f);
        if (l != null && l.isNumber() && r != null && r.isNumber()) {
          out.set(f, sum(l, r));
        }
      }
      return out;
    };
  }

  /** The listed fields from the local record, the rest from the remote one. */
  public static ConflictResolver mergeFields(List<String> fields) {
    List<String> names = List.copyOf(fields);
    return (local, remote, lt, rt) -> {
      ObjectNode out = remote.deepCopy();
      for (String f : names) {
        JsonNode l = local.get(f);
        if (l != null) {
          out.set(f, l.deepCopy());
        }
      }
      return out;
    };
  }

  /** The larger of the local and remote numbers in the listed fields. */
  public static ConflictResolver maxValue(List<String> fields) {
    List<String> names = List.copyOf(fields);
    return (local, remote, lt, rt) -> {
      ObjectNode out = remote.deepCopy();
      for (String f : names) {
        JsonNode l = local.get(f);
        JsonNode r = remote.get(f);
        if (l != null && l.isNumber() && (r == null || !r.isNumber() || Values.compare(l, r) > 0)) {
          out.set(f, l.deepCopy());
        }
      }
      return out;
    };
  }

  /**
   * Per field, the side whose {@code <field>_updatedAt} (an ISO-8601 instant) is newer, a tie to
   * remote; fields without timestamps on both sides follow the whole record's last-write-wins.
   */
  public static ConflictResolver fieldLevelLastWriteWins() {
    return (local, remote, localTime, remoteTime) -> {
      ObjectNode base = localTime.isAfter(remoteTime) ? local : remote;
      ObjectNode out = base.deepCopy();
      Set<String> names = new LinkedHashSet<>();
      local.propertyNames().forEach(names::add);
      remote.propertyNames().forEach(names::add);
      for (String f : names) {
        if (f.endsWith("_updatedAt")) {
          continue;
        }
        Instant l = instant(local.get(f + "_updatedAt"));
        Instant r = instant(remote.get(f + "_updatedAt"));
        if (l == null || r == null) {
          continue;
        }
        ObjectNode winner = l.isAfter(r) ? local : remote;
        copy(winner, out, f);
        copy(winner, out, f + "_updatedAt");
      }
      return out;
    };
  }

  /**
   * A recursive merge: objects merge key by key, arrays are united (remote elements, then local
   * ones not already there), and on any other clash the remote value wins.
   */
  public static ConflictResolver deepMerge() {
    return (local, remote, lt, rt) -> (ObjectNode) merge(local, remote);
  }

  private static JsonNode merge(JsonNode local, JsonNode remote) {
    if (local.isObject() && remote.isObject()) {
      ObjectNode out = ((ObjectNode) local).deepCopy();
      for (Map.Entry<String, JsonNode> e : remote.properties()) {
        JsonNode l = local.get(e.getKey());
        out.set(e.getKey(), l == null ? e.getValue().deepCopy() : merge(l, e.getValue()));
      }
      return out;
    }
    if (local.isArray() && remote.isArray()) {
      return union(remote, local);
    }
    return remote.deepCopy();
  }

  private static ArrayNode union(JsonNode first, JsonNode second) {
    ArrayNode out = Json.array();
    for (JsonNode source : List.of(first, second)) {
      for (JsonNode item : source) {
        boolean seen = false;
        for (JsonNode kept : out) {
          if (Json.equal(kept, item)) {
            seen = true;
            break;
          }
        }
        if (!seen) {
          out.add(item.deepCopy());
        }
      }
    }
    return out;
  }

  private static JsonNode sum(JsonNode a, JsonNode b) {
    if (a.isIntegralNumber()
        && b.isIntegralNumber()
        && a.canConvertToLong()
        && b.canConvertToLong()) {
      return Json.NODES.numberNode(a.longValue() + b.longValue());
    }
    return Json.number(a.doubleValue() + b.doubleValue());
  }

  private static void copy(ObjectNode from, ObjectNode to, String field) {
    JsonNode v = from.get(field);
    if (v == null) {
      to.remove(field);
    } else {
      to.set(field, v.deepCopy());
    }
  }

  private static @Nullable Instant instant(@Nullable JsonNode node) {
    if (node == null || !node.isString()) {
      return null;
    }
    try {
      return Instant.parse(node.stringValue());
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
