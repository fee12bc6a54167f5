package dev.patchbay.client;

import dev.patchbay.client.spi.ClientStore;
import dev.patchbay.client.spi.StoredDoc;
import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.core.lww.Consolidation;
import dev.patchbay.core.lww.Lww;
import dev.patchbay.core.ot.ApplyChangesException;
import dev.patchbay.core.ot.Change;
import dev.patchbay.core.ot.ChangeApplier;
import dev.patchbay.core.ot.OtTransforms;
import dev.patchbay.core.patch.ApplyOptions;
import dev.patchbay.core.patch.JsonPatch;
import dev.patchbay.core.patch.OpType;
import dev.patchbay.core.patch.PatchOp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;

/**
 * One document on the client. A local edit ({@link #change}) applies at once to the state the
 * application sees and is queued for the server.
 *
 * <p>An {@link Algorithm#OT} document queues each edit as a {@link Change} made on the committed
 * revision; server changes apply to the committed state, and the pending queue is rebased over them
 * with the same transform walk the server uses, so both sides converge.
 *
 * <p>An {@link Algorithm#LWW} document stamps every op with the time of the edit ({@code ts}) and
 * consolidates the pending ops per path with the server's rules ({@link Lww#consolidate}), so the
 * queue is at most one change however many edits were made offline. One change is in flight at a
 * time (the sending change, stored, resent by the same id until answered). The state shown is the
 * committed state with the sending and the pending ops applied on top; its content starts as an
 * empty object, as the server's does. Such a document takes {@code add}, {@code replace}, {@code
 * remove}, {@code @inc}, {@code @bit}, {@code @max} and {@code @min} below the root.
 *
 * <p>Thread-safe: every method may be called from any thread. Listeners run on the thread that
 * caused the update, after the document's lock is released.
 */
public final class PatchesDoc {
  /** Length of the ids minted for local changes; stable across resends, as the Patches client. */
  static final int CHANGE_ID_LENGTH = 12;

  private static final Logger LOG = LoggerFactory.getLogger(PatchesDoc.class);
  private static final String ID_ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  /** What applying server changes did. */
  enum ApplyOutcome {
    /** Applied (possibly nothing new). */
    APPLIED,
    /** The changes do not follow the committed revision: some are missing, catch up first. */
    GAP
  }

  /** The ops a last-write-wins document takes: the server stores values per path, not moves. */
  private static final Set<OpType> LWW_OPS =
      EnumSet.of(
          OpType.ADD,
          OpType.REPLACE,
          OpType.REMOVE,
          OpType.INC,
          OpType.BIT,
          OpType.MAX,
          OpType.MIN);

  private final String id;
  private final Algorithm algorithm;
  private final ClientStore store;
  private final Clock clock;
  private final Listeners<Consumer<PatchesDoc>> updateListeners = new Listeners<>();
  private final Consumer<PatchesDoc> onLocalChange;

  private @Nullable JsonNode committedState;
  private long committedRev;
  private List<Change> pending;
  private @Nullable Change sending;
  private @Nullable JsonNode state;
  // Set when the document is deleted: late server answers must not write it back to the store.
  private boolean closed;

  PatchesDoc(
      String id,
      Algorithm algorithm,
      ClientStore store,
      Clock clock,
      Consumer<PatchesDoc> onLocalChange) {
    this.id = id;
    this.algorithm = algorithm;
    this.store = store;
    this.clock = clock;
    this.onLocalChange = onLocalChange;
    StoredDoc stored = store.loadDoc(id);
    if (stored == null) {
      stored = StoredDoc.empty();
    }
    this.committedState = stored.state();
    this.committedRev = stored.committedRev();
    this.pending = stored.pending();
    this.sending = algorithm == Algorithm.LWW ? stored.sending() : null;
    this.state = view(committedState, pending);
  }

  /** Returns the document id. */
  public String id() {
    return id;
  }

  /** Returns how the document merges concurrent edits. */
  public Algorithm algorithm() {
    return algorithm;
  }

  /**
   * Returns the current state: the committed state with every pending change applied, as a copy the
   * caller may modify.
   *
   * @return the state, or {@code null} when the document has no content yet
   */
  public synchronized @Nullable JsonNode state() {
    return state == null ? null : state.deepCopy();
  }

  /**
   * Returns the current state converted to {@code type}.
   *
   * @return the converted state, or {@code null} when the document has no content yet
   * @throws tools.jackson.core.JacksonException when the state does not convert
   */
  public <T> @Nullable T state(Class<T> type) {
    JsonNode current = currentTree();
    return current == null ? null : Json.MAPPER.convertValue(current, type);
  }

  /**
   * Returns the current state converted to the type {@code type} describes, e.g. {@code new
   * TypeReference<Map<String, List<Todo>>>() {}}.
   *
   * @return the converted state, or {@code null} when the document has no content yet
   * @throws tools.jackson.core.JacksonException when the state does not convert
   */
  public <T> @Nullable T state(TypeReference<T> type) {
    JsonNode current = currentTree();
    return current == null ? null : Json.MAPPER.convertValue(current, type);
  }

  private synchronized @Nullable JsonNode currentTree() {
    return state;
  }

  /** Returns the revision of the last server change applied; 0 before the first. */
  public synchronized long committedRev() {
    return committedRev;
  }

  /** Returns whether local changes wait for the server's acknowledgement. */
  public synchronized boolean hasPending() {
    return !pending.isEmpty() || sending != null;
  }

  /**
   * Returns the local changes not yet acknowledged, oldest first, as an immutable list: for a
   * last-write-wins document the sending change (if any) and then the pending one.
   */
  public synchronized List<Change> pendingChanges() {
    if (sending == null) {
      return pending;
    }
    List<Change> all = new ArrayList<>(pending.size() + 1);
    all.add(sending);
    all.addAll(pending);
    return List.copyOf(all);
  }

  /**
   * Edits the document: {@code mutator} describes the edit on a {@link PatchBuilder}; the edit
   * applies at once and is queued for the server. An edit with no operations does nothing.
   *
   * @return the queued change, or {@code null} when the edit had no operations
   * @throws PatchbayException when an operation does not apply to the current state; nothing
   *     changes then
   */
  public @Nullable Change change(Consumer<PatchBuilder> mutator) {
    PatchBuilder builder = new PatchBuilder();
    mutator.accept(builder);
    List<PatchOp> ops = builder.ops();
    if (ops.isEmpty()) {
      return null;
    }
    if (algorithm == Algorithm.LWW) {
      return changeLww(ops);
    }
    Change change;
    synchronized (this) {
      requireOpen();
      JsonNode next;
      try {
        next = JsonPatch.apply(state, ops, ApplyOptions.STRICT);
      } catch (PatchbayException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new PatchbayException(400, "The edit does not apply: " + e.getMessage(), e);
      }
      long rev = pending.isEmpty() ? committedRev + 1 : pending.get(pending.size() - 1).rev() + 1;
      change = Change.of(newChangeId(), committedRev, rev, ops, clock.millis());
      store.appendPending(id, change);
      List<Change> queue = new ArrayList<>(pending);
      queue.add(change);
      pending = List.copyOf(queue);
      state = next;
    }
    fireUpdate();
    onLocalChange.accept(this);
    return change;
  }

  private Change changeLww(List<PatchOp> ops) {
    for (PatchOp op : ops) {
      if (op.path().isEmpty() || !LWW_OPS.contains(op.type())) {
        throw new PatchbayException(
            400,
            "A last-write-wins document takes add, replace, remove, @inc, @bit, @max and @min"
                + " below the root; not "
                + op.op()
                + " at '"
                + op.path()
                + "'");
      }
    }
    Change change;
    synchronized (this) {
      requireOpen();
      JsonNode next;
      try {
        next = JsonPatch.apply(state, ops, ApplyOptions.STRICT);
      } catch (PatchbayException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new PatchbayException(400, "The edit does not apply: " + e.getMessage(), e);
      }
      // Never older than this client's own unacknowledged writes: a clock stepped back (NTP) must
      // not make a later edit lose to an earlier one of the same client.
      long ts = Math.max(clock.millis(), latestLocalTs());
      List<PatchOp> stamped = new ArrayList<>(ops.size());
      for (PatchOp op : ops) {
        stamped.add(op.withTs(ts));
      }
      // One pending change, its ops consolidated per path by the server's own rules.
      Change current = pending.isEmpty() ? null : pending.get(0);
      List<PatchOp> existing = current == null ? List.of() : current.ops();
      Map<String, PatchOp> rows = new LinkedHashMap<>();
      for (PatchOp op : existing) {
        rows.put(op.path(), op);
      }
      Consolidation merged = Lww.consolidate(existing, stamped);
      List<PatchOp> consolidated = List.copyOf(merged.applyTo(rows).values());
      String changeId = current == null ? newChangeId() : current.id();
      long createdAt = current == null ? ts : current.createdAt();
      change = Change.of(changeId, committedRev, committedRev + 1, consolidated, createdAt);
      pending = List.of(change);
      store.saveDoc(id, stored());
      // The consolidated rows decide (a soft write does not overwrite), as they will on the server.
      state = next == null ? null : view(committedState, pending);
    }
    fireUpdate();
    onLocalChange.accept(this);
    return change;
  }

  private long latestLocalTs() {
    long latest = Long.MIN_VALUE;
    for (Change c : pendingChanges()) {
      for (PatchOp op : c.ops()) {
        if (op.ts() != null && op.ts() > latest) {
          latest = op.ts();
        }
      }
    }
    return latest;
  }

  /**
   * Returns the change to send for a last-write-wins document: the sending change when one is in
   * flight (a resend keeps its id), else the pending change, moved to sending (and stored so)
   * first.
   *
   * @return the change, or {@code null} when nothing waits
   */
  synchronized @Nullable Change lwwSendingChange() {
    if (closed) {
      return null;
    }
    if (sending != null) {
      return sending;
    }
    if (pending.isEmpty()) {
      return null;
    }
    sending = pending.get(0).withRevs(committedRev, committedRev + 1);
    pending = List.of();
    store.saveDoc(id, stored());
    return sending;
  }

  /**
   * Applies the server's answer to the sending change {@code sentId} of a last-write-wins document:
   * its ops (corrections, the stored rows of the sent paths, the catch-up) become committed when
   * the answer is newer than the committed revision, and the sending change is settled either way.
   */
  void lwwCommitted(String sentId, List<Change> answer) {
    synchronized (this) {
      if (closed) {
        return;
      }
      JsonNode newCommitted = committedState;
      long newRev = committedRev;
      for (Change c : answer) {
        // Rows at or below the committed revision are in the committed state already; a late
        // answer must not write them over newer ones.
        if (c.rev() > newRev) {
          newCommitted = applyLww(newCommitted, c.ops());
          newRev = c.rev();
        }
      }
      committedState = newCommitted;
      committedRev = newRev;
      if (sending != null && sending.id().equals(sentId)) {
        sending = null;
      }
      store.saveDoc(id, stored());
      state = view(committedState, pending);
    }
    fireUpdate();
  }

  private ApplyOutcome applyServerChangesLww(List<Change> serverChanges) {
    synchronized (this) {
      if (closed) {
        return ApplyOutcome.APPLIED;
      }
      JsonNode newCommitted = committedState;
      long newRev = committedRev;
      for (Change c : serverChanges) {
        if (c.rev() <= newRev) {
          continue; // known: its rows are in the committed state
        }
        if (c.baseRev() > newRev) {
          return ApplyOutcome.GAP; // commits between are missing
        }
        newCommitted = applyLww(newCommitted, c.ops());
        newRev = c.rev();
      }
      if (newRev == committedRev) {
        return ApplyOutcome.APPLIED;
      }
      committedState = newCommitted;
      committedRev = newRev;
      store.saveDoc(id, stored());
      state = view(committedState, pending);
    }
    fireUpdate();
    return ApplyOutcome.APPLIED;
  }

  /** Server rows apply as the server builds its state: an op that cannot apply is skipped. */
  private static JsonNode applyLww(@Nullable JsonNode base, List<PatchOp> ops) {
    JsonNode start = base == null ? Json.object() : base;
    JsonNode result = ops.isEmpty() ? start : JsonPatch.apply(start, ops, ApplyOptions.DEFAULT);
    return result == null ? Json.object() : result;
  }

  /**
   * Takes the changes {@code ids} out of the pending queue (or the sending change) into the store's
   * quarantine, in one store step.
   *
   * @return the quarantined entries, empty when none of the ids was still waiting
   */
  List<QuarantinedChange> quarantine(Collection<String> ids, PatchbayException error) {
    List<QuarantinedChange> moved = new ArrayList<>();
    synchronized (this) {
      if (closed) {
        return List.of();
      }
      Set<String> wanted = new HashSet<>(ids);
      long now = clock.millis();
      List<Change> kept = new ArrayList<>(pending.size());
      for (Change c : pending) {
        if (wanted.contains(c.id())) {
          moved.add(new QuarantinedChange(id, c, error.code(), messageOf(error), now));
        } else {
          kept.add(c);
        }
      }
      Change newSending = sending;
      if (sending != null && wanted.contains(sending.id())) {
        moved.add(new QuarantinedChange(id, sending, error.code(), messageOf(error), now));
        newSending = null;
      }
      if (moved.isEmpty()) {
        return List.of();
      }
      pending = List.copyOf(kept);
      sending = newSending;
      store.quarantine(id, moved, stored());
      state = view(committedState, pending);
    }
    fireUpdate();
    return List.copyOf(moved);
  }

  private static String messageOf(PatchbayException error) {
    String message = error.getMessage();
    return message == null ? "" : message;
  }

  /** Marks the document deleted: it takes no more edits and writes nothing more to the store. */
  synchronized void close() {
    closed = true;
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("Document " + id + " was deleted");
    }
  }

  private StoredDoc stored() {
    return new StoredDoc(committedState, committedRev, pending, sending);
  }

  /**
   * Registers a listener called after every update of the state, committed revision or pending
   * queue, local or from the server.
   *
   * @return closes to remove the listener
   */
  public Subscription onUpdate(Consumer<PatchesDoc> listener) {
    return updateListeners.add(listener);
  }

  /**
   * Applies committed changes from the server: already known ones only drop pending copies by id,
   * new ones apply to the committed state and the pending queue is rebased over them.
   *
   * @param serverChanges committed changes in revision order
   * @return {@link ApplyOutcome#GAP} when the new changes do not start right after the committed
   *     revision or skip one (nothing is applied then)
   */
  ApplyOutcome applyServerChanges(List<Change> serverChanges) {
    if (algorithm == Algorithm.LWW) {
      return applyServerChangesLww(serverChanges);
    }
    boolean updated;
    synchronized (this) {
      if (closed) {
        return ApplyOutcome.APPLIED;
      }
      Set<String> staleIds = new HashSet<>();
      List<Change> fresh = new ArrayList<>();
      for (Change c : serverChanges) {
        if (c.rev() <= committedRev) {
          staleIds.add(c.id());
        } else {
          fresh.add(c);
        }
      }
      if (!fresh.isEmpty() && !contiguous(fresh)) {
        return ApplyOutcome.GAP;
      }
      List<Change> queue = without(pending, staleIds);
      if (fresh.isEmpty() && queue.size() == pending.size()) {
        return ApplyOutcome.APPLIED;
      }
      JsonNode newCommitted = applyCommitted(committedState, fresh);
      List<Change> rebased = OtTransforms.rebaseChanges(fresh, queue);
      adopt(newCommitted, lastRev(committedRev, fresh), rebased);
      updated = true;
    }
    if (updated) {
      fireUpdate();
    }
    return ApplyOutcome.APPLIED;
  }

  /**
   * Applies committed changes strictly; a committed change that does not apply (the transform can
   * leave an op pointing past the end of an array) is skipped whole, exactly as the server skips it
   * when it builds its state, so client and server stay equal. Pending changes are still rebased
   * over its real ops, as the server transforms later commits over them.
   */
  private @Nullable JsonNode applyCommitted(@Nullable JsonNode base, List<Change> changes) {
    try {
      return ChangeApplier.applyChanges(base, changes);
    } catch (ApplyChangesException e) {
      return ChangeApplier.applyChangesForReconstruction(
          base,
          changes,
          false,
          skipped ->
              LOG.warn(
                  "Committed change {} (rev {}) of {} does not apply and is skipped, as the"
                      + " server skips it: {}",
                  skipped.change().id(),
                  skipped.change().rev(),
                  id,
                  skipped.error().getMessage()));
    }
  }

  private boolean contiguous(List<Change> fresh) {
    // A lone root replace may skip revisions (a reset by the server), as the Patches client allows.
    if (fresh.size() == 1 && isRootReplace(fresh.get(0))) {
      return true;
    }
    long expected = committedRev + 1;
    for (Change c : fresh) {
      if (c.rev() != expected) {
        return false;
      }
      expected++;
    }
    return true;
  }

  private static boolean isRootReplace(Change c) {
    return c.ops().size() == 1
        && c.ops().get(0).path().isEmpty()
        && c.ops().get(0).op().equals("replace");
  }

  /**
   * Drops pending changes by id: the ones a commit sent that the server answered without (it
   * transformed them away), or a batch the server asked to reload.
   */
  void dropPending(Collection<String> ids) {
    synchronized (this) {
      if (closed) {
        return;
      }
      List<Change> queue = without(pending, new HashSet<>(ids));
      if (queue.size() == pending.size()) {
        return;
      }
      adopt(committedState, committedRev, queue);
    }
    fireUpdate();
  }

  /**
   * Replaces the pending changes {@code sent} (the head of the queue) with {@code pieces}, the same
   * edits split for the wire, so the ids the server answers with match pending ones.
   */
  void replacePendingHead(List<Change> sent, List<Change> pieces) {
    synchronized (this) {
      if (closed) {
        return;
      }
      if (pending.size() < sent.size() || !pending.subList(0, sent.size()).equals(sent)) {
        return; // the queue moved on meanwhile; the next flush splits again
      }
      List<Change> queue = new ArrayList<>(pieces);
      queue.addAll(pending.subList(sent.size(), pending.size()));
      store.saveDoc(id, committedState, committedRev, queue);
      pending = List.copyOf(queue);
    }
  }

  /**
   * Replaces the committed state with a server snapshot ({@code getDoc}) whatever the local
   * revision, and moves every pending change onto the snapshot's head. For an OT document whose
   * pending changes the server refused with 409 {@code scope: doc}: their base revision is ahead of
   * the server's (the server lost history, e.g. restored from a backup) or names a document the
   * server does not have. The changes cannot be transformed over a history the server does not
   * have, so they are kept in order, with their ids and ops, and re-based on the head as they are,
   * as the server itself places a stranger's first upload on its head. Pending changes the
   * snapshot's changes already hold (by id) are committed and dropped.
   */
  void resetToSnapshot(@Nullable JsonNode snapshotState, long rev, List<Change> changes) {
    synchronized (this) {
      if (closed) {
        return;
      }
      JsonNode newCommitted = applyCommitted(snapshotBase(snapshotState), changes);
      long newRev = lastRev(rev, changes);
      Set<String> committedIds = new HashSet<>();
      for (Change c : changes) {
        committedIds.add(c.id());
      }
      List<Change> moved = new ArrayList<>(pending.size());
      long nextRev = newRev;
      for (Change c : without(pending, committedIds)) {
        moved.add(c.withRevs(newRev, ++nextRev));
      }
      adopt(newCommitted, newRev, moved);
    }
    fireUpdate();
  }

  /**
   * Replaces the committed state with a server snapshot ({@code getDoc}): {@code state} at {@code
   * rev} followed by {@code changes}; pending changes are rebased over whatever is new.
   */
  void loadSnapshot(@Nullable JsonNode snapshotState, long rev, List<Change> changes) {
    if (algorithm == Algorithm.LWW) {
      loadSnapshotLww(snapshotState, rev, changes);
      return;
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      JsonNode newCommitted = applyCommitted(snapshotBase(snapshotState), changes);
      adopt(newCommitted, lastRev(rev, changes), OtTransforms.rebaseChanges(changes, pending));
    }
    fireUpdate();
  }

  /** Last-write-wins snapshot: the server's state and its rows; local ops stay on top. */
  private void loadSnapshotLww(@Nullable JsonNode snapshotState, long rev, List<Change> changes) {
    synchronized (this) {
      if (closed) {
        return;
      }
      JsonNode newCommitted = snapshotBase(snapshotState);
      for (Change c : changes) {
        newCommitted = applyLww(newCommitted, c.ops());
      }
      committedState = applyLww(newCommitted, List.of());
      committedRev = lastRev(rev, changes);
      store.saveDoc(id, stored());
      state = view(committedState, pending);
    }
    fireUpdate();
  }

  /**
   * Stores and takes on a new committed state and pending queue (OT); the caller holds the lock.
   */
  private void adopt(@Nullable JsonNode newCommitted, long newRev, List<Change> newPending) {
    store.saveDoc(id, newCommitted, newRev, newPending);
    committedState = newCommitted;
    committedRev = newRev;
    pending = List.copyOf(newPending);
    state = view(committedState, pending);
  }

  /** A snapshot's state, JSON null read as no state. */
  private static @Nullable JsonNode snapshotBase(@Nullable JsonNode snapshotState) {
    return snapshotState == null || snapshotState.isNull() ? null : snapshotState;
  }

  /** The revision after {@code changes}: the last one's, or {@code rev} when there are none. */
  private static long lastRev(long rev, List<Change> changes) {
    return changes.isEmpty() ? rev : changes.get(changes.size() - 1).rev();
  }

  private void fireUpdate() {
    updateListeners.emit(l -> l.accept(this));
  }

  private @Nullable JsonNode view(@Nullable JsonNode committed, List<Change> queue) {
    if (algorithm == Algorithm.LWW) {
      List<PatchOp> local = new ArrayList<>();
      if (sending != null) {
        local.addAll(sending.ops());
      }
      for (Change c : queue) {
        local.addAll(c.ops());
      }
      return applyLww(committed, local);
    }
    try {
      return ChangeApplier.applyChanges(committed, queue);
    } catch (RuntimeException e) {
      // A rebased pending change that no longer applies is shown without; it is still sent, and
      // the server's answer settles it.
      LOG.warn(
          "Pending change of {} does not apply to the committed state: {}", id, e.getMessage());
      return ChangeApplier.applyChangesForReconstruction(committed, queue);
    }
  }

  private static List<Change> without(List<Change> changes, Set<String> ids) {
    if (ids.isEmpty()) {
      return changes;
    }
    List<Change> kept = new ArrayList<>(changes.size());
    for (Change c : changes) {
      if (!ids.contains(c.id())) {
        kept.add(c);
      }
    }
    return kept;
  }

  static String newChangeId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] id = new char[CHANGE_ID_LENGTH];
    for (int i = 0; i < id.length; i++) {
      id[i] = ID_ALPHABET.charAt(random.nextInt(ID_ALPHABET.length()));
    }
    return new String(id);
  }
}
