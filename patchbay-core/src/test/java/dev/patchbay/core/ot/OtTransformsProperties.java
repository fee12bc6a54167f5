package dev.patchbay.core.ot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.patch.PatchOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * The server's commit transform and the client's rebase walk the same diamond, so for the same
 * concurrent edits they must produce the same ops: that agreement is what makes a client that
 * rebased its queue converge with the server that later commits it.
 */
class OtTransformsProperties {

  @Property(tries = 1000)
  void serverTransformAndClientRebase_agreeOnEveryOp(
      @ForAll @Size(min = 1, max = 3) List<@From("patches") List<PatchOp>> committedOps,
      @ForAll @Size(min = 1, max = 3) List<@From("patches") List<PatchOp>> queueOps) {
    long base = 5;
    List<Change> committed = new ArrayList<>();
    for (int i = 0; i < committedOps.size(); i++) {
      committed.add(Change.of("s" + i, base, base + 1 + i, committedOps.get(i), 0));
    }
    List<Change> queue = new ArrayList<>();
    for (int i = 0; i < queueOps.size(); i++) {
      queue.add(Change.of("q" + i, base, base + 1 + i, queueOps.get(i), 0));
    }
    long head = base + committed.size();

    List<Change> onServer =
        OtTransforms.transformIncomingChanges(queue, committed, head, false, Set.of());
    List<Change> onClient = OtTransforms.rebaseChanges(committed, queue);

    assertThat(onClient)
        .extracting(Change::ops)
        .isEqualTo(onServer.stream().map(Change::ops).toList());
    assertThat(onClient)
        .extracting(Change::rev)
        .isEqualTo(onServer.stream().map(Change::rev).toList());
    assertThat(onClient).allSatisfy(c -> assertThat(c.baseRev()).isEqualTo(head));
    assertThat(onServer).allSatisfy(c -> assertThat(c.baseRev()).isEqualTo(base));
  }

  @Property(tries = 1000)
  void rebaseChanges_ownChangesInTheLog_areNeverTransformedAgainst(
      @ForAll @Size(min = 1, max = 3) List<@From("patches") List<PatchOp>> queueOps) {
    List<Change> queue = new ArrayList<>();
    for (int i = 0; i < queueOps.size(); i++) {
      queue.add(Change.of("q" + i, 5, 6 + i, queueOps.get(i), 0));
    }
    // The server committed the head of the queue as it was: the rest needs no transformation.
    Change head = queue.get(0).withRev(6);

    List<Change> rebased = OtTransforms.rebaseChanges(List.of(head), queue);

    List<Change> expected = new ArrayList<>();
    long rev = 6;
    for (Change c : queue.subList(1, queue.size())) {
      if (!c.ops().isEmpty()) {
        expected.add(c.withRevs(6, ++rev));
      }
    }
    assertThat(rebased).isEqualTo(expected);
  }

  @Provide
  Arbitrary<List<PatchOp>> patches() {
    return op().list().ofMinSize(0).ofMaxSize(3);
  }

  private Arbitrary<PatchOp> op() {
    Arbitrary<String> arrayPath = Arbitraries.integers().between(0, 4).map(i -> "/list/" + i);
    Arbitrary<String> keyPath = Arbitraries.of("/a", "/b", "/obj/x", "/obj/y", "/obj");
    Arbitrary<String> anyPath = Arbitraries.oneOf(arrayPath, keyPath);
    Arbitrary<Integer> value = Arbitraries.integers().between(0, 9);
    return Arbitraries.oneOf(
        Combinators.combine(anyPath, value).as((p, v) -> PatchOp.add(p, Json.NODES.numberNode(v))),
        Combinators.combine(anyPath, value)
            .as((p, v) -> PatchOp.replace(p, Json.NODES.numberNode(v))),
        anyPath.map(PatchOp::remove),
        Combinators.combine(keyPath, value)
            .as((p, v) -> PatchOp.of("@inc", p, Json.NODES.numberNode(v))),
        Combinators.combine(arrayPath, arrayPath).as(PatchOp::move));
  }
}
