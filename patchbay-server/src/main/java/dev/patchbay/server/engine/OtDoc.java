package dev.patchbay.server.engine;

import dev.patchbay.core.ot.Change;
import dev.patchbay.server.spi.Tombstone;
import dev.patchbay.server.spi.VersionMetadata;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The in-memory state of one loaded OT document. Touched only by its shard's thread, so it needs no
 * locks. While a commit batch's writes are in flight, {@code rev} and the tail run ahead of the
 * store; {@code durableRev} marks what the store has acknowledged, and readers see only that far.
 *
 * <p>{@code tail} holds the committed changes with revisions in {@code (tailBase, rev]}, so the
 * common commit (a client a few revisions behind) transforms without reading the store, and {@code
 * getDoc} answers from memory. The newest {@code main} version and its state bound the replay a
 * reader needs.
 *
 * <p>Only the newest {@link #PARSED_WINDOW} tail changes keep their parsed ops, those the commits
 * of clients a few revisions behind transform against; older ones are compact (their ops kept only
 * as the JSON they are sent as), which is about a quarter of the memory and an eighth of the
 * objects. That matters for the collector as much as for the heap: a young collection copies every
 * tail change still in the young generation, so parsed tails of two thousand changes per busy
 * document made every young pause copy tens of megabytes. A commit from further behind {@linkplain
 * #inflate inflates} the compact changes it crosses, so each is parsed once however many such
 * commits follow, and the shard's sweep {@linkplain #recompact() compacts them again}. A version
 * cut replays compact changes, parsing each once. Once the document has gone untouched for a sweep
 * interval, {@link #settle()} shrinks the tail to the window, compact.
 */
final class OtDoc extends Doc {
  static final int MAX_TAIL = 2_000;

  /** How many of the newest tail changes keep their parsed ops (see the class comment). */
  static final int PARSED_WINDOW = 128;

  long rev;
  // The newest revision the store has acknowledged. {@code rev} runs ahead of it while a commit
  // batch's writes are in flight; readers see only up to here.
  long durableRev;
  long tailBase;
  final ArrayList<Change> tail = new ArrayList<>();
  @Nullable VersionMetadata mainVersion;
  @Nullable JsonNode mainState;
  long mainStateBytes;
  @Nullable VersionMetadata lastVersion;
  // The state at the end of the newest version cut, whose write may still be in flight (lastVersion
  // is set when a version is cut, mainVersion/mainState only once it is durable). Cuts chain and
  // replay from here: a cut taken before the previous one's write finished would otherwise replay
  // the document from its start.
  long cutRev;
  @Nullable JsonNode cutState;
  // The projected tip when versions were last checked (see Engine.catchUpVersionsIfDue).
  long versionCheckedTip;
  // The batch id of the document's first change, read lazily (own-upload detection).
  boolean firstBatchKnown;
  // Commit requests waiting for the next batch step, and whether that step is in the mailbox.
  final ArrayDeque<Engine.PendingCommit> commitQueue = new ArrayDeque<>();
  boolean batchQueued;
  @Nullable String firstBatchId;
  // The id of the document's first change, read with firstBatchId.
  @Nullable String firstChangeId;

  // A running sum of the JSON size of the tail changes after the main version, so the document
  // size check of every commit costs O(new changes), not O(tail). Valid for the version ending at
  // sizedEndRev, covering changes up to sizedThroughRev.
  private long sizedEndRev = -1;
  private long sizedThroughRev;
  private long sizedBytes;

  // Tail changes below the window are compact, except those at or above this revision (inflated
  // or loaded since the last sweep); Long.MAX_VALUE when there are none.
  private long parsedBelowWindowFrom = Long.MAX_VALUE;
  // Whether the whole tail is compact (settle() did it and nothing was added or parsed since).
  private boolean settled;

  OtDoc(String id) {
    super(id);
  }

  @Override
  void reset(@Nullable Tombstone newTombstone) {
    super.reset(newTombstone);
    rev = 0;
    durableRev = 0;
    tail.clear();
    tailBase = 0;
    mainVersion = null;
    mainState = null;
    mainStateBytes = 0;
    lastVersion = null;
    cutRev = 0;
    cutState = null;
    versionCheckedTip = 0;
    firstBatchKnown = false;
    sizedEndRev = -1;
    firstBatchId = null;
    firstChangeId = null;
    parsedBelowWindowFrom = Long.MAX_VALUE;
    settled = false;
  }

  /** Fills the tail of a document just loaded: the changes after {@code base}, as read. */
  void loadTail(long base, List<Change> changes) {
    tailBase = base;
    tail.addAll(changes);
    parsedBelowWindowFrom = base + 1; // compacted by the next sweep, but the window
    settled = false;
  }

  /**
   * Records a version just cut (its write may be in flight) and the state at its end: it is the
   * parent of the next version, and the base the next cut replays from.
   */
  void versionCut(VersionMetadata v, JsonNode state) {
    if (lastVersion == null || v.endRev() >= lastVersion.endRev()) {
      lastVersion = v;
    }
    if (v.endRev() >= cutRev) {
      cutRev = v.endRev();
      cutState = state;
    }
  }

  @Nullable Change lastChange() {
    return tail.isEmpty() ? null : tail.get(tail.size() - 1);
  }

  /**
   * Appends committed changes (contiguous after {@code rev}) and trims the tail to its bound. They
   * are tentative until {@link #durableRev} reaches them.
   */
  void append(List<Change> committed) {
    long windowEdgeBefore = rev - PARSED_WINDOW;
    settled = settled && committed.isEmpty();
    for (Change c : committed) {
      tail.add(c);
      rev = c.rev();
    }
    if (!firstBatchKnown
        && !committed.isEmpty()
        && tailBase == 0
        && tail.size() == committed.size()) {
      firstBatchKnown = true;
      firstBatchId = committed.get(0).batchId();
      firstChangeId = committed.get(0).id();
    }
    int excess = tail.size() - MAX_TAIL;
    if (excess > 0) {
      tail.subList(0, excess).clear();
      tailBase = tail.get(0).rev() - 1;
    }
    // The changes that just left the window.
    compact(Math.max(windowEdgeBefore + 1, tailBase + 1), rev - PARSED_WINDOW);
  }

  /**
   * Parses, and keeps parsed, the compact tail changes among {@code changes}: a commit is about to
   * transform against them. The next sweep compacts them again.
   */
  void inflate(List<Change> changes) {
    for (Change c : changes) {
      if (c.isCompact() && c.rev() > tailBase && c.rev() <= rev) {
        c.inflate();
        settled = false;
        parsedBelowWindowFrom = Math.min(parsedBelowWindowFrom, c.rev());
      }
    }
  }

  /** Compacts again the changes below the window that were inflated or loaded since last time. */
  @Override
  void recompact() {
    if (parsedBelowWindowFrom != Long.MAX_VALUE) {
      compact(Math.max(parsedBelowWindowFrom, tailBase + 1), rev - PARSED_WINDOW);
      parsedBelowWindowFrom = Long.MAX_VALUE;
    }
  }

  /** Compacts the tail changes with revisions in {@code [from, to]}. */
  private void compact(long from, long to) {
    for (long r = from; r <= to; r++) {
      tail.get((int) (r - tailBase - 1)).compact(); // in place
    }
  }

  /**
   * Shrinks the tail of a document nobody is using to its newest {@link #PARSED_WINDOW} changes,
   * compact: a client coming back a little behind still transforms from memory, and anything older
   * is read from the store, as for a document just loaded. A whole tail, even compact, is some 750
   * KB, and a server keeps thousands of documents loaded.
   */
  @Override
  void settle() {
    if (settled) {
      return;
    }
    int excess = tail.size() - PARSED_WINDOW;
    if (excess > 0) {
      tail.subList(0, excess).clear();
      tail.trimToSize();
      tailBase = tail.get(0).rev() - 1;
    }
    compact(tailBase + 1, rev);
    parsedBelowWindowFrom = Long.MAX_VALUE;
    settled = true;
  }

  /**
   * Estimates the document's JSON size: the newest main version's state plus the changes after it
   * (deletions make it an overestimate until the next version). Changes are counted as they join
   * the tail; after a reload, only those the tail holds.
   */
  long approximateBytes() {
    long end = mainVersion == null ? 0 : mainVersion.endRev();
    if (sizedEndRev != end || sizedThroughRev > rev || sizedThroughRev < tailBase) {
      // A new version, a reload, or changes trimmed from the tail: count the tail again.
      sizedEndRev = end;
      sizedThroughRev = Math.max(end, tailBase);
      sizedBytes = 0;
    }
    for (int i = (int) (sizedThroughRev - tailBase); i < tail.size(); i++) {
      Change c = tail.get(i);
      if (c.rev() > end) {
        sizedBytes += c.jsonLength();
      }
    }
    sizedThroughRev = rev;
    return mainStateBytes + sizedBytes;
  }

  /** Returns the tail changes with revisions in {@code (after, until]}, or null if not covered. */
  @Nullable List<Change> tailSlice(long after, long until) {
    if (after < tailBase) {
      return null;
    }
    int from = (int) (after - tailBase);
    int to = (int) Math.min(tail.size(), Math.max(0, until - tailBase));
    if (from >= to) {
      return List.of();
    }
    return List.copyOf(tail.subList(from, to));
  }
}
