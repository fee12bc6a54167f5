package dev.patchbay.core.lww;

import static dev.patchbay.core.JsonAssertions.assertJsonEquals;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
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
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.constraints.IntRange;
import tools.jackson.databind.JsonNode;

/**
 * Convergence of last-write-wins: a server that receives the same ops in another order, one commit
 * each, ends in the same state.
 *
 * <p>The ops are drawn from the space where the upstream rules are order-independent by design:
 * distinct timestamps (a tie goes to whichever op arrives second), one kind of delta op per path (a
 * delta stored as a concrete {@code replace} can no longer commute with a value write), no soft
 * writes, and parents that only ever receive primitives (a parent object written before or after a
 * child is kept or replaced by arrival order, as upstream does).
 */
class LwwProperties {
  private static final List<String> PARENTS = List.of("/a", "/b");
  private static final List<String> LEAVES = List.of("/a/x", "/a/y", "/b/x", "/c", "/d");

  private enum Mode {
    VALUE,
    INC,
    MAX,
    MIN,
    BIT_ON
  }

  @Property(tries = 1000)
  void consolidate_sameOpsInAnyOrder_giveTheSameState(
      @ForAll("opsAndShuffle") Tuple2<List<PatchOp>, List<PatchOp>> ops) {
    JsonNode inOrder = commitOneByOne(ops.get1());
    JsonNode shuffled = commitOneByOne(ops.get2());

    assertJsonEquals(inOrder, shuffled);
  }

  @Property(tries = 1000)
  void combineBitmasks_equalsApplyingBothMasks(
      @ForAll @IntRange(min = 0, max = 0x3fffffff) int number,
      @ForAll @IntRange(min = 0, max = 0x3fffffff) int first,
      @ForAll @IntRange(min = 0, max = 0x3fffffff) int second) {
    int stepByStep = DeltaOps.applyBitmask(DeltaOps.applyBitmask(number, first), second);
    int combined = DeltaOps.applyBitmask(number, DeltaOps.combineBitmasks(first, second));

    assertThat(combined).isEqualTo(stepByStep);
  }

  private static JsonNode commitOneByOne(List<PatchOp> ops) {
    Map<String, PatchOp> rows = new LinkedHashMap<>();
    long rev = 0;
    for (PatchOp op : ops) {
      Consolidation c = Lww.consolidate(rows.values(), List.of(op));
      if (c.changesRows()) {
        rows = c.commitTo(rows, ++rev);
      }
    }
    return Lww.buildState(null, 0, rows.values());
  }

  @Provide
  Arbitrary<Tuple2<List<PatchOp>, List<PatchOp>>> opsAndShuffle() {
    return ops()
        .flatMap(list -> Arbitraries.shuffle(list).map(shuffled -> Tuple.of(list, shuffled)));
  }

  private Arbitrary<List<PatchOp>> ops() {
    Arbitrary<Map<String, Mode>> modes =
        Arbitraries.of(Mode.class)
            .list()
            .ofSize(LEAVES.size())
            .map(
                list -> {
                  Map<String, Mode> byPath = new LinkedHashMap<>();
                  for (int i = 0; i < LEAVES.size(); i++) {
                    byPath.put(LEAVES.get(i), list.get(i));
                  }
                  return byPath;
                });
    return modes.flatMap(
        byPath ->
            Combinators.combine(
                    draft(byPath).list().ofMinSize(1).ofMaxSize(14),
                    Arbitraries.integers().between(1, 1_000_000).set().ofSize(14))
                .as(
                    (drafts, timestamps) -> {
                      List<Long> ts = new ArrayList<>();
                      timestamps.forEach(t -> ts.add(1_700_000_000_000L + t));
                      List<PatchOp> ops = new ArrayList<>(drafts.size());
                      for (int i = 0; i < drafts.size(); i++) {
                        ops.add(drafts.get(i).withTs(ts.get(i)));
                      }
                      return ops;
                    }));
  }

  private Arbitrary<PatchOp> draft(Map<String, Mode> modes) {
    Arbitrary<PatchOp> parentWrites =
        Combinators.combine(Arbitraries.of(PARENTS), primitives())
            .as((path, value) -> PatchOp.replace(path, value));
    Arbitrary<PatchOp> leafWrites =
        Arbitraries.of(LEAVES).flatMap(path -> leafOp(path, modes.get(path)));
    return Arbitraries.frequencyOf(Tuple.of(1, parentWrites), Tuple.of(4, leafWrites));
  }

  private Arbitrary<PatchOp> leafOp(String path, Mode mode) {
    Arbitrary<Integer> small = Arbitraries.integers().between(-50, 50);
    switch (mode) {
      case INC:
        return small.map(n -> PatchOp.of("@inc", path, Json.NODES.numberNode(n)));
      case MAX:
        return small.map(n -> PatchOp.of("@max", path, Json.NODES.numberNode(n)));
      case MIN:
        return small.map(n -> PatchOp.of("@min", path, Json.NODES.numberNode(n)));
      case BIT_ON:
        return Arbitraries.integers()
            .between(0, 0x7fff)
            .map(n -> PatchOp.of("@bit", path, Json.NODES.numberNode(n)));
      default:
        return Arbitraries.frequencyOf(
            Tuple.of(1, Arbitraries.just(PatchOp.remove(path))),
            Tuple.of(3, values().map(v -> PatchOp.replace(path, v))));
    }
  }

  private static Arbitrary<JsonNode> primitives() {
    return Arbitraries.oneOf(
        Arbitraries.integers().between(-5, 5).map(n -> (JsonNode) Json.NODES.numberNode(n)),
        Arbitraries.of("x", "y", "").map(s -> (JsonNode) Json.NODES.stringNode(s)),
        Arbitraries.of(true, false).map(b -> (JsonNode) Json.NODES.booleanNode(b)),
        Arbitraries.just(Json.NODES.nullNode()));
  }

  private static Arbitrary<JsonNode> values() {
    Arbitrary<JsonNode> objects =
        Arbitraries.maps(Arbitraries.of("k", "l", "m"), primitives())
            .ofMaxSize(2)
            .map(
                map -> {
                  var node = Json.object();
                  map.forEach(node::set);
                  return (JsonNode) node;
                });
    Arbitrary<JsonNode> arrays =
        primitives()
            .list()
            .ofMaxSize(2)
            .map(
                list -> {
                  var node = Json.array();
                  list.forEach(node::add);
                  return (JsonNode) node;
                });
    return Arbitraries.frequencyOf(
        Tuple.of(4, primitives()), Tuple.of(1, objects), Tuple.of(1, arrays));
  }
}
