package dev.patchbay.core.lww;

import dev.patchbay.core.ot.Change;
import dev.patchbay.core.patch.OpType;
import dev.patchbay.core.patch.PatchOp;
import dev.patchbay.core.patch.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Merges committed server ops with the ops a client still has in flight or pending, for what the
 * client shows. A pending value write will win once it reaches the server, so it shadows server ops
 * at its path and below; a pending delta op is re-applied on the server's value.
 */
final class LocalMerge {
  private LocalMerge() {}

  static List<Change> merge(List<Change> serverChanges, List<PatchOp> localOps) {
    if (localOps.isEmpty() || serverChanges.isEmpty()) {
      return serverChanges;
    }
    Map<String, PatchOp> localByPath = new LinkedHashMap<>();
    for (PatchOp op : localOps) {
      localByPath.put(op.path(), op);
    }
    Map<String, Integer> lastWriteAtOrAbove = lastServerWrites(serverChanges, localByPath);

    Set<PatchOp> mergedLocal = new HashSet<>();
    List<Change> result = new ArrayList<>(serverChanges.size());
    int position = 0;
    for (Change change : serverChanges) {
      List<PatchOp> ops = new ArrayList<>(change.ops().size());
      for (PatchOp serverOp : change.ops()) {
        int here = position++;
        if (isShadowed(serverOp.path(), localByPath)) {
          continue;
        }
        PatchOp local = localByPath.get(serverOp.path());
        if (local != null
            && DeltaOps.isDelta(local.type())
            && lastWriteAtOrAbove.get(local.path()) == here) {
          ops.add(reapply(serverOp, local));
          mergedLocal.add(local);
        } else {
          ops.add(serverOp);
        }
      }
      result.add(change.withOps(ops));
    }

    // Local ops not folded into a server op still apply, after everything the server sent.
    List<PatchOp> rest = new ArrayList<>();
    for (PatchOp local : localByPath.values()) {
      if (!mergedLocal.contains(local)) {
        rest.add(local);
      }
    }
    if (!rest.isEmpty()) {
      int lastIndex = result.size() - 1;
      Change last = result.get(lastIndex);
      List<PatchOp> ops = new ArrayList<>(last.ops());
      ops.addAll(rest);
      result.set(lastIndex, last.withOps(ops));
    }
    return List.copyOf(result);
  }

  // For each pending delta path, the position of the last server op that writes it or a parent:
  // only there can the delta be folded in; an earlier value would be overwritten afterwards.
  private static Map<String, Integer> lastServerWrites(
      List<Change> serverChanges, Map<String, PatchOp> localByPath) {
    Map<String, Integer> lastByServerPath = new HashMap<>();
    int position = 0;
    for (Change change : serverChanges) {
      for (PatchOp op : change.ops()) {
        lastByServerPath.put(op.path(), position++);
      }
    }
    Map<String, Integer> result = new HashMap<>();
    for (PatchOp local : localByPath.values()) {
      if (!DeltaOps.isDelta(local.type())) {
        continue;
      }
      int last = -1;
      for (String p = local.path(); p != null; p = p.isEmpty() ? null : Paths.parent(p)) {
        Integer at = lastByServerPath.get(p);
        if (at != null && at > last) {
          last = at;
        }
      }
      result.put(local.path(), last);
    }
    return result;
  }

  // A pending value write (not a delta, not a soft initialiser) at this path or above it will
  // replace whatever the server wrote here.
  private static boolean isShadowed(String path, Map<String, PatchOp> localByPath) {
    for (String p = path; p != null; p = p.isEmpty() ? null : Paths.parent(p)) {
      PatchOp local = localByPath.get(p);
      if (local != null && !DeltaOps.isDelta(local.type()) && !Consolidator.isSoft(local)) {
        return true;
      }
    }
    return false;
  }

  private static PatchOp reapply(PatchOp serverOp, PatchOp local) {
    JsonNode base = DeltaOps.baseOf(serverOp);
    JsonNode value = DeltaOps.apply(local.type(), base, local.value());
    String op = serverOp.type() == OpType.REMOVE ? "replace" : serverOp.op();
    return serverOp.withOp(op).withValue(value);
  }
}
