package dev.patchbay.client.fuzz;

import dev.patchbay.core.ot.Change;
import dev.patchbay.core.ot.OtTransforms;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Follows every change id a fuzz client makes, to prove at the end that each one was committed
 * exactly once or was rebased away: when a change leaves a pending queue without being in the
 * server's log, rebasing the queue it left over everything the server committed since its base
 * revision must transform it to nothing (the server dropped it, or will drop it, for the same
 * reason). A change that leaves any other way was lost, and is reported at the step it happened.
 */
final class ChangeAccounting {
  enum Fate {
    PENDING,
    COMMITTED,
    REBASED_AWAY,
    SPLIT
  }

  static final class Entry {
    final int client;
    final String docId;
    Fate fate = Fate.PENDING;
    // Every form the change had in a queue (as made, as rebased), each with the queue entries of
    // the same base revision up to it: the walk the server does when that form reaches it.
    final List<List<Change>> forms = new ArrayList<>();

    Entry(int client, String docId) {
      this.client = client;
      this.docId = docId;
    }
  }

  private final BiFunction<String, Long, List<Change>> serverChangesAfter;
  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final List<String> violations = new ArrayList<>();

  /**
   * @param serverChangesAfter the server's committed changes of a document after a revision
   */
  ChangeAccounting(BiFunction<String, Long, List<Change>> serverChangesAfter) {
    this.serverChangesAfter = serverChangesAfter;
  }

  void created(int client, String docId, List<Change> queue) {
    recordForms(client, docId, queue);
  }

  private boolean recordForms(int client, String docId, List<Change> queue) {
    boolean fresh = false;
    for (int i = 0; i < queue.size(); i++) {
      Change c = queue.get(i);
      Entry entry = entries.get(c.id());
      if (entry == null) {
        entry = new Entry(client, docId);
        entries.put(c.id(), entry);
        fresh = true;
      }
      List<Change> prefix = new ArrayList<>();
      for (Change earlier : queue.subList(0, i + 1)) {
        if (earlier.baseRev() == c.baseRev()) {
          prefix.add(earlier);
        }
      }
      List<List<Change>> forms = entry.forms;
      if (forms.isEmpty() || !forms.get(forms.size() - 1).equals(prefix)) {
        forms.add(prefix);
      }
    }
    return fresh;
  }

  void queueReplaced(int client, String docId, List<Change> before, List<Change> after) {
    Set<String> afterIds = new HashSet<>();
    for (Change c : after) {
      afterIds.add(c.id());
    }
    // A large change split for the wire: later pieces get fresh ids.
    boolean newPieces = recordForms(client, docId, after);
    for (Change gone : before) {
      if (afterIds.contains(gone.id())) {
        continue;
      }
      Entry entry = entries.computeIfAbsent(gone.id(), id -> new Entry(client, docId));
      List<Change> log = serverChangesAfter.apply(docId, 0L);
      if (containsId(log, gone.id())) {
        entry.fate = Fate.COMMITTED;
      } else if (newPieces) {
        entry.fate = Fate.SPLIT;
      } else if (rebasedAway(docId, entry)) {
        entry.fate = Fate.REBASED_AWAY;
      } else {
        violations.add(
            "client "
                + client
                + " dropped change "
                + gone.id()
                + " of "
                + docId
                + " (baseRev "
                + gone.baseRev()
                + ", ops "
                + gone.ops()
                + ") that the server neither committed nor transformed away");
      }
    }
  }

  /** Whether some form the change had transforms to nothing over what the server committed. */
  private boolean rebasedAway(String docId, Entry entry) {
    for (List<Change> queue : entry.forms) {
      Change form = queue.get(queue.size() - 1);
      List<Change> committed = serverChangesAfter.apply(docId, form.baseRev());
      if (form.ops().isEmpty()
          || (!committed.isEmpty()
              && !containsId(OtTransforms.rebaseChanges(committed, queue), form.id()))) {
        return true;
      }
    }
    return false;
  }

  private static boolean containsId(List<Change> changes, String id) {
    for (Change c : changes) {
      if (c.id().equals(id)) {
        return true;
      }
    }
    return false;
  }

  void quarantined(int client, String docId, List<?> changes) {
    violations.add(
        "client "
            + client
            + " quarantined changes of "
            + docId
            + " the server rejected: "
            + changes);
  }

  /** Returns what happened to every change, by id, in the order they were made. */
  Map<String, Entry> entries() {
    return entries;
  }

  /** Returns the changes lost so far, described. */
  List<String> violations() {
    return violations;
  }
}
