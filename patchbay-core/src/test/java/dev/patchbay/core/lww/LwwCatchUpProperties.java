package dev.patchbay.core.lww;

import static dev.patchbay.core.JsonAssertions.assertJsonEquals;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.patch.ApplyOptions;
import dev.patchbay.core.patch.JsonPatch;
import dev.patchbay.core.patch.PatchOp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A client that applies a server's rows one commit after another ends where a fresh load ends.
 *
 * <p>A server commits random batches of nested writes (an object written and removed whole, its
 * keys written and removed, deep paths whose parents the write creates) through {@link
 * Lww#consolidateForCommit}. For every revision r, the state at r with the rows written after r
 * applied in commit order (a client catching up with {@code getChangesSince}) must equal the state
 * built from all rows ({@code getDoc}); and the state at r with commit r+1's stored ops applied (a
 * broadcast) must equal the state at r+1. Timestamps are random and may tie or run backwards.
 */
class LwwCatchUpProperties {
  private static final List<String> KEYS = List.of("/o/k0", "/o/k1", "/o/k2");
  private static final List<String> DEEP = List.of("/d/x/v", "/d/y/v", "/d/x");

  @Property(tries = 2000)
  void catchUpAndBroadcasts_fromEveryRevision_equalAFreshLoad(
      @ForAll("commits") List<List<PatchOp>> commits) {
    Map<String, PatchOp> rows = new LinkedHashMap<>();
    List<JsonNode> states = new ArrayList<>();
    states.add(Lww.buildState(null, 0, rows.values()));
    long rev = 0;
    for (List<PatchOp> batch : commits) {
      Consolidation c = Lww.consolidateForCommit(rows.values(), batch);
      if (!c.changesRows()) {
        continue;
      }
      rev++;
      rows = c.commitTo(rows, rev);
      JsonNode state = Lww.buildState(null, 0, rows.values());
      assertJsonEquals(state, apply(states.get(states.size() - 1), c.opsToStore(rev)));
      states.add(state);
    }
    JsonNode head = states.get(states.size() - 1);
    for (int r = 0; r < states.size(); r++) {
      assertJsonEquals(head, apply(states.get(r), Lww.opsSince(rows.values(), r)));
    }
  }

  // As a client applies server rows: the Patches default mode, an op that cannot apply is skipped.
  private static JsonNode apply(@Nullable JsonNode state, List<PatchOp> ops) {
    JsonNode base = state == null ? Json.object() : state;
    JsonNode result = ops.isEmpty() ? base : JsonPatch.apply(base, ops, ApplyOptions.DEFAULT);
    return result == null ? Json.object() : result;
  }

  @Provide
  Arbitrary<List<List<PatchOp>>> commits() {
    return op().list().ofMinSize(1).ofMaxSize(3).list().ofMinSize(1).ofMaxSize(12);
  }

  private Arbitrary<PatchOp> op() {
    Arbitrary<Long> ts = Arbitraries.longs().between(1, 40);
    Arbitrary<PatchOp> objectWrites =
        Combinators.combine(Arbitraries.of("k0", "k1", "k2"), Arbitraries.of("a", "b"), ts)
            .as((k, v, t) -> PatchOp.replace("/o", Json.object().put(k, v)).withTs(t));
    Arbitrary<PatchOp> objectRemoves = ts.map(t -> PatchOp.remove("/o").withTs(t));
    Arbitrary<PatchOp> keyWrites =
        Combinators.combine(Arbitraries.of(KEYS), Arbitraries.of("x", "y"), ts)
            .as((p, v, t) -> PatchOp.replace(p, Json.NODES.stringNode(v)).withTs(t));
    Arbitrary<PatchOp> keyRemoves =
        Combinators.combine(Arbitraries.of(KEYS), ts).as((p, t) -> PatchOp.remove(p).withTs(t));
    Arbitrary<PatchOp> deepWrites =
        Combinators.combine(Arbitraries.of(DEEP), Arbitraries.integers().between(0, 9), ts)
            .as((p, v, t) -> PatchOp.replace(p, Json.NODES.numberNode(v)).withTs(t));
    Arbitrary<PatchOp> deepRemoves =
        Combinators.combine(Arbitraries.of("/d", "/d/x", "/d/y/v"), ts)
            .as((p, t) -> PatchOp.remove(p).withTs(t));
    return Arbitraries.frequencyOf(
        Tuple.of(2, objectWrites),
        Tuple.of(2, objectRemoves),
        Tuple.of(4, keyWrites),
        Tuple.of(3, keyRemoves),
        Tuple.of(3, deepWrites),
        Tuple.of(2, deepRemoves));
  }
}
