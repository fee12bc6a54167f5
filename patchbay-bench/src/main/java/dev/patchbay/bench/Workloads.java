package dev.patchbay.bench;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.patch.PatchOp;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The realistic document and patch mix of the core benchmarks: a 100-key document (numbers,
 * strings, small objects and arrays) with a 2,000-character text field, and patches of 1–5 ops
 * drawn from replace, {@code @inc}, {@code @txt} edits, array inserts and removes. Seeded, so every
 * run measures the same work.
 */
final class Workloads {
  static final int KEYS = 100;
  static final int TEXT_LENGTH = 2_000;

  private Workloads() {}

  /** Returns the benchmark document. */
  static JsonNode document() {
    SplittableRandom random = new SplittableRandom(42);
    ObjectNode doc = Json.object();
    for (int i = 0; i < KEYS - 2; i++) {
      switch (i % 4) {
        case 0 -> doc.put("k" + i, random.nextInt(1_000));
        case 1 -> doc.put("k" + i, "value-" + random.nextInt(1_000_000));
        case 2 -> {
          ObjectNode child = doc.putObject("k" + i);
          child.put("name", "item " + i);
          child.put("done", random.nextBoolean());
          child.put("count", random.nextInt(100));
        }
        default -> {
          ArrayNode array = doc.putArray("k" + i);
          for (int j = 0; j < 5; j++) {
            array.add("e" + j);
          }
        }
      }
    }
    doc.putArray("list").add(1).add(2).add(3).add(4).add(5).add(6).add(7).add(8);
    StringBuilder text = new StringBuilder(TEXT_LENGTH + 1);
    while (text.length() < TEXT_LENGTH) {
      text.append("The quick brown fox jumps over the lazy dog. ");
    }
    text.setLength(TEXT_LENGTH);
    text.append('\n');
    ObjectNode body = doc.putObject("body");
    body.putArray("ops").addObject().put("insert", text.toString());
    return doc;
  }

  /** Returns {@code count} patches of 1–5 ops each, valid against {@link #document()}. */
  static List<List<PatchOp>> patches(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<List<PatchOp>> patches = new ArrayList<>(count);
    for (int p = 0; p < count; p++) {
      int size = 1 + random.nextInt(5);
      List<PatchOp> ops = new ArrayList<>(size);
      for (int o = 0; o < size; o++) {
        ops.add(randomOp(random));
      }
      patches.add(List.copyOf(ops));
    }
    return patches;
  }

  private static PatchOp randomOp(SplittableRandom random) {
    int key = random.nextInt(KEYS - 2);
    switch (random.nextInt(6)) {
      case 0:
        // String-valued keys (i % 4 == 1) only, so later ops of the patch still find objects.
        return PatchOp.replace("/k" + (key - key % 4 + 1), Json.number(random.nextInt(1_000)));
      case 1:
        return PatchOp.of("@inc", "/k" + (key - key % 4), Json.number(1 + random.nextInt(5)));
      case 2:
      case 3:
        {
          ArrayNode delta = Json.array();
          int at = random.nextInt(TEXT_LENGTH);
          if (at > 0) {
            delta.addObject().put("retain", at);
          }
          if (random.nextBoolean()) {
            delta.addObject().put("insert", "typed ");
          } else {
            delta.addObject().put("delete", 1 + random.nextInt(4));
          }
          return PatchOp.of("@txt", "/body", delta);
        }
      case 4:
        return PatchOp.add("/list/" + random.nextInt(8), Json.number(random.nextInt(100)));
      default:
        return PatchOp.replace(
            "/k" + (key - key % 4 + 2) + "/name", Json.NODES.stringNode("renamed"));
    }
  }
}
