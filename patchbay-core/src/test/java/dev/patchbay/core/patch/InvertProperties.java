package dev.patchbay.core.patch;

import static dev.patchbay.core.JsonAssertions.assertJsonEquals;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import tools.jackson.databind.JsonNode;

/** {@link JsonPatch#invert} undoes any valid patch, and inverting never touches its inputs. */
class InvertProperties {

  @Provide
  Arbitrary<RandomPatches.Case> cases() {
    return Arbitraries.longs().map(seed -> new RandomPatches(seed).next());
  }

  @Property(tries = 1000)
  void invert_appliedAfterThePatch_restoresTheDocument(@ForAll("cases") RandomPatches.Case c) {
    JsonNode doc = c.doc();
    JsonNode pristine = doc.deepCopy();

    JsonNode after = JsonPatch.apply(doc, c.ops(), ApplyOptions.STRICT);
    List<PatchOp> inverse = JsonPatch.invert(doc, c.ops());
    JsonNode restored = JsonPatch.apply(after, inverse, ApplyOptions.STRICT);

    assertJsonEquals(pristine, restored);
    assertJsonEquals(pristine, doc);
  }

  @Property(tries = 1000)
  void invert_ofTheInverse_redoesThePatch(@ForAll("cases") RandomPatches.Case c) {
    JsonNode after = JsonPatch.apply(c.doc(), c.ops(), ApplyOptions.STRICT);
    List<PatchOp> inverse = JsonPatch.invert(c.doc(), c.ops());
    List<PatchOp> redo = JsonPatch.invert(after, inverse);

    assertJsonEquals(after, JsonPatch.apply(c.doc(), redo, ApplyOptions.STRICT));
  }
}
