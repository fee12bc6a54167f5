package dev.patchbay.server.spi;

import dev.patchbay.core.patch.PatchOp;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Everything stored for a last-write-wins document: the revision counter, the optional snapshot and
 * the field rows, one op per path, each with the {@code rev} of the write that stored it. The
 * document state is the snapshot (or {@code {}}) with the ops of revision above the snapshot's
 * applied in commit order. Instances are immutable.
 *
 * @param rev the current revision, 0 for a document never written
 * @param snapshot the stored snapshot, or {@code null}
 * @param ops the rows in commit order: by {@code rev}, then {@code ts} (absent first), then path,
 *     except that a row never precedes a row of the same revision at a path above it (see {@link
 *     dev.patchbay.core.lww.Lww#commitOrder})
 */
public record LwwState(long rev, @Nullable LwwSnapshot snapshot, List<PatchOp> ops) {

  /** The state of a document never written. */
  public static final LwwState EMPTY = new LwwState(0, null, List.of());

  /** Validates the revision and copies the ops. */
  public LwwState {
    if (rev < 0) {
      throw new IllegalArgumentException("rev must not be negative: " + rev);
    }
    ops = List.copyOf(ops);
  }
}
