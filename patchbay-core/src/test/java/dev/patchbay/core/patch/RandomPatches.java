package dev.patchbay.core.patch;

import dev.patchbay.core.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Random documents and random patches that are valid against them, for property tests. Each op is
 * built against the document as the earlier ops of the patch left it, and checked by applying it
 * strictly, so a generated patch never fails.
 */
final class RandomPatches {
  private static final String[] KEYS = {"a", "b", "c", "d", "a/b", "t~x"};
  private static final String[] WORDS = {"", "x", "hello", "2024-01-15", "2024-02-01", "~"};

  private final Random random;

  RandomPatches(long seed) {
    this.random = new Random(seed);
  }

  /** A document and a patch valid against it. */
  record Case(JsonNode doc, List<PatchOp> ops) {
    @Override
    public String toString() {
      return "doc=" + Json.write(doc) + " ops=" + Json.write(PatchOp.listToJson(ops));
    }
  }

  Case next() {
    return nextOn(randomObject(3));
  }

  /** A patch valid against {@code doc} (for two patches made concurrently on one document). */
  Case nextOn(JsonNode doc) {
    List<PatchOp> ops = new ArrayList<>();
    JsonNode state = doc;
    int count = 1 + random.nextInt(8);
    for (int attempt = 0; ops.size() < count && attempt < 50; attempt++) {
      PatchOp op = randomOp(state);
      if (op == null) {
        continue;
      }
      // Valid by construction: a strict failure here is a bug in the engine or the generator.
      state = JsonPatch.apply(state, List.of(op), ApplyOptions.STRICT);
      ops.add(op);
    }
    return new Case(doc, List.copyOf(ops));
  }

  // ---- documents ----

  private JsonNode randomValue(int depth) {
    int kind = random.nextInt(depth > 0 ? 9 : 6);
    switch (kind) {
      case 0:
        return Json.NODES.numberNode(random.nextInt(200) - 100);
      case 1:
        return Json.NODES.stringNode(WORDS[random.nextInt(WORDS.length)]);
      case 2:
        return Json.NODES.booleanNode(random.nextBoolean());
      case 3:
        return Json.NODES.nullNode();
      case 4:
        return text(randomText());
      case 5:
        return Json.NODES.numberNode(random.nextInt(1 << 15));
      case 6:
      case 7:
        return randomObject(depth - 1);
      default:
        return randomArray(depth - 1);
    }
  }

  private ObjectNode randomObject(int depth) {
    ObjectNode object = Json.object();
    int size = random.nextInt(4);
    for (int i = 0; i < size; i++) {
      object.set(KEYS[random.nextInt(KEYS.length)], randomValue(depth));
    }
    return object;
  }

  private ArrayNode randomArray(int depth) {
    ArrayNode array = Json.array();
    int size = random.nextInt(4);
    for (int i = 0; i < size; i++) {
      array.add(randomValue(depth));
    }
    return array;
  }

  private String randomText() {
    StringBuilder sb = new StringBuilder();
    int length = random.nextInt(8);
    for (int i = 0; i < length; i++) {
      sb.append((char) ('a' + random.nextInt(5)));
    }
    return sb.append('\n').toString();
  }

  private static ObjectNode text(String s) {
    ObjectNode insert = Json.object().put("insert", s);
    ObjectNode doc = Json.object();
    doc.set("ops", Json.array().add(insert));
    return doc;
  }

  // ---- ops ----

  /** Every location in the document: its pointer and value. */
  private record Location(String path, JsonNode value) {}

  private static void locations(String path, JsonNode node, List<Location> out) {
    out.add(new Location(path, node));
    if (node.isObject() && !isText(node)) {
      for (var e : node.properties()) {
        locations(path + "/" + Paths.escape(e.getKey()), e.getValue(), out);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        locations(path + "/" + i, node.get(i), out);
      }
    }
  }

  private static int textLength(JsonNode text) {
    int length = 0;
    for (JsonNode op : text.get("ops")) {
      JsonNode insert = op.get("insert");
      length += insert.isString() ? insert.stringValue().length() : 1;
    }
    return length;
  }

  private static boolean isText(JsonNode node) {
    JsonNode ops = node.get("ops");
    return node.isObject() && node.size() == 1 && ops != null && ops.isArray();
  }

  private <T> T pick(List<T> list) {
    return list.get(random.nextInt(list.size()));
  }

  private @Nullable PatchOp randomOp(JsonNode state) {
    List<Location> all = new ArrayList<>();
    locations("", state, all);
    List<Location> nonRoot = all.subList(1, all.size());
    List<Location> objects = new ArrayList<>();
    List<Location> arrays = new ArrayList<>();
    List<Location> numbers = new ArrayList<>();
    List<Location> texts = new ArrayList<>();
    List<Location> strings = new ArrayList<>();
    for (Location l : all) {
      JsonNode v = l.value();
      if (isText(v)) {
        texts.add(l);
      } else if (v.isObject()) {
        objects.add(l);
      } else if (v.isArray()) {
        arrays.add(l);
      } else if (v.isNumber()) {
        numbers.add(l);
      } else if (v.isString()) {
        strings.add(l);
      }
    }
    switch (random.nextInt(14)) {
      case 0: // add or overwrite an object member
        if (objects.isEmpty()) {
          return null;
        }
        return PatchOp.add(memberOf(pick(objects)), randomValue(2));
      case 1: // insert into an array
        {
          if (arrays.isEmpty()) {
            return null;
          }
          Location a = pick(arrays);
          int size = a.value().size();
          String index = random.nextInt(4) == 0 ? "-" : Integer.toString(random.nextInt(size + 1));
          return PatchOp.add(a.path() + "/" + index, randomValue(2));
        }
      case 2: // add below missing parents
        {
          if (objects.isEmpty()) {
            return null;
          }
          String parent = pick(objects).path() + "/new" + random.nextInt(3);
          String rest = random.nextBoolean() ? "/k" : (random.nextBoolean() ? "/0" : "/-");
          return isMissing(state, parent) ? PatchOp.add(parent + rest, randomValue(1)) : null;
        }
      case 3:
        return nonRoot.isEmpty() ? null : PatchOp.remove(pick(nonRoot).path());
      case 4: // replace anything, the root included, or set a missing member
        {
          if (random.nextInt(6) == 0 && !objects.isEmpty()) {
            return PatchOp.replace(memberOf(pick(objects)), randomValue(1));
          }
          Location l = pick(all);
          return PatchOp.replace(l.path(), l.path().isEmpty() ? randomObject(2) : randomValue(2));
        }
      case 5:
        return move(nonRoot, objects, arrays);
      case 6: // copy anywhere
        {
          if (nonRoot.isEmpty() || objects.isEmpty()) {
            return null;
          }
          return PatchOp.copy(pick(nonRoot).path(), memberOf(pick(objects)));
        }
      case 7: // @inc
        {
          String path =
              numbers.isEmpty() || random.nextInt(4) == 0
                  ? (objects.isEmpty() ? null : memberOf(pick(objects)))
                  : pick(numbers).path();
          if (path == null || !isMissingOrNumber(state, path)) {
            return null;
          }
          return PatchOp.of("@inc", path, Json.NODES.numberNode(random.nextInt(21) - 10));
        }
      case 8: // @bit
        {
          if (numbers.isEmpty()) {
            return null;
          }
          int mask = random.nextInt(1 << 30);
          return PatchOp.of("@bit", pick(numbers).path(), Json.NODES.numberNode(mask));
        }
      case 9: // @max / @min on numbers or strings
        {
          String op = random.nextBoolean() ? "@max" : "@min";
          if (!numbers.isEmpty() && random.nextBoolean()) {
            return PatchOp.of(
                op, pick(numbers).path(), Json.NODES.numberNode(random.nextInt(200) - 100));
          }
          if (!strings.isEmpty()) {
            return PatchOp.of(
                op,
                pick(strings).path(),
                Json.NODES.stringNode(WORDS[random.nextInt(WORDS.length)]));
          }
          return null;
        }
      case 10: // @txt on existing text or a new member
        {
          if (!texts.isEmpty() && random.nextInt(4) != 0) {
            Location t = pick(texts);
            return PatchOp.of("@txt", t.path(), randomEdit(textLength(t.value())));
          }
          if (objects.isEmpty()) {
            return null;
          }
          String path = memberOf(pick(objects));
          if (!isMissing(state, path)) {
            return null;
          }
          ArrayNode insert =
              Json.array().add(Json.object().put("insert", randomText().trim() + "z"));
          return PatchOp.of("@txt", path, insert);
        }
      case 11: // a passing test
        {
          Location l = pick(all);
          return PatchOp.of("test", l.path(), l.value());
        }
      case 12: // soft writes, applied or skipped
        {
          if (objects.isEmpty()) {
            return null;
          }
          String path = memberOf(pick(objects));
          JsonNode value = random.nextBoolean() ? Json.object() : randomValue(1);
          return new PatchOp(
              random.nextBoolean() ? "add" : "replace", path, null, value, true, null, null);
        }
      default: // replace an array element
        {
          List<Location> elements = new ArrayList<>();
          for (Location l : nonRoot) {
            if (Paths.isArrayPath(l.path()) && isInArray(state, l.path())) {
              elements.add(l);
            }
          }
          return elements.isEmpty() ? null : PatchOp.replace(pick(elements).path(), randomValue(1));
        }
    }
  }

  /** A move whose destination stays valid once the source is gone. */
  private @Nullable PatchOp move(
      List<Location> nonRoot, List<Location> objects, List<Location> arrays) {
    if (nonRoot.isEmpty()) {
      return null;
    }
    Location from = pick(nonRoot);
    String fromParent = Paths.parent(from.path());
    if (random.nextBoolean()) {
      for (Location a : arrays) {
        if (a.path().equals(fromParent) && Paths.isArrayPath(from.path())) {
          int size = a.value().size();
          String to = random.nextInt(3) == 0 ? "-" : Integer.toString(random.nextInt(size));
          return PatchOp.move(from.path(), fromParent + "/" + to);
        }
      }
    }
    List<Location> targets = new ArrayList<>();
    for (Location o : objects) {
      // Not into the moved value, and not through an array whose indexes the removal shifts.
      if (!Paths.isAtOrUnder(o.path(), from.path())
          && !(Paths.isArrayPath(from.path()) && Paths.isUnder(o.path(), fromParent))) {
        targets.add(o);
      }
    }
    return targets.isEmpty() ? null : PatchOp.move(from.path(), memberOf(pick(targets)));
  }

  /** A random edit (insert, delete or formatting) of the text {@code text} at {@code path}. */
  PatchOp textEdit(String path, JsonNode text) {
    return PatchOp.of("@txt", path, randomEdit(textLength(text)));
  }

  private String memberOf(Location object) {
    return object.path() + "/" + Paths.escape(KEYS[random.nextInt(KEYS.length)]);
  }

  private JsonNode randomEdit(int length) {
    ArrayNode ops = Json.array();
    int at = random.nextInt(length);
    if (at > 0) {
      ops.add(Json.object().put("retain", at));
    }
    int action = random.nextInt(3);
    int remaining = length - 1 - at;
    if (action == 0 || remaining == 0) {
      ObjectNode insert = Json.object().put("insert", "q" + random.nextInt(10));
      if (random.nextBoolean()) {
        insert.set("attributes", Json.object().put("bold", true));
      }
      ops.add(insert);
    } else if (action == 1) {
      ops.add(Json.object().put("delete", 1 + random.nextInt(remaining)));
    } else {
      ObjectNode retain = Json.object().put("retain", 1 + random.nextInt(remaining));
      retain.set("attributes", Json.object().put("italic", true));
      ops.add(retain);
    }
    return ops;
  }

  private static @Nullable JsonNode at(JsonNode state, String path) {
    JsonNode node = state;
    for (String key : Paths.split(path)) {
      node = Js.get(node, key);
      if (node == null) {
        return null;
      }
    }
    return node;
  }

  private static boolean isMissing(JsonNode state, String path) {
    return at(state, path) == null;
  }

  private static boolean isMissingOrNumber(JsonNode state, String path) {
    JsonNode node = at(state, path);
    return node == null || node.isNumber();
  }

  private static boolean isInArray(JsonNode state, String path) {
    JsonNode parent = at(state, Paths.parent(path));
    return parent != null && parent.isArray();
  }
}
