package dev.patchbay.core.ot;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.core.patch.PatchOp;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A change: the unit a client commits and the server stores, {@code {id, baseRev, rev, ops,
 * createdAt, committedAt, batchId?, clientId?, …metadata}}.
 *
 * <p>{@code id} is the idempotency key. {@code baseRev} is the committed revision the change was
 * authored on; {@code rev} its revision (provisional on the client, dense and final once the server
 * commits it). {@code committedAt} is 0 while the change is pending. Members this model does not
 * name are kept verbatim in {@link #metadata()} and written back in the JSON form. Instances are
 * immutable and can be shared between threads.
 *
 * <p>A final class rather than a record for one reason: it caches its JSON text ({@link
 * #toJsonString()}), because the server sends a committed change many times (commit answers,
 * catch-ups, every subscriber) and encoding dominated those paths. Equality is by value, as for a
 * record.
 *
 * <p>A change can be made {@linkplain #compact() compact} in place: it then holds its ops only as
 * that encoded JSON and reads them back on each {@link #ops()} call. Its value does not change (it
 * stays equal, with the same JSON); only the parsed form is dropped. The server keeps the last two
 * thousand changes of every loaded document in memory, and a parsed change is some thirty objects
 * where a compact one is four.
 */
public final class Change {
  private static final Set<String> NAMED =
      Set.of("id", "baseRev", "rev", "ops", "createdAt", "committedAt", "batchId", "clientId");

  private final String id;
  private final long baseRev;
  private final long rev;
  // Null in a compact change: read back from jsonBytes on each ops() call. Set to null only after
  // jsonBytes, so a reader that finds it null finds the bytes.
  private volatile @Nullable List<PatchOp> ops;
  private final long createdAt;
  private final long committedAt;
  private final @Nullable String batchId;
  private final @Nullable String clientId;
  private final Map<String, JsonNode> metadata;
  private volatile @Nullable String json;
  private volatile byte @Nullable [] jsonBytes;

  /**
   * Creates a change; makes defensive copies.
   *
   * @param id the client-minted change id, unique per document
   * @param baseRev the committed revision the change was made on
   * @param rev the revision of this change
   * @param ops the JSON Patch operations
   * @param createdAt client time of the edit, in milliseconds (clamped by the server)
   * @param committedAt server time of the commit in milliseconds, 0 while pending
   * @param batchId shared by the changes of one flush that needed several wire batches
   * @param clientId the connection that committed it (stamped by the server)
   * @param metadata every other member, kept verbatim
   */
  public Change(
      String id,
      long baseRev,
      long rev,
      List<PatchOp> ops,
      long createdAt,
      long committedAt,
      @Nullable String batchId,
      @Nullable String clientId,
      Map<String, JsonNode> metadata) {
    this.id = Objects.requireNonNull(id, "id");
    this.baseRev = baseRev;
    this.rev = rev;
    this.ops = List.copyOf(ops);
    this.createdAt = createdAt;
    this.committedAt = committedAt;
    this.batchId = batchId;
    this.clientId = clientId;
    this.metadata =
        metadata.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  /** Returns the client-minted change id, unique per document. */
  public String id() {
    return id;
  }

  /** Returns the committed revision the change was made on. */
  public long baseRev() {
    return baseRev;
  }

  /** Returns the revision of this change. */
  public long rev() {
    return rev;
  }

  /**
   * Returns the JSON Patch operations. A compact change parses them from its JSON on every call and
   * keeps nothing: hold on to the list rather than calling this in a loop.
   */
  public List<PatchOp> ops() {
    List<PatchOp> parsed = ops;
    if (parsed != null) {
      return parsed;
    }
    return parseOps();
  }

  private List<PatchOp> parseOps() {
    byte[] bytes = Objects.requireNonNull(jsonBytes);
    return PatchOp.listFromJson(Json.MAPPER.readTree(bytes).get("ops"));
  }

  /**
   * Undoes {@link #compact()} in place and returns this change: parses its ops once and keeps them,
   * for a compact change about to be read many times. Its value does not change.
   */
  public Change inflate() {
    if (ops == null) {
      ops = parseOps();
    }
    return this;
  }

  /**
   * Makes this change compact in place and returns it: it keeps its value and JSON, but holds its
   * ops only as that JSON (see the class comment). For changes that are kept long and read rarely;
   * nothing new is allocated but the JSON, if it was not encoded yet. Safe while other threads read
   * the change.
   */
  public Change compact() {
    if (ops != null) {
      toJsonBytes();
      ops = null;
      json = null; // a stored change's text: the bytes say the same
    }
    return this;
  }

  /** Returns this change with its ops parsed: itself, unless it is compact. */
  public Change expanded() {
    List<PatchOp> parsed = ops;
    return parsed != null ? this : withOps(ops());
  }

  /** Returns whether this change holds its ops only as JSON (see {@link #compact()}). */
  public boolean isCompact() {
    return ops == null;
  }

  /** Returns the client time of the edit in milliseconds. */
  public long createdAt() {
    return createdAt;
  }

  /** Returns the server time of the commit in milliseconds, 0 while pending. */
  public long committedAt() {
    return committedAt;
  }

  /** Returns the batch id, or {@code null}. */
  public @Nullable String batchId() {
    return batchId;
  }

  /** Returns the committing connection's id, or {@code null}. */
  public @Nullable String clientId() {
    return clientId;
  }

  /** Returns every member this model does not name, verbatim. */
  public Map<String, JsonNode> metadata() {
    return metadata;
  }

  /**
   * Returns the compact JSON text of this change as UTF-8, computed once and then cached: the
   * server splices it into every answer and notification that carries the change. The array is
   * shared; callers must not modify it.
   */
  @SuppressWarnings("ArrayReturn") // shared on purpose: copying it per frame is what it avoids
  public byte[] toJsonBytes() {
    byte[] bytes = jsonBytes;
    if (bytes == null) {
      String text = json;
      bytes = text != null ? text.getBytes(StandardCharsets.UTF_8) : encode();
      jsonBytes = bytes;
    }
    return bytes;
  }

  /**
   * Returns the compact JSON text of this change. The bytes are cached ({@link #toJsonBytes()}),
   * the text is not: it is made anew on each call, except for a change read from its text.
   */
  public String toJsonString() {
    String text = json;
    return text != null ? text : new String(toJsonBytes(), StandardCharsets.UTF_8);
  }

  /**
   * Returns the length of {@link #toJsonString()} in UTF-16 units (what a size limit on the JSON
   * counts) without making the text.
   */
  public int jsonLength() {
    String text = json;
    if (text != null) {
      return text.length();
    }
    int length = 0;
    for (byte b : toJsonBytes()) {
      if ((b & 0xC0) != 0x80) {
        length += (b & 0xF8) == 0xF0 ? 2 : 1; // a four-byte sequence is a surrogate pair
      }
    }
    return length;
  }

  /**
   * Writes the JSON of {@link #toJson()}, member for member, straight to UTF-8 without building the
   * tree first: every committed change is encoded once on the document's thread, and building its
   * tree only to serialize it was most of that cost.
   */
  private byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = Json.MAPPER.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringProperty("id", id);
      g.writeNumberProperty("baseRev", baseRev);
      g.writeNumberProperty("rev", rev);
      g.writeName("ops");
      g.writeStartArray();
      List<PatchOp> list = ops();
      for (int i = 0; i < list.size(); i++) {
        list.get(i).writeJson(g);
      }
      g.writeEndArray();
      g.writeNumberProperty("createdAt", createdAt);
      g.writeNumberProperty("committedAt", committedAt);
      if (batchId != null) {
        g.writeStringProperty("batchId", batchId);
      }
      if (clientId != null) {
        g.writeStringProperty("clientId", clientId);
      }
      for (Map.Entry<String, JsonNode> e : metadata.entrySet()) {
        g.writeName(e.getKey());
        g.writeTree(e.getValue());
      }
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Change c)) {
      return false;
    }
    return baseRev == c.baseRev
        && rev == c.rev
        && createdAt == c.createdAt
        && committedAt == c.committedAt
        && id.equals(c.id)
        && ops().equals(c.ops())
        && Objects.equals(batchId, c.batchId)
        && Objects.equals(clientId, c.clientId)
        && metadata.equals(c.metadata);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        id, baseRev, rev, ops(), createdAt, committedAt, batchId, clientId, metadata);
  }

  @Override
  public String toString() {
    return toJsonString();
  }

  /** Returns a pending change with no batch, origin or metadata. */
  public static Change of(String id, long baseRev, long rev, List<PatchOp> ops, long createdAt) {
    return new Change(id, baseRev, rev, ops, createdAt, 0, null, null, Map.of());
  }

  /** Returns this change with other ops. */
  public Change withOps(List<PatchOp> newOps) {
    return new Change(
        id, baseRev, rev, newOps, createdAt, committedAt, batchId, clientId, metadata);
  }

  /** Returns this change with another base revision and revision. */
  public Change withRevs(long newBaseRev, long newRev) {
    return new Change(
        id, newBaseRev, newRev, ops(), createdAt, committedAt, batchId, clientId, metadata);
  }

  /** Returns this change with another revision. */
  public Change withRev(long newRev) {
    return withRevs(baseRev, newRev);
  }

  /** Returns this change with another base revision. */
  public Change withBaseRev(long newBaseRev) {
    return withRevs(newBaseRev, rev);
  }

  /** Returns this change stamped as committed by the server. */
  public Change committed(
      long newRev, long newCreatedAt, long newCommittedAt, @Nullable String newClientId) {
    return new Change(
        id, baseRev, newRev, ops(), newCreatedAt, newCommittedAt, batchId, newClientId, metadata);
  }

  /** Returns this change with another batch id. */
  public Change withBatchId(@Nullable String newBatchId) {
    return new Change(
        id, baseRev, rev, ops(), createdAt, committedAt, newBatchId, clientId, metadata);
  }

  /**
   * Reads a change a store wrote with {@link #toJsonString()}, keeping {@code text} as its JSON, so
   * sending it again (a catch-up read back from the store) does not encode it a second time.
   *
   * @throws PatchbayException with code 400 when the JSON is not a change
   */
  public static Change fromStoredJson(String text) {
    Change change = fromJson(Json.parse(text));
    change.json = text;
    return change;
  }

  /**
   * Reads a change from its JSON form. Missing revisions and times read as 0.
   *
   * @throws PatchbayException with code 400 when the JSON is not a change
   */
  public static Change fromJson(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new PatchbayException(400, "Invalid change: expected an object");
    }
    JsonNode id = node.get("id");
    if (id == null || !id.isString() || id.stringValue().isEmpty()) {
      throw new PatchbayException(400, "Invalid change: id must be a non-empty string");
    }
    Map<String, JsonNode> metadata = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      if (!NAMED.contains(e.getKey())) {
        metadata.put(e.getKey(), e.getValue());
      }
    }
    return new Change(
        id.stringValue(),
        longMember(node, "baseRev"),
        longMember(node, "rev"),
        PatchOp.listFromJson(node.get("ops")),
        longMember(node, "createdAt"),
        longMember(node, "committedAt"),
        stringMember(node, "batchId"),
        stringMember(node, "clientId"),
        metadata);
  }

  /** Returns the JSON form of this change. */
  public ObjectNode toJson() {
    ObjectNode node = Json.object();
    node.put("id", id);
    node.put("baseRev", baseRev);
    node.put("rev", rev);
    node.set("ops", PatchOp.listToJson(ops()));
    node.put("createdAt", createdAt);
    node.put("committedAt", committedAt);
    if (batchId != null) {
      node.put("batchId", batchId);
    }
    if (clientId != null) {
      node.put("clientId", clientId);
    }
    for (Map.Entry<String, JsonNode> e : metadata.entrySet()) {
      node.set(e.getKey(), e.getValue());
    }
    return node;
  }

  private static long longMember(JsonNode node, String name) {
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      return 0;
    }
    if (!value.isNumber()) {
      throw new PatchbayException(400, "Invalid change: " + name + " must be a number");
    }
    return value.longValue();
  }

  private static @Nullable String stringMember(JsonNode node, String name) {
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isString()) {
      throw new PatchbayException(400, "Invalid change: " + name + " must be a string");
    }
    return value.stringValue();
  }
}
