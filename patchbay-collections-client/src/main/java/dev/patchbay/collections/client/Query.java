package dev.patchbay.collections.client;

import dev.patchbay.core.json.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A query over the local records of one collection, evaluated in memory: conditions joined with
 * AND, then a multi-key sort (nulls last in both directions, ties in insertion order), then {@code
 * offset}, then {@code limit}. Every method returns a new query; instances are immutable and can be
 * shared between threads.
 */
public final class Query {
  private record Condition(String path, Operator op, @Nullable JsonNode value) {}

  private record Sort(String path, boolean descending) {}

  /** Registers a listener of the collection's changes (the client's {@link Watchers}). */
  interface WatchHook {
    Subscription watch(Supplier<List<ObjectNode>> query, Consumer<List<ObjectNode>> listener);
  }

  private final Supplier<List<ObjectNode>> source;
  private final @Nullable WatchHook hook;
  private final List<Condition> conditions;
  private final List<Sort> sorts;
  private final int limit;
  private final int offset;

  Query(Supplier<List<ObjectNode>> source) {
    this(source, null, List.of(), List.of(), 0, 0);
  }

  Query(Supplier<List<ObjectNode>> source, @Nullable WatchHook hook) {
    this(source, hook, List.of(), List.of(), 0, 0);
  }

  private Query(
      Supplier<List<ObjectNode>> source,
      @Nullable WatchHook hook,
      List<Condition> conditions,
      List<Sort> sorts,
      int limit,
      int offset) {
    this.source = source;
    this.hook = hook;
    this.conditions = conditions;
    this.sorts = sorts;
    this.limit = limit;
    this.offset = offset;
  }

  /**
   * Adds a condition, ANDed with the others. {@code path} may use dots for nested fields ({@code
   * user.name}). {@code value} is any value Jackson can turn into JSON (a {@code JsonNode}, String,
   * Number, Boolean, List, Map…). As in SyncLayer, a {@code null} value makes the condition match
   * everything (use {@link Operator#IS_NULL} to test for null), except for {@code IS_NULL} and
   * {@code IS_NOT_NULL}, which ignore the value.
   *
   * @throws IllegalArgumentException when the path is empty or has an empty segment
   */
  public Query where(String path, Operator op, @Nullable Object value) {
    Objects.requireNonNull(op, "op");
    checkPath(path);
    List<Condition> next = new ArrayList<>(conditions);
    next.add(new Condition(path, op, value == null ? null : Json.MAPPER.valueToTree(value)));
    return new Query(source, hook, List.copyOf(next), sorts, limit, offset);
  }

  /** Adds {@code path IS_NULL}: the field is missing or JSON null. */
  public Query isNull(String path) {
    return where(path, Operator.IS_NULL, null);
  }

  /** Adds {@code path IS_NOT_NULL}: the field is present and not JSON null. */
  public Query isNotNull(String path) {
    return where(path, Operator.IS_NOT_NULL, null);
  }

  /** Adds an ascending sort key after the existing ones. */
  public Query orderBy(String path) {
    return orderBy(path, false);
  }

  /** Adds a sort key after the existing ones; records missing the field sort last either way. */
  public Query orderBy(String path, boolean descending) {
    checkPath(path);
    List<Sort> next = new ArrayList<>(sorts);
    next.add(new Sort(path, descending));
    return new Query(source, hook, conditions, List.copyOf(next), limit, offset);
  }

  /**
   * Keeps at most {@code n} records; 0 means no limit.
   *
   * @throws IllegalArgumentException when {@code n} is negative
   */
  public Query limit(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("limit must not be negative: " + n);
    }
    return new Query(source, hook, conditions, sorts, n, offset);
  }

  /**
   * Skips the first {@code n} matching records (after sorting).
   *
   * @throws IllegalArgumentException when {@code n} is negative
   */
  public Query offset(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("offset must not be negative: " + n);
    }
    return new Query(source, hook, conditions, sorts, limit, n);
  }

  /** Runs the query on the local records now; the records are copies the caller may change. */
  public List<ObjectNode> get() {
    List<ObjectNode> matched = new ArrayList<>();
    for (ObjectNode record : source.get()) {
      if (matches(record)) {
        matched.add(record);
      }
    }
    if (!sorts.isEmpty()) {
      matched.sort(comparator()); // List.sort is stable: ties keep insertion order
    }
    int from = Math.min(offset, matched.size());
    int to = limit == 0 ? matched.size() : Math.min(matched.size(), from + limit);
    return List.copyOf(matched.subList(from, to));
  }

  /** Returns the first record of {@link #get()}, or null when nothing matches. */
  public @Nullable ObjectNode first() {
    List<ObjectNode> all = limit(1).get();
    return all.isEmpty() ? null : all.get(0);
  }

  /** Returns the number of records {@link #get()} would return (offset and limit applied). */
  public int count() {
    return get().size();
  }

  /**
   * Calls {@code listener} with the query's result at once, then again after every local or remote
   * change of the collection (changes arriving close together may be delivered once, with the
   * latest state). Listeners run on the client's watch thread, one at a time; an exception thrown
   * by a listener is logged and does not end the subscription.
   *
   * @return closes the subscription
   * @throws IllegalStateException when the query does not come from a client's collection
   */
  public Subscription watch(Consumer<List<ObjectNode>> listener) {
    Objects.requireNonNull(listener, "listener");
    if (hook == null) {
      throw new IllegalStateException("this query is not attached to a collection");
    }
    return hook.watch(this::get, listener);
  }

  boolean matches(JsonNode record) {
    for (Condition c : conditions) {
      if (!test(c, record)) {
        return false;
      }
    }
    return true;
  }

  private static boolean test(Condition c, JsonNode record) {
    JsonNode field = Values.at(record, c.path());
    switch (c.op()) {
      case IS_NULL:
        return field == null;
      case IS_NOT_NULL:
        return field != null;
      default:
        break;
    }
    JsonNode value = c.value();
    if (value == null || value.isNull()) {
      return true; // SyncLayer ignores a null argument
    }
    switch (c.op()) {
      case EQUAL_TO:
        return Values.equal(field, value);
      case NOT_EQUAL_TO:
        return !Values.equal(field, value);
      case GREATER_THAN:
        return field != null && Values.compare(field, value) > 0;
      case GREATER_THAN_OR_EQUAL_TO:
        return field != null && Values.compare(field, value) >= 0;
      case LESS_THAN:
        return field != null && Values.compare(field, value) < 0;
      case LESS_THAN_OR_EQUAL_TO:
        return field != null && Values.compare(field, value) <= 0;
      case STARTS_WITH:
        return field != null && Values.text(field).startsWith(Values.text(value));
      case ENDS_WITH:
        return field != null && Values.text(field).endsWith(Values.text(value));
      case CONTAINS:
        return field != null && Values.text(field).contains(Values.text(value));
      case ARRAY_CONTAINS:
        return field != null && field.isArray() && holds(field, value);
      case ARRAY_CONTAINS_ANY:
        if (field == null || !field.isArray() || !value.isArray()) {
          return false;
        }
        for (JsonNode item : field) {
          if (holds(value, item)) {
            return true;
          }
        }
        return false;
      case IN:
        return value.isArray() && holds(value, field);
      case NOT_IN:
        return value.isArray() && !holds(value, field);
      default:
        throw new IllegalStateException("unhandled operator " + c.op());
    }
  }

  /** Whether the array holds an element equal to {@code item}; a missing item equals JSON null. */
  private static boolean holds(JsonNode array, @Nullable JsonNode item) {
    for (JsonNode element : array) {
      if (item == null ? element.isNull() : Values.equal(element, item)) {
        return true;
      }
    }
    return false;
  }

  private Comparator<JsonNode> comparator() {
    Comparator<JsonNode> result = null;
    for (Sort s : sorts) {
      Comparator<JsonNode> key =
          (a, b) -> {
            JsonNode x = Values.at(a, s.path());
            JsonNode y = Values.at(b, s.path());
            if (x == null || y == null) {
              return x == null ? (y == null ? 0 : 1) : -1; // nulls last in both directions
            }
            int c = Values.compare(x, y);
            return s.descending() ? -c : c;
          };
      result = result == null ? key : result.thenComparing(key);
    }
    return Objects.requireNonNull(result);
  }

  private static void checkPath(String path) {
    Objects.requireNonNull(path, "path");
    if (path.isEmpty() || path.startsWith(".") || path.endsWith(".") || path.contains("..")) {
      throw new IllegalArgumentException("invalid field path: '" + path + "'");
    }
  }
}
