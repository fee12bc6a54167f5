package dev.patchbay.core.patch;

import static dev.patchbay.core.JsonAssertions.assertJsonEquals;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** {@link JsonPatch#compose} never changes what a patch does, and never grows it. */
class ComposeProperties {

  @Provide
  Arbitrary<RandomPatches.Case> cases() {
    return Arbitraries.longs().map(seed -> new RandomPatches(seed).next());
  }

  @Property(tries = 1000)
  void compose_appliesToTheSameDocument(@ForAll("cases") RandomPatches.Case c) {
    List<PatchOp> composed = JsonPatch.compose(c.ops());

    assertThat(composed.size()).isLessThanOrEqualTo(c.ops().size());
    assertJsonEquals(
        JsonPatch.apply(c.doc(), c.ops(), ApplyOptions.STRICT),
        JsonPatch.apply(c.doc(), composed, ApplyOptions.STRICT));
  }
}
