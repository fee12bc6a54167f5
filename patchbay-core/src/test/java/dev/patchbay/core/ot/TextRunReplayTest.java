package dev.patchbay.core.ot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.patch.ApplyOptions;
import dev.patchbay.core.patch.JsonPatch;
import dev.patchbay.core.patch.PatchOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * History replay buffers runs of plain text edits (TextRun); the result and the skipped changes
 * must be exactly those of applying every change on its own. Random histories mix plain edits with
 * everything that must end or bypass a run: attributes, overruns, deletes of the whole text, other
 * texts, writes of the text's parent, removal and replacement of the text, moves and copies of it,
 * array shifts above it, failing ops, and unrelated writes.
 */
class TextRunReplayTest {
  private static final String START =
      "{\"body\":{\"ops\":[{\"insert\":\"hello world\\n\"}]},\"k\":0,"
          + "\"nested\":{\"t\":{\"ops\":[{\"insert\":\"abc\\n\"}]}},"
          + "\"list\":[{\"ops\":[{\"insert\":\"x\\n\"}]},{\"ops\":[{\"insert\":\"y\\n\"}]}]}";

  @Test
  void randomHistories_replayExactlyAsChangeByChange() {
    for (long seed = 1; seed <= 3_000; seed++) {
      Random random = new Random(seed);
      List<Change> changes = new ArrayList<>();
      int n = 1 + random.nextInt(40);
      for (int i = 0; i < n; i++) {
        changes.add(Change.of("c" + i, i, i + 1, randomOps(random), 1L));
      }
      JsonNode start = Json.parse(START);
      List<Integer> skipped = new ArrayList<>();
      JsonNode actual =
          ChangeApplier.applyChangesForReconstruction(
              start, changes, false, s -> skipped.add(s.index()));
      List<Integer> expectedSkipped = new ArrayList<>();
      JsonNode expected = changeByChange(start, changes, expectedSkipped);
      assertThat(actual).as("seed %d", seed).isEqualTo(expected);
      assertThat(skipped).as("seed %d", seed).isEqualTo(expectedSkipped);
    }
  }

  /** The run's gap buffer against a plain builder, over random inserts and deletes anywhere. */
  @Test
  void gapText_randomEdits_matchAPlainBuilder() {
    for (long seed = 1; seed <= 300; seed++) {
      Random random = new Random(seed);
      String start = "abc".repeat(random.nextInt(5));
      TextRun.GapText gap = new TextRun.GapText(start);
      StringBuilder plain = new StringBuilder(start);
      for (int step = 0; step < 200; step++) {
        int at = random.nextInt(plain.length() + 1);
        if (random.nextInt(3) > 0 || plain.length() == at) {
          String s = "x".repeat(random.nextInt(random.nextInt(10) == 0 ? 100 : 4)) + step;
          gap.insert(at, s);
          plain.insert(at, s);
        } else {
          int n = 1 + random.nextInt(plain.length() - at);
          gap.delete(at, n);
          plain.delete(at, at + n);
        }
        assertThat(gap.length()).isEqualTo(plain.length());
        if (plain.length() > 0) {
          assertThat(gap.last()).isEqualTo(plain.charAt(plain.length() - 1));
        }
      }
      assertThat(gap.toString()).as("seed %d", seed).isEqualTo(plain.toString());
    }
  }

  @Test
  void longRunOfFrontInserts_isTheTextWithEveryInsert() {
    List<Change> changes = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      ArrayNode delta = Json.array();
      delta.addObject().put("insert", i + " ");
      changes.add(
          Change.of(
              "c" + i,
              i,
              i + 1,
              List.of(PatchOp.of("@txt", "/body", delta), PatchOp.replace("/k", Json.number(i))),
              1L));
    }
    JsonNode start = Json.parse(START);
    JsonNode actual = ChangeApplier.applyChangesForReconstruction(start, changes);
    assertThat(actual).isEqualTo(changeByChange(start, changes, new ArrayList<>()));
    assertThat(actual.at("/body/ops/0/insert").asString()).startsWith("499 498 ");
  }

  private static JsonNode changeByChange(
      JsonNode state, List<Change> changes, List<Integer> skipped) {
    JsonNode current = state;
    for (int i = 0; i < changes.size(); i++) {
      try {
        current = JsonPatch.apply(current, changes.get(i).ops(), ApplyOptions.STRICT);
      } catch (RuntimeException e) {
        skipped.add(i);
      }
    }
    return current;
  }

  private static List<PatchOp> randomOps(Random random) {
    List<PatchOp> ops = new ArrayList<>();
    int count = 1 + random.nextInt(3);
    for (int i = 0; i < count; i++) {
      ops.add(randomOp(random));
    }
    return ops;
  }

  private static PatchOp randomOp(Random random) {
    int kind = random.nextInt(100);
    if (kind < 55) {
      return PatchOp.of("@txt", "/body", randomDelta(random));
    }
    if (kind < 62) {
      return PatchOp.of("@txt", "/nested/t", randomDelta(random));
    }
    if (kind < 66) {
      return PatchOp.of("@txt", "/list/" + random.nextInt(3), randomDelta(random));
    }
    if (kind < 76) {
      return PatchOp.replace("/k", Json.number(random.nextInt(100)));
    }
    switch (kind) {
      case 76:
        return PatchOp.remove("/body");
      case 77:
        return PatchOp.of("add", "/body", Json.parse("{\"ops\":[{\"insert\":\"new\\n\"}]}"));
      case 78:
        return PatchOp.replace("/body", Json.NODES.stringNode("plain string"));
      case 79:
        return PatchOp.copy("/body", "/copy");
      case 80:
        return PatchOp.move("/body", "/moved");
      case 81:
        return PatchOp.move("/moved", "/body");
      case 82:
        return PatchOp.remove("/nested");
      case 83:
        return PatchOp.of("add", "/list/0", Json.parse("{\"ops\":[{\"insert\":\"z\\n\"}]}"));
      case 84:
        return PatchOp.remove("/list/0");
      case 85:
        return PatchOp.remove("/missing"); // fails: the change is skipped
      case 86:
        return PatchOp.of("test", "/k", Json.number(random.nextInt(3)));
      case 87:
        return PatchOp.replace("", Json.parse(START));
      case 88:
        return PatchOp.of("@txt", "/body", Json.parse("{\"ops\":[{\"insert\":\"wrapped\"}]}"));
      case 89:
        return PatchOp.of("@txt", "/body", Json.NODES.stringNode("not a delta"));
      case 90:
        return PatchOp.replace("/body/ops/0/insert", Json.NODES.stringNode("edited\n"));
      default:
        return PatchOp.of("add", "/other" + random.nextInt(3), Json.number(1));
    }
  }

  /** Mostly plain Deltas near the text's length; some overrun, carry attributes or are odd. */
  private static ArrayNode randomDelta(Random random) {
    ArrayNode delta = Json.array();
    int ops = 1 + random.nextInt(3);
    for (int i = 0; i < ops; i++) {
      int kind = random.nextInt(20);
      ObjectNode op = delta.addObject();
      if (kind < 9) {
        op.put("insert", random.nextInt(4) == 0 ? "\n" : "w" + random.nextInt(10));
      } else if (kind < 14) {
        op.put("retain", 1 + random.nextInt(random.nextInt(8) == 0 ? 60 : 8));
      } else if (kind < 18) {
        op.put("delete", 1 + random.nextInt(random.nextInt(8) == 0 ? 60 : 4));
      } else if (kind == 18) {
        op.put("insert", "bold");
        op.set("attributes", Json.parse("{\"bold\":true}"));
      } else {
        op.put("retain", 0); // not plain
      }
    }
    return delta;
  }
}
