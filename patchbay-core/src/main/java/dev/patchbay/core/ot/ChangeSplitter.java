package dev.patchbay.core.ot;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.patch.PatchOp;
import dev.patchbay.core.patch.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Splits one change into pieces whose size stays within a budget: by ops first, then a single large
 * {@code @txt} delta into sequential pieces, then a large {@code replace}/{@code add} object value
 * into a structural op plus {@code @txt} ops for the text deltas inside it.
 *
 * <p>Boundaries are chosen from a cheap estimate (one real measurement of the whole change gives a
 * ratio of storage bytes per JSON byte; per-op JSON sizes are computed once), because measuring
 * every candidate boundary with a compressing calculator is quadratic. With a calculator every
 * emitted piece is then measured for real and re-split under a tighter budget when the estimate was
 * optimistic. Without one the estimate is exact arithmetic.
 *
 * <p>The first piece keeps the original change id (retries find the change by it); later pieces get
 * fresh ids and consecutive revisions. One instance serves one input change.
 */
final class ChangeSplitter {
  /** Pieces compress a little worse than the change they came from; aim under the cap. */
  private static final double PIECE_COMPRESSION_MARGIN = 1.1;

  /** How often a piece may be re-split after the estimate proved optimistic. */
  private static final int MAX_VERIFY_PASSES = 3;

  /** Budget tightening per re-split pass, so boundaries actually move. */
  private static final double VERIFY_TIGHTEN = 0.8;

  private final long maxBytes;
  private final @Nullable SizeCalculator calculator;
  private final double maxUnsplittableBytes;
  private final @Nullable String docId;
  private final @Nullable String changeId;
  private final OversizedOp.Budget budget;
  private final @Nullable Consumer<OversizedOp> listener;
  // A re-split walks ops the first pass already reported; reporting them again would double-count.
  private final boolean resplit;

  ChangeSplitter(
      long maxBytes,
      @Nullable SizeCalculator calculator,
      double maxUnsplittableBytes,
      @Nullable String docId,
      @Nullable String changeId,
      OversizedOp.Budget budget,
      @Nullable Consumer<OversizedOp> listener,
      boolean resplit) {
    this.maxBytes = maxBytes;
    this.calculator = calculator;
    this.maxUnsplittableBytes = maxUnsplittableBytes;
    this.docId = docId;
    this.changeId = changeId;
    this.budget = budget;
    this.listener = listener;
    this.resplit = resplit;
  }

  private ChangeSplitter tightened() {
    return new ChangeSplitter(
        (long) Math.floor(maxBytes * VERIFY_TIGHTEN),
        calculator,
        maxUnsplittableBytes,
        docId,
        changeId,
        budget,
        listener,
        true);
  }

  List<Change> split(Change orig) {
    return split(orig, 0, null);
  }

  private List<Change> split(Change orig, int verifyPass, @Nullable Double knownExactSize) {
    double exactSize = knownExactSize != null ? knownExactSize : storageSize(orig);
    if (exactSize <= maxBytes) {
      return List.of(orig);
    }
    Estimator estimator = Estimator.of(orig, exactSize, calculator);
    long envelope = JsonSize.of(orig.withOps(List.of()).toJson());

    List<Change> byOps = new ArrayList<>();
    List<PatchOp> group = new ArrayList<>();
    long groupBytes = 0;
    long rev = orig.rev();

    for (PatchOp op : orig.ops()) {
      long opBytes = JsonSize.of(op.toJson());
      if (!group.isEmpty()
          && estimator.storage(withOpsBytes(envelope, groupBytes + opBytes, group.size() + 1))
              > maxBytes) {
        byOps.add(derive(orig, rev++, group));
        group = new ArrayList<>();
        groupBytes = 0;
      }
      // The estimate decides whether to look closer; a real measurement decides what to do, so
      // reports and refusals always rest on a measured size.
      if (group.isEmpty() && estimator.storage(withOpsBytes(envelope, opBytes, 1)) > maxBytes) {
        double soloSize = storageSize(orig.withOps(List.of(op)));
        if (soloSize > maxBytes) {
          List<Change> pieces = null;
          if (op.op().equals("@txt") && Json.truthy(op.value())) {
            pieces = splitText(orig, op, rev, estimator);
          } else if (op.op().equals("replace") || op.op().equals("add")) {
            pieces = splitLargeValue(orig, op, rev);
          }
          if (pieces != null) {
            byOps.addAll(pieces);
            if (!pieces.isEmpty()) {
              rev = pieces.get(pieces.size() - 1).rev() + 1;
            }
            continue;
          }
          guardUnsplittable(op.op(), op.path(), soloSize, OversizedOp.Reason.OP_TYPE);
        }
      }
      group.add(op);
      groupBytes += opBytes;
    }
    if (!group.isEmpty()) {
      byOps.add(derive(orig, rev, group));
    }
    if (!byOps.isEmpty()) {
      byOps.set(0, withId(byOps.get(0), orig.id()));
    }
    return verify(byOps, orig, verifyPass);
  }

  /** Measures every piece for real and re-splits the ones the estimate left oversized. */
  private List<Change> verify(List<Change> pieces, Change orig, int pass) {
    if (calculator == null || pass >= MAX_VERIFY_PASSES || pieces.isEmpty()) {
      return pieces;
    }
    boolean resplitAny = false;
    List<Change> checked = new ArrayList<>();
    for (Change piece : pieces) {
      double size = piece.ops().isEmpty() ? 0 : storageSize(piece);
      if (size <= maxBytes) {
        checked.add(piece);
        continue;
      }
      resplitAny = true;
      checked.addAll(tightened().split(piece, pass + 1, size));
    }
    if (!resplitAny) {
      return pieces;
    }
    List<Change> renumbered = new ArrayList<>(checked.size());
    for (int i = 0; i < checked.size(); i++) {
      Change piece = checked.get(i).withRev(orig.rev() + i);
      renumbered.add(i == 0 ? withId(piece, orig.id()) : piece);
    }
    return renumbered;
  }

  /**
   * Splits one oversized {@code @txt} op into sequential changes. Each piece composes onto the
   * document the previous pieces produced, so every piece after the first starts with a retain past
   * everything the earlier pieces retained or inserted ({@code pieceStart}); the ops of a piece
   * keep their relative coordinates from there.
   */
  private List<Change> splitText(Change orig, PatchOp textOp, long startRev, Estimator estimator) {
    List<Change> results = new ArrayList<>();
    long rev = startRev;
    List<JsonNode> deltaOps = deltaOps(textOp.value());

    long textEnvelope = JsonSize.of(orig.withOps(List.of(textOp.withValue(Json.array()))).toJson());
    long pieceStart = 0;
    List<JsonNode> pieceOps = new ArrayList<>();
    long pieceAdvance = 0;
    long pieceBytes = 0;

    for (JsonNode op : deltaOps) {
      long opBytes = JsonSize.of(op);
      if (!pieceOps.isEmpty()
          && estimatePiece(
                  estimator, textEnvelope, pieceStart, pieceBytes + opBytes, pieceOps.size() + 1)
              > maxBytes) {
        results.add(
            derive(orig, rev++, List.of(textOp.withValue(withStartRetain(pieceStart, pieceOps)))));
        pieceStart += pieceAdvance;
        pieceOps = new ArrayList<>();
        pieceAdvance = 0;
        pieceBytes = 0;
      }
      if (pieceOps.isEmpty()
          && estimatePiece(estimator, textEnvelope, pieceStart, opBytes, 1) > maxBytes) {
        ArrayNode standalone = withStartRetain(pieceStart, List.of(op));
        double standaloneSize = measureText(orig, textOp, standalone);
        if (standaloneSize > maxBytes) {
          JsonNode insert = op.get("insert");
          if (insert != null && insert.isString() && !insert.stringValue().isEmpty()) {
            String text = insert.stringValue();
            for (ArrayNode piece :
                splitInsert(orig, textOp, text, op.get("attributes"), pieceStart, estimator)) {
              results.add(derive(orig, rev++, List.of(textOp.withValue(piece))));
            }
            pieceStart += text.length();
            continue;
          }
          // A retain, or an embed insert (an image data URL): no seam inside it.
          guardUnsplittable(
              textOp.op(), textOp.path(), standaloneSize, OversizedOp.Reason.DELTA_OP);
          results.add(derive(orig, rev++, List.of(textOp.withValue(standalone))));
          pieceStart += advanceOf(op);
          continue;
        }
      }
      pieceOps.add(op);
      pieceAdvance += advanceOf(op);
      pieceBytes += opBytes;
    }
    if (!pieceOps.isEmpty()) {
      results.add(
          derive(orig, rev, List.of(textOp.withValue(withStartRetain(pieceStart, pieceOps)))));
    }
    return results;
  }

  private double estimatePiece(
      Estimator estimator, long textEnvelope, long pieceStart, long contentBytes, int count) {
    long retainBytes = pieceStart > 0 ? JsonSize.of(retain(pieceStart)) : 0;
    return estimator.storage(
        withOpsBytes(textEnvelope, retainBytes + contentBytes, count + (pieceStart > 0 ? 1 : 0)));
  }

  /**
   * Cuts a large string insert into the delta arrays of the pieces that carry it, each measuring
   * within the budget. Every piece retains to its own insertion point. The chunk length is only a
   * seed (a byte budget says little about how a chunk of this text will compress): every chunk is
   * measured and halved until it fits, never inside a surrogate pair; a single code point that
   * still does not fit goes through the unsplittable guard.
   */
  private List<ArrayNode> splitInsert(
      Change orig,
      PatchOp textOp,
      String text,
      @Nullable JsonNode attributes,
      long startPos,
      Estimator estimator) {
    List<ArrayNode> pieces = new ArrayList<>();
    long[] position = {startPos};

    ArrayNode overheadOps = Json.array();
    overheadOps.add(retain(startPos > 0 ? startPos : 1));
    overheadOps.add(insertOp("", attributes));
    long chunkOverhead = JsonSize.of(orig.withOps(List.of(textOp.withValue(overheadOps))).toJson());
    long seedLength =
        Math.max(1, (long) Math.floor(estimator.jsonBudget(maxBytes)) - chunkOverhead - 20);

    int i = 0;
    while (i < text.length()) {
      int end = (int) Math.min(text.length(), i + seedLength);
      if (end < text.length()) {
        end = safeSplitIndex(text, end);
      }
      if (end <= i) {
        end = Math.min(text.length(), i + 2);
      }
      emitChunk(orig, textOp, text.substring(i, end), attributes, position, pieces);
      i = end;
    }
    return pieces;
  }

  private void emitChunk(
      Change orig,
      PatchOp textOp,
      String chunk,
      @Nullable JsonNode attributes,
      long[] position,
      List<ArrayNode> pieces) {
    ArrayNode ops = Json.array();
    if (position[0] > 0) {
      ops.add(retain(position[0]));
    }
    ops.add(insertOp(chunk, attributes));
    double bytes = measureText(orig, textOp, ops);
    if (bytes > maxBytes) {
      int mid = safeSplitIndex(chunk, (chunk.length() + 1) / 2);
      if (mid > 0 && mid < chunk.length()) {
        emitChunk(orig, textOp, chunk.substring(0, mid), attributes, position, pieces);
        emitChunk(orig, textOp, chunk.substring(mid), attributes, position, pieces);
        return;
      }
      guardUnsplittable(textOp.op(), textOp.path(), bytes, OversizedOp.Reason.INSERT_CHUNK);
    }
    pieces.add(ops);
    position[0] += chunk.length();
  }

  /**
   * Splits an oversized {@code replace}/{@code add} whose object value holds text deltas ({@code
   * {"ops":[{insert…}]}}): the deltas are replaced by stubs in a structural op and carried by
   * {@code @txt} ops, which can then be split like any other text. Values without that seam go out
   * as they are, through the unsplittable guard.
   */
  private List<Change> splitLargeValue(Change orig, PatchOp op, long startRev) {
    JsonNode value = op.value();
    if (value == null || !value.isObject()) {
      return asIs(orig, op, startRev, OversizedOp.Reason.VALUE_NOT_OBJECT);
    }
    List<PatchOp> textOps = new ArrayList<>();
    JsonNode stripped = stripTextDeltas(value, op.path(), textOps);
    if (textOps.isEmpty()) {
      return asIs(orig, op, startRev, OversizedOp.Reason.VALUE_NO_TEXT);
    }
    List<PatchOp> all = new ArrayList<>(textOps.size() + 1);
    all.add(op.withValue(stripped));
    all.addAll(textOps);
    Change combined = derive(orig, startRev, all);
    double combinedSize = storageSize(combined);
    if (combinedSize <= maxBytes) {
      return List.of(combined);
    }
    return split(combined, 0, combinedSize);
  }

  private List<Change> asIs(Change orig, PatchOp op, long rev, OversizedOp.Reason reason) {
    Change piece = derive(orig, rev, List.of(op));
    guardUnsplittable(op.op(), op.path(), storageSize(piece), reason);
    return List.of(piece);
  }

  /**
   * Returns {@code value} with every text delta object (an object whose {@code ops} array holds an
   * insert) reduced to a stub without {@code ops}, and adds a {@code @txt} op carrying each delta
   * to {@code textOps}. Arrays are not searched.
   */
  private static JsonNode stripTextDeltas(JsonNode value, String path, List<PatchOp> textOps) {
    if (!value.isObject()) {
      return value;
    }
    JsonNode ops = value.get("ops");
    if (ops != null && ops.isArray() && hasInsert(ops)) {
      textOps.add(PatchOp.of("@txt", path, ops));
      ObjectNode stub = Json.shallowCopy((ObjectNode) value);
      stub.remove("ops");
      return stub;
    }
    ObjectNode result = Json.object();
    for (Map.Entry<String, JsonNode> e : value.properties()) {
      result.set(
          e.getKey(),
          stripTextDeltas(e.getValue(), path + "/" + Paths.escape(e.getKey()), textOps));
    }
    return result;
  }

  private static boolean hasInsert(JsonNode ops) {
    for (JsonNode op : ops) {
      if (op.isObject() && op.has("insert")) {
        return true;
      }
    }
    return false;
  }

  private void guardUnsplittable(String op, String path, double bytes, OversizedOp.Reason reason) {
    boolean emitted = bytes <= maxUnsplittableBytes;
    if (!resplit && listener != null) {
      listener.accept(
          new OversizedOp(op, path, bytes, maxBytes, budget, docId, changeId, emitted, reason));
    }
    if (!emitted) {
      throw new UnsplittableChangeException(op, path, bytes, maxUnsplittableBytes, docId, changeId);
    }
  }

  private double storageSize(Change change) {
    JsonNode json = change.toJson();
    return calculator != null ? calculator.sizeOf(json) : JsonSize.of(json);
  }

  private double measureText(Change orig, PatchOp textOp, ArrayNode deltaOps) {
    return storageSize(orig.withOps(List.of(textOp.withValue(deltaOps))));
  }

  /** A piece of {@code orig}: a fresh id, the given revision and ops, everything else kept. */
  private static Change derive(Change orig, long rev, List<PatchOp> ops) {
    return new Change(
        ChangeIds.forRev(rev),
        orig.baseRev(),
        rev,
        ops,
        orig.createdAt(),
        orig.committedAt(),
        orig.batchId(),
        orig.clientId(),
        orig.metadata());
  }

  private static Change withId(Change change, String id) {
    if (change.id().equals(id)) {
      return change;
    }
    return new Change(
        id,
        change.baseRev(),
        change.rev(),
        change.ops(),
        change.createdAt(),
        change.committedAt(),
        change.batchId(),
        change.clientId(),
        change.metadata());
  }

  /** JSON bytes of a change carrying {@code contentBytes} of ops over {@code count} ops. */
  private static long withOpsBytes(long envelopeBytes, long contentBytes, int count) {
    // The brackets of the ops array are in the envelope; only the commas are missing.
    return envelopeBytes + contentBytes + Math.max(0, count - 1);
  }

  /** The delta ops of a {@code @txt} value: a bare array, a {@code {"ops":[…]}} or one op. */
  private static List<JsonNode> deltaOps(@Nullable JsonNode value) {
    List<JsonNode> out = new ArrayList<>();
    if (value == null) {
      return out;
    }
    JsonNode source = value;
    if (!value.isArray() && value.isObject()) {
      JsonNode ops = value.get("ops");
      if (ops == null || !ops.isArray()) {
        out.add(value);
        return out;
      }
      source = ops;
    }
    if (source.isArray()) {
      for (JsonNode op : source) {
        out.add(op);
      }
    }
    return out;
  }

  /** The width an op occupies in the document after it applies (a delete leaves none). */
  private static long advanceOf(JsonNode op) {
    JsonNode retain = op.get("retain");
    if (retain != null && Json.truthy(retain)) {
      return retain.isNumber() ? retain.longValue() : 1;
    }
    JsonNode insert = op.get("insert");
    if (insert == null) {
      return 0;
    }
    return insert.isString() ? insert.stringValue().length() : 1;
  }

  private static ArrayNode withStartRetain(long pieceStart, List<JsonNode> ops) {
    ArrayNode array = Json.array();
    if (pieceStart > 0) {
      array.add(retain(pieceStart));
    }
    for (JsonNode op : ops) {
      array.add(op);
    }
    return array;
  }

  private static ObjectNode retain(long n) {
    ObjectNode op = Json.object();
    op.put("retain", n);
    return op;
  }

  private static ObjectNode insertOp(String text, @Nullable JsonNode attributes) {
    ObjectNode op = Json.object();
    op.put("insert", text);
    if (attributes != null && !attributes.isNull()) {
      op.set("attributes", attributes);
    }
    return op;
  }

  /** Moves a cut that would fall between the halves of a surrogate pair one unit back. */
  private static int safeSplitIndex(String text, int index) {
    if (index > 0 && index < text.length() && Character.isLowSurrogate(text.charAt(index))) {
      return index - 1;
    }
    return index;
  }

  /** Storage bytes per JSON byte, calibrated by one real measurement of the change. */
  private static final class Estimator {
    private final double perJsonByte;

    private Estimator(double perJsonByte) {
      this.perJsonByte = perJsonByte;
    }

    static Estimator of(Change orig, double exactSize, @Nullable SizeCalculator calculator) {
      long jsonSize = JsonSize.of(orig.toJson());
      double ratio = jsonSize > 0 ? exactSize / jsonSize : 1;
      return new Estimator(ratio * (calculator != null ? PIECE_COMPRESSION_MARGIN : 1));
    }

    double storage(long jsonBytes) {
      return jsonBytes * perJsonByte;
    }

    double jsonBudget(double storageBytes) {
      return perJsonByte > 0 ? storageBytes / perJsonByte : storageBytes;
    }
  }
}
