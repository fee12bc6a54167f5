package dev.patchbay.core.patch;

import dev.patchbay.core.JsonAssertions;
import dev.patchbay.core.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Convergence of the stateless transform as the sync walk uses it (protocol §4.1): random documents
 * and random patches made from the same state, every patch valid (it applies strictly where it was
 * made), every transformed patch applied strictly.
 *
 * <p>The op mix is what the reference (0.28.1) converges on: object members replaced, added and
 * removed (also inside array elements), {@code @inc} on object members, array elements inserted and
 * removed, and {@code @txt} inserts and deletes. Left out, with the reason (each was found by these
 * properties as a counterexample that the reference computes the same way):
 *
 * <ul>
 *   <li>Replacing a whole array element. Other ops are filtered past it with the object-key rule,
 *       which compares paths literally: an op on the replaced element that sits behind an insert or
 *       removal in its own patch is not recognised and survives, aimed at the new value.
 *   <li>Moving array elements. Ops on the moved element follow it to its destination index without
 *       the index shifts made earlier in their own patch, so a patch that removes an element and
 *       then works on the moved one misses it by one.
 *   <li>Moving or copying object members. Two concurrent moves into the same key leave the ops that
 *       followed the first move aimed at a value the second one overwrote, and a copy whose source
 *       a concurrent change overwrote leaves a ghost the queued ops build on; both commit ops that
 *       fail strict apply. Upstream fixed the copy case after 0.28.1 (DAB-1236); we stay
 *       wire-compatible with 0.28.1, so the limitation is theirs and ours.
 *   <li>{@code @inc} (and the other in-place ops) on an array element. Against a concurrent removal
 *       of that element one half of the diamond keeps the removal while the other resurrects the
 *       element ({@code add null} + {@code @inc}), so a later queued insert is shifted past the end
 *       of the array.
 * </ul>
 */
class TransformProperties {

  /** What a generated op does; its target and value come from two numbers picked modulo. */
  enum Kind {
    REPLACE_MEMBER,
    ADD_MEMBER,
    REMOVE_MEMBER,
    INSERT_ELEMENT,
    REMOVE_ELEMENT,
    INCREMENT_MEMBER,
    INSERT_TEXT,
    DELETE_TEXT
  }

  /** One generated op, resolved against the document as it is when the op is made. */
  record Intent(Kind kind, int target, int value) {}

  /**
   * Mirrors upstream {@code full-transforms.spec.ts}: client 1 made p1, client 2 made p2, p1
   * reached the server first. The server and client 1 apply p1 then p2 transformed past it; client
   * 2 gets p1 from the server and applies the same transformed p2 after it. All three must agree,
   * in both orders of arrival, and the transformed patch must apply strictly (it never refers to a
   * path that does not exist).
   */
  @Property(tries = 1000)
  void transform_twoPatchesFromOneState_serverAndBothClientsAgree(
      @ForAll("documents") JsonNode start,
      @ForAll("patches") List<Intent> intents1,
      @ForAll("patches") List<Intent> intents2) {
    List<PatchOp> p1 = realize(start, intents1);
    List<PatchOp> p2 = realize(start, intents2);
    assertConverges(start, p1, p2);
    assertConverges(start, p2, p1);
  }

  /**
   * The OT diamond of the server commit (and of the client rebase, which walks the same one): a
   * committed change c meets a queue of two changes q1, q2 made one after the other. q1 is
   * transformed past c, c is advanced past q1 ({@code otherOpsFirst}), q2 is transformed past the
   * advanced c. The advanced c must apply in q1's frame and the whole committed log c, q1', q2'
   * must apply strictly: this is what keeps the log replayable on every replica.
   *
   * <p>Only the queue inserts into arrays here. Inserts of both sides at one index tie, and the
   * reference breaks ties one-sidedly (documented upstream in {@code rebaseChanges.ts}): q1' puts
   * the queued element first while c' puts the committed one first, so a later queued op that
   * addresses one of them by index can land on the other.
   */
  @Property(tries = 1000)
  void transform_queueOfTwoPastCommittedChange_committedLogAppliesStrictly(
      @ForAll("documents") JsonNode start,
      @ForAll("patchesWithoutInserts") List<Intent> committed,
      @ForAll("patches") List<Intent> queued1,
      @ForAll("patches") List<Intent> queued2) {
    List<PatchOp> c = realize(start, committed);
    List<PatchOp> q1 = realize(start, queued1);
    List<PatchOp> q2 = realize(strict(start, q1), queued2);

    List<PatchOp> q1t = JsonPatch.transform(null, c, q1, false);
    List<PatchOp> cAdvanced = JsonPatch.transform(null, q1, c, true);
    List<PatchOp> q2t = JsonPatch.transform(null, cAdvanced, q2, false);
    try {
      strict(strict(start, q1), cAdvanced);
      strict(strict(strict(start, c), q1t), q2t);
    } catch (PatchApplyException e) {
      throw new AssertionError(
          "c=" + c + " q1=" + q1 + " q2=" + q2 + " q1'=" + q1t + " c'=" + cAdvanced + " q2'=" + q2t,
          e);
    }
  }

  private static void assertConverges(JsonNode start, List<PatchOp> p1, List<PatchOp> p2) {
    JsonNode client1 = strict(start, p1);
    JsonNode server = strict(start, p1);
    List<PatchOp> p2t = JsonPatch.transform(null, p1, p2, false);
    server = strict(server, JsonPatch.transform(null, p1, p2, false));
    client1 = strict(client1, p2t);
    JsonNode client2 = strict(strict(start, p1), p2t);
    JsonAssertions.assertJsonEquals(server, client1);
    JsonAssertions.assertJsonEquals(server, client2);
  }

  private static @Nullable JsonNode strict(@Nullable JsonNode doc, List<PatchOp> ops) {
    return JsonPatch.apply(doc, ops, ApplyOptions.STRICT);
  }

  @Provide
  Arbitrary<List<Intent>> patches() {
    return patchesOf(Arbitraries.of(Kind.class));
  }

  @Provide
  Arbitrary<List<Intent>> patchesWithoutInserts() {
    return patchesOf(Arbitraries.of(Kind.class).filter(k -> k != Kind.INSERT_ELEMENT));
  }

  private static Arbitrary<List<Intent>> patchesOf(Arbitrary<Kind> kinds) {
    Arbitrary<Intent> intent =
        Combinators.combine(
                kinds, Arbitraries.integers().between(0, 20), Arbitraries.integers().between(0, 20))
            .as(Intent::new);
    return intent.list().ofMinSize(1).ofMaxSize(3);
  }

  @Provide
  Arbitrary<JsonNode> documents() {
    Arbitrary<List<Integer>> numbers = Arbitraries.integers().between(0, 9).list().ofMaxSize(4);
    Arbitrary<Integer> number = Arbitraries.integers().between(0, 9);
    Arbitrary<String> word = Arbitraries.of("hello", "ab", "x", "text");
    return Combinators.combine(numbers, numbers, number, number, word)
        .as(
            (list, items, a, x, text) -> {
              ObjectNode doc = Json.object();
              doc.put("a", a);
              ObjectNode o = doc.putObject("o");
              o.put("x", x);
              o.put("y", "s" + x);
              ArrayNode listNode = doc.putArray("list");
              list.forEach(listNode::add);
              ArrayNode itemsNode = doc.putArray("items");
              for (int v : items) {
                itemsNode.addObject().put("v", v);
              }
              doc.putObject("text").putArray("ops").addObject().put("insert", text + "\n");
              return doc;
            });
  }

  /** Turns intents into a valid patch: each op is made against the result of the ones before. */
  static List<PatchOp> realize(JsonNode start, List<Intent> intents) {
    List<PatchOp> ops = new ArrayList<>();
    JsonNode doc = start;
    for (Intent intent : intents) {
      PatchOp op = toOp(doc, intent);
      if (op != null) {
        doc = strict(doc, List.of(op));
        ops.add(op);
      }
    }
    return ops;
  }

  private static @Nullable PatchOp toOp(JsonNode doc, Intent in) {
    Targets t = new Targets();
    t.collect(doc, "");
    JsonNode value = Json.number(in.value());
    switch (in.kind()) {
      case REPLACE_MEMBER:
        return t.members.isEmpty() ? null : PatchOp.replace(pick(t.members, in.target()), value);
      case ADD_MEMBER:
        return PatchOp.add(pick(t.objects, in.target()) + "/k" + in.value() % 3, value);
      case REMOVE_MEMBER:
        return t.members.isEmpty() ? null : PatchOp.remove(pick(t.members, in.target()));
      case INSERT_ELEMENT:
        {
          if (t.arrays.isEmpty()) {
            return null;
          }
          String array = pick(t.arrays, in.target());
          int index = in.value() % (doc.at(array).size() + 1);
          return PatchOp.add(array + "/" + index, value);
        }
      case REMOVE_ELEMENT:
        {
          String element = t.element(doc, in);
          return element == null ? null : PatchOp.remove(element);
        }
      case INCREMENT_MEMBER:
        return t.numbers.isEmpty()
            ? null
            : PatchOp.of("@inc", pick(t.numbers, in.target()), Json.number(1 + in.value()));
      case INSERT_TEXT:
      case DELETE_TEXT:
        return textOp(doc, in);
      default:
        throw new AssertionError(in.kind());
    }
  }

  private static @Nullable PatchOp textOp(JsonNode doc, Intent in) {
    JsonNode text = doc.at("/text/ops");
    if (!text.isArray()) {
      return null;
    }
    int length = 0;
    for (JsonNode op : text) {
      length += op.get("insert").stringValue().length();
    }
    // Edits stay before the final newline every text keeps.
    int position = in.value() % length;
    ArrayNode delta = Json.array();
    if (position > 0) {
      delta.addObject().put("retain", position);
    }
    if (in.kind() == Kind.INSERT_TEXT) {
      delta.addObject().put("insert", String.valueOf((char) ('A' + in.target() % 26)));
    } else if (position < length - 1) {
      delta.addObject().put("delete", 1);
    } else {
      return null;
    }
    return PatchOp.of("@txt", "/text", delta);
  }

  private static String pick(List<String> paths, int n) {
    return paths.get(n % paths.size());
  }

  /** The paths a generated op may aim at, collected from the current document. */
  private static final class Targets {
    final List<String> members = new ArrayList<>();
    final List<String> objects = new ArrayList<>();
    final List<String> arrays = new ArrayList<>();
    final List<String> numbers = new ArrayList<>();

    void collect(JsonNode node, String path) {
      if (node.isObject()) {
        objects.add(path);
        for (Map.Entry<String, JsonNode> e : node.properties()) {
          String p = path + "/" + Paths.escape(e.getKey());
          if (p.equals("/text")) {
            // The text field changes only through @txt.
            continue;
          }
          members.add(p);
          if (e.getValue().isNumber()) {
            numbers.add(p);
          }
          collect(e.getValue(), p);
        }
      } else if (node.isArray()) {
        arrays.add(path);
        for (int i = 0; i < node.size(); i++) {
          collect(node.get(i), path + "/" + i);
        }
      }
    }

    /** Returns an existing element of some non-empty array, or null when there is none. */
    @Nullable String element(JsonNode doc, Intent in) {
      List<String> nonEmpty = new ArrayList<>();
      for (String array : arrays) {
        if (!doc.at(array).isEmpty()) {
          nonEmpty.add(array);
        }
      }
      if (nonEmpty.isEmpty()) {
        return null;
      }
      String array = pick(nonEmpty, in.target());
      return array + "/" + in.value() % doc.at(array).size();
    }
  }
}
