package dev.patchbay.server.engine;

import dev.patchbay.core.patch.PatchOp;
import dev.patchbay.server.spi.LwwSnapshot;
import dev.patchbay.server.spi.Tombstone;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The in-memory state of one loaded last-write-wins document: its rows (the winning op per path,
 * each stamped with {@code ts} and the {@code rev} that wrote it), an optional snapshot and the
 * revision counter. Touched only by its shard's thread; advances only after a durable write.
 */
final class LwwDoc extends Doc {
  long rev;
  @Nullable LwwSnapshot snapshot;
  Map<String, PatchOp> rows = new LinkedHashMap<>();

  LwwDoc(String id) {
    super(id);
  }

  @Override
  void reset(@Nullable Tombstone tombstone) {
    super.reset(tombstone);
    rev = 0;
    snapshot = null;
    rows = new LinkedHashMap<>();
  }
}
