package dev.patchbay.core.ot;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Splitting pending changes for sending: per-change storage budgets, wire batches for {@code
 * commitChanges}, and the choice of which pending changes go out in one flush.
 *
 * <p>Sizes are what the Patches client measures: the UTF-8 length of the JSON text as JavaScript
 * writes it ({@link #jsonByteSize(JsonNode)}), or a {@link SizeCalculator} for storage budgets. All
 * functions are pure; inputs are never modified.
 */
public final class ChangeBatching {
  private ChangeBatching() {}

  /**
   * Returns the UTF-8 byte length of {@code json} written as JavaScript's {@code JSON.stringify}
   * writes it (integral numbers without {@code .0}, exponents only beyond 1e21 and below 1e-6).
   */
  public static long jsonByteSize(JsonNode json) {
    return JsonSize.of(json);
  }

  /** Returns the JSON byte size of a change ({@link Change#toJson()}). */
  public static long jsonByteSize(Change change) {
    return JsonSize.of(change.toJson());
  }

  /**
   * Returns the pending changes one flush sends: the leading run of changes that share the first
   * change's {@code baseRev}. A queue that mixes base revisions (changes made before and after a
   * server update) is flushed one base revision per pass, since one {@code commitChanges} call
   * carries one base revision.
   *
   * @param pending the pending queue, oldest first
   * @return the changes to send now; empty when nothing is pending
   */
  public static List<Change> pendingToSend(List<Change> pending) {
    if (pending.isEmpty()) {
      return List.of();
    }
    long baseRev = pending.get(0).baseRev();
    int end = 1;
    while (end < pending.size() && pending.get(end).baseRev() == baseRev) {
      end++;
    }
    return List.copyOf(pending.subList(0, end));
  }

  /**
   * Breaks changes into smaller changes so that each one's storage size stays within {@code
   * maxBytes}: by ops first; a single large {@code @txt} op into sequential text pieces; a single
   * large {@code replace}/{@code add} object value into a structural op with the text deltas inside
   * it pulled out as {@code @txt} ops. An op with no seam to cut on goes out as it is (reported to
   * {@link SplitOptions#onOversizedOp()}) unless it exceeds {@link
   * SplitOptions#maxUnsplittableBytes()}.
   *
   * <p>A change that fits is returned as it is. A split change yields consecutive revisions from
   * its own; the first piece keeps its id, later pieces get fresh ids, and every other member is
   * copied. Changes after a split one move up by the extra revisions it took.
   *
   * @param changes the changes to break apart, in order
   * @param maxBytes the storage budget per change
   * @param options the size measure, the unsplittable ceiling and reporting context
   * @return the pieces, in order
   * @throws UnsplittableChangeException when an op cannot be split and exceeds the ceiling
   */
  public static List<Change> breakChanges(
      List<Change> changes, long maxBytes, SplitOptions options) {
    return breakChanges(changes, maxBytes, options, OversizedOp.Budget.STORAGE);
  }

  private static List<Change> breakChanges(
      List<Change> changes, long maxBytes, SplitOptions options, OversizedOp.Budget budget) {
    List<Change> results = new ArrayList<>(changes.size());
    long revShift = 0;
    for (Change change : changes) {
      Change shifted = revShift != 0 ? change.withRev(change.rev() + revShift) : change;
      List<Change> pieces =
          new ChangeSplitter(
                  maxBytes,
                  options.sizeCalculator(),
                  options.maxUnsplittableBytes(),
                  options.docId(),
                  change.id(),
                  budget,
                  options.onOversizedOp(),
                  false)
              .split(shifted);
      revShift += pieces.size() - 1;
      results.addAll(pieces);
    }
    return results;
  }

  /**
   * Breaks pending changes into wire batches for {@code commitChanges}, each at most {@link
   * BatchOptions#maxPayloadBytes()} of JSON. Changes are first split to the storage budget, when
   * one is set. If everything then fits in one batch it is returned as the only batch, unchanged.
   * Otherwise changes too large for the wire are split again (raw JSON measure), and every change
   * gets {@code batchId} = the id of the first input change, so the server recognises the batches
   * as one upload and a retry presents the same upload identity.
   *
   * @param changes the pending changes to send (one base revision)
   * @param options the wire and storage limits
   * @return the batches, in sending order
   * @throws UnsplittableChangeException when an op cannot be split and exceeds the ceiling
   */
  public static List<List<Change>> breakChangesIntoBatches(
      List<Change> changes, BatchOptions options) {
    SplitOptions split = options.split();
    List<Change> processed = changes;
    if (options.maxStorageBytes() > 0) {
      processed = breakChanges(changes, options.maxStorageBytes(), split);
    }
    if (changes.isEmpty() || arraySize(processed) < options.maxPayloadBytes()) {
      return List.of(List.copyOf(processed));
    }
    String batchId = changes.get(0).id();
    // The storage pass may have measured compressed bytes, so a change can still exceed the wire
    // limit in raw JSON. This pass never refuses: the ceiling belongs to the storage budget.
    SplitOptions wire =
        SplitOptions.defaults().withDocId(split.docId()).withOnOversizedOp(split.onOversizedOp());
    processed =
        breakChanges(processed, options.maxPayloadBytes(), wire, OversizedOp.Budget.PAYLOAD);

    List<List<Change>> batches = new ArrayList<>();
    List<Change> current = new ArrayList<>();
    long currentSize = 2; // the [] around a batch
    for (Change change : processed) {
      Change item = change.withBatchId(batchId);
      long itemSize = jsonByteSize(item);
      if (!current.isEmpty() && currentSize + itemSize + 1 > options.maxPayloadBytes()) {
        batches.add(List.copyOf(current));
        current = new ArrayList<>();
        currentSize = 2;
      }
      currentSize += itemSize + (current.isEmpty() ? 0 : 1);
      current.add(item);
    }
    if (!current.isEmpty()) {
      batches.add(List.copyOf(current));
    }
    return batches;
  }

  /**
   * Breaks pending changes into wire batches of at most {@code maxPayloadBytes}, without a storage
   * budget. See {@link #breakChangesIntoBatches(List, BatchOptions)}.
   */
  public static List<List<Change>> breakChangesIntoBatches(
      List<Change> changes, long maxPayloadBytes) {
    return breakChangesIntoBatches(
        changes, BatchOptions.defaults().withMaxPayloadBytes(maxPayloadBytes));
  }

  private static long arraySize(List<Change> changes) {
    long size = 2;
    for (Change change : changes) {
      size += jsonByteSize(change);
    }
    return size + Math.max(0, changes.size() - 1);
  }
}
