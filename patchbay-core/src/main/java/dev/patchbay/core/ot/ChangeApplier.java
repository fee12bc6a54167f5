package dev.patchbay.core.ot;

import dev.patchbay.core.patch.ApplyOptions;
import dev.patchbay.core.patch.JsonPatch;
import dev.patchbay.core.patch.OpType;
import dev.patchbay.core.patch.PatchOp;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Applies changes to a document state, change by change, each strictly: an op that fails fails its
 * change. Two policies: {@link #applyChanges} stops at a failing change (live state must never
 * silently drop a change everyone else applied), {@link #applyChangesForReconstruction} skips it
 * (replaying settled history, where the committed head is the truth).
 *
 * <p>States are {@link JsonNode} trees and are never modified; a new tree sharing unchanged
 * subtrees is returned.
 */
public final class ChangeApplier {
  private ChangeApplier() {}

  /**
   * A committed change that failed during reconstruction and was skipped.
   *
   * @param change the skipped change
   * @param index its position in the batch
   * @param error why it failed to apply
   */
  public record SkippedChange(Change change, int index, RuntimeException error) {}

  /**
   * Applies {@code changes} in order, each strictly.
   *
   * @param state the state to start from, or {@code null} for none
   * @param changes the changes, in revision order
   * @return the state after every change; {@code state} itself when {@code changes} is empty
   * @throws ApplyChangesException for the first change that fails, naming it
   */
  public static @Nullable JsonNode applyChanges(@Nullable JsonNode state, List<Change> changes) {
    JsonNode current = state;
    for (int i = 0; i < changes.size(); i++) {
      Change change = changes.get(i);
      try {
        current = JsonPatch.apply(current, change.ops(), ApplyOptions.STRICT);
      } catch (RuntimeException e) {
        throw new ApplyChangesException(change.id(), change.rev(), i, e);
      }
    }
    return current;
  }

  /**
   * Replays committed history, skipping a change that fails to apply strictly (the whole change, as
   * clients that applied it leniently effectively did). Only for reconstructing settled history:
   * building version states, scrubbing history. Never for live state.
   *
   * @param state the state to start from, or {@code null} for none
   * @param changes the committed changes, in revision order
   * @param legacyTextOverrunPadding replay {@code @txt} under the old rule that padded overrunning
   *     retains with spaces; set it when rendering a log written under that rule, leave it off when
   *     seeding a new document from it
   * @param onSkippedChange called once per skipped change, or {@code null}
   * @return the state after every change that applied
   */
  public static @Nullable JsonNode applyChangesForReconstruction(
      @Nullable JsonNode state,
      List<Change> changes,
      boolean legacyTextOverrunPadding,
      @Nullable Consumer<SkippedChange> onSkippedChange) {
    ApplyOptions options =
        ApplyOptions.STRICT.withLegacyTextOverrunPadding(legacyTextOverrunPadding);
    JsonNode current = state;
    // Runs of plain edits of one text are replayed in a buffer (see TextRun).
    TextRun run = null;
    for (int i = 0; i < changes.size(); i++) {
      Change change = changes.get(i).expanded(); // its ops are read several times below
      if (run == null) {
        String textPath = soleTextPath(change);
        run = textPath == null ? null : TextRun.start(current, textPath);
      }
      boolean buffered = run != null && run.accepts(change);
      if (run != null && !buffered) {
        current = run.finish(current);
        run = null;
      }
      try {
        current =
            buffered
                ? run.applyAccepted(current, options)
                : JsonPatch.apply(current, change.ops(), options);
      } catch (RuntimeException e) {
        if (onSkippedChange != null) {
          onSkippedChange.accept(new SkippedChange(change, i, e));
        }
      }
    }
    return run == null ? current : run.finish(current);
  }

  /** The path of the change's {@code @txt} ops when they all edit one text, else null. */
  private static @Nullable String soleTextPath(Change change) {
    String path = null;
    for (PatchOp op : change.ops()) {
      if (op.type() == OpType.TXT) {
        if (path != null && !path.equals(op.path())) {
          return null;
        }
        path = op.path();
      }
    }
    return path;
  }

  /**
   * Replays committed history without legacy padding or a skip listener. See {@link
   * #applyChangesForReconstruction(JsonNode, List, boolean, Consumer)}.
   */
  public static @Nullable JsonNode applyChangesForReconstruction(
      @Nullable JsonNode state, List<Change> changes) {
    return applyChangesForReconstruction(state, changes, false, null);
  }
}
