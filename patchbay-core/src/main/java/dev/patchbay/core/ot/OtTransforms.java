package dev.patchbay.core.ot;

import dev.patchbay.core.patch.JsonPatch;
import dev.patchbay.core.patch.PatchOp;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The two OT walks that keep the server and every client converging: the server's commit transform
 * ({@link #transformIncomingChanges}) and the client's rebase of its pending queue ({@link
 * #rebaseChanges}).
 *
 * <p>Both run the same "diamond": every committed change is transformed through the queue one entry
 * at a time, each queue entry moving past it while the committed change itself advances past the
 * entry before it meets the next one. A queue entry is therefore always transformed in the
 * coordinate space of the entries before it, and the server and a client that saw the same log
 * produce identical ops. Both call {@link JsonPatch#transform} without document state, as the wire
 * protocol demands.
 *
 * <p>Committed changes that are the queue's own (already committed copies of queue entries) are not
 * transformed against: the matching queue entry is simply removed, untransformed. All functions are
 * pure; inputs are never modified.
 */
public final class OtTransforms {
  private OtTransforms() {}

  /**
   * The server's commit transform: rewrites incoming changes made on an older revision so they
   * apply after the changes committed since.
   *
   * <p>Committed changes whose id is in {@code ownCommittedIds} are this request's own earlier
   * commits (a resend after a lost acknowledgement, or an interrupted upload): the queue entry with
   * that id is removed and nothing is transformed against it. Every other committed change is
   * transformed through the queue. The result holds the surviving entries in order, each a copy of
   * its input change with only {@code ops} and {@code rev} replaced: {@code rev} is {@code
   * currentRev + 1}, {@code + 2}, … over the survivors; {@code baseRev} and every other member are
   * kept verbatim. Entries whose ops became (or were) empty are dropped unless {@code forceCommit}.
   *
   * @param changes the incoming changes, all made on the same base revision
   * @param committedChanges the changes committed after that base revision, in revision order
   * @param currentRev the current head revision; the result is numbered after it
   * @param forceCommit keep changes whose ops are empty (migrations, imports)
   * @param ownCommittedIds ids of committed changes that are copies of incoming ones
   * @return the transformed changes, ready to be committed
   */
  public static List<Change> transformIncomingChanges(
      List<Change> changes,
      List<Change> committedChanges,
      long currentRev,
      boolean forceCommit,
      Set<String> ownCommittedIds) {
    List<Entry> queue = diamond(committedChanges, changes, c -> ownCommittedIds.contains(c.id()));
    List<Change> result = new ArrayList<>(queue.size());
    long rev = currentRev;
    for (Entry entry : queue) {
      if (entry.ops.isEmpty() && !forceCommit) {
        continue;
      }
      result.add(entry.change.withOps(entry.ops).withRev(++rev));
    }
    return result;
  }

  /**
   * The client's rebase: rewrites pending local changes so they apply after the server changes just
   * received, the mirror of {@link #transformIncomingChanges} on the server.
   *
   * <p>Server changes whose id is also in {@code localChanges} are the client's own, now committed:
   * the pending copy is removed and nothing is transformed against it. The surviving pending
   * changes keep every member but get their transformed {@code ops}, {@code baseRev} = the revision
   * of the last server change, and {@code rev} = that revision + 1, + 2, … over the survivors.
   * Pending changes whose ops transform away are dropped. When either list is empty, {@code
   * localChanges} is returned unchanged.
   *
   * @param serverChanges committed changes received from the server, in revision order
   * @param localChanges the pending queue, oldest first
   * @return the rebased pending queue
   */
  public static List<Change> rebaseChanges(List<Change> serverChanges, List<Change> localChanges) {
    if (serverChanges.isEmpty() || localChanges.isEmpty()) {
      return localChanges;
    }
    Set<String> localIds = new HashSet<>();
    for (Change local : localChanges) {
      localIds.add(local.id());
    }
    List<Entry> queue = diamond(serverChanges, localChanges, c -> localIds.contains(c.id()));
    long baseRev = serverChanges.get(serverChanges.size() - 1).rev();
    List<Change> result = new ArrayList<>(queue.size());
    long rev = baseRev;
    for (Entry entry : queue) {
      if (!entry.ops.isEmpty()) {
        result.add(entry.change.withOps(entry.ops).withRevs(baseRev, ++rev));
      }
    }
    return result;
  }

  /**
   * Walks the committed changes through the queue and returns the queue entries that remain, with
   * their transformed ops (possibly empty).
   */
  private static List<Entry> diamond(
      List<Change> committed, List<Change> incoming, Predicate<Change> isOwn) {
    List<Entry> queue = new ArrayList<>(incoming.size());
    for (Change change : incoming) {
      queue.add(new Entry(change));
    }
    if (queue.size() == 1) {
      return diamondOfOne(committed, queue, isOwn);
    }
    for (Change c : committed) {
      if (isOwn.test(c)) {
        removeFirstWithId(queue, c.id());
        continue;
      }
      List<PatchOp> advancing = c.ops();
      int last = queue.size() - 1;
      for (int i = 0; i <= last; i++) {
        Entry entry = queue.get(i);
        List<PatchOp> entryAfter = JsonPatch.transform(null, advancing, entry.ops, false);
        if (i < last) {
          // The committed ops must meet the next entry in that entry's frame, i.e. after this
          // one. Past the last entry nobody reads them: a commit of one change (the common case)
          // walks each committed change once instead of twice.
          advancing = JsonPatch.transform(null, entry.ops, advancing, true);
        }
        entry.ops = entryAfter;
      }
    }
    return queue;
  }

  /**
   * The diamond of a queue of one change (a commit of one change, the common case): the committed
   * ops never need to advance past it, so the entry is transformed past all of them at once, which
   * carries a text edit's rebased Delta from step to step ({@link JsonPatch#transformPast}).
   */
  private static List<Entry> diamondOfOne(
      List<Change> committed, List<Entry> queue, Predicate<Change> isOwn) {
    Entry entry = queue.get(0);
    List<List<PatchOp>> past = new ArrayList<>(committed.size());
    for (Change c : committed) {
      if (isOwn.test(c)) {
        if (c.id().equals(entry.change.id())) {
          return new ArrayList<>(); // already committed: the entry leaves the queue
        }
        continue;
      }
      past.add(c.ops());
    }
    entry.ops = JsonPatch.transformPast(past, entry.ops);
    return queue;
  }

  private static void removeFirstWithId(List<Entry> queue, String id) {
    for (Iterator<Entry> it = queue.iterator(); it.hasNext(); ) {
      if (it.next().change.id().equals(id)) {
        it.remove();
        return;
      }
    }
  }

  /** A queue slot: the input change and its ops as transformed so far. */
  private static final class Entry {
    final Change change;
    List<PatchOp> ops;

    Entry(Change change) {
      this.change = change;
      this.ops = change.ops();
    }
  }
}
