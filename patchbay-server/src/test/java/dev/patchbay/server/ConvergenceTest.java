package dev.patchbay.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.ot.Change;
import dev.patchbay.core.ot.ChangeApplier;
import dev.patchbay.server.store.DocStores;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * 32 clients commit concurrently (to one document, then across 100) with conflicting ops: text
 * inserts and deletes, array inserts and removes, counters and overwrites. Each client sends its
 * next change on the revision it last saw, so the server transforms most of them. At the end every
 * client's state must equal the server's, revisions must be dense and every change id committed
 * exactly once.
 */
class ConvergenceTest {
  private static final int CLIENTS = 32;
  private static final int CHANGES_PER_CLIENT = 15;

  private PatchbayServer server;
  private URI uri;

  @BeforeEach
  void start() {
    // Clients commit as fast as they can: the rate limit is LimitsTest's subject, not this.
    ServerConfig config =
        ServerConfig.builder().port(0).messagesPerSecond(1_000_000).messageBurst(1_000_000).build();
    server = PatchbayServer.start(config, DocStores.inMemory());
    uri = URI.create("ws://127.0.0.1:" + server.address().getPort() + "/ws");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void thirtyTwoClientsOnOneDocument_converge() throws Exception {
    run(1);
  }

  @Test
  void thirtyTwoClientsOnHundredDocuments_converge() throws Exception {
    run(100);
  }

  private void run(int docCount) throws Exception {
    List<String> docs = new ArrayList<>();
    for (int d = 0; d < docCount; d++) {
      docs.add("conv-" + docCount + "-" + d);
    }
    try (TestClient seed = new TestClient(uri)) {
      for (String doc : docs) {
        seed.result(
            "commitChanges",
            Json.NODES.stringNode(doc),
            Json.parse(
                "[{\"id\":\"seed-"
                    + doc
                    + "\",\"ops\":[{\"op\":\"add\",\"path\":\"/items\",\"value\":[\"a\",\"b\",\"c\"]},"
                    + "{\"op\":\"@txt\",\"path\":\"/body\",\"value\":[{\"insert\":\"hello world\"}]},"
                    + "{\"op\":\"add\",\"path\":\"/count\",\"value\":0}]}]"));
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    List<Future<SimClient>> futures = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      int index = i;
      futures.add(pool.submit(() -> new SimClient(index, docs).run()));
    }
    List<SimClient> clients = new ArrayList<>();
    for (Future<SimClient> f : futures) {
      clients.add(f.get(120, TimeUnit.SECONDS));
    }
    pool.shutdown();

    try (TestClient reader = new TestClient(uri)) {
      Map<String, Integer> incs = new HashMap<>();
      Set<String> committedIds = new HashSet<>();
      for (SimClient c : clients) {
        c.incs.forEach((doc, n) -> incs.merge(doc, n, Integer::sum));
        committedIds.addAll(c.ids);
      }
      Set<String> seen = new HashSet<>();
      for (String doc : docs) {
        JsonNode log =
            reader.result("getChangesSince", Json.NODES.stringNode(doc), Json.NODES.numberNode(0));
        List<Change> changes = new ArrayList<>();
        for (int r = 0; r < log.size(); r++) {
          Change c = Change.fromJson(log.get(r));
          assertThat(c.rev()).as("dense revisions of %s", doc).isEqualTo(r + 1);
          assertThat(seen.add(c.id())).as("change %s committed once", c.id()).isTrue();
          changes.add(c);
        }
        JsonNode serverState = ChangeApplier.applyChanges(null, changes);
        for (SimClient c : clients) {
          JsonNode clientState = c.catchUpAndGet(reader, doc);
          assertThat(Json.equal(clientState, serverState))
              .as("client %d on %s:%n%s%nserver:%n%s", c.index, doc, clientState, serverState)
              .isTrue();
        }
        assertThat(serverState.get("count").asInt()).isEqualTo(incs.getOrDefault(doc, 0));
      }
      // Every change a client sent was committed exactly once (none lost, none duplicated).
      committedIds.forEach(id -> assertThat(seen).contains(id));
    }
  }

  /** A client that commits one change at a time on the revision it last saw. */
  private final class SimClient {
    final int index;
    final List<String> docs;
    final Map<String, JsonNode> state = new HashMap<>();
    final Map<String, Long> rev = new HashMap<>();
    final Map<String, Integer> incs = new HashMap<>();
    final List<String> ids = new ArrayList<>();
    final SplittableRandom random;

    SimClient(int index, List<String> docs) {
      this.index = index;
      this.docs = docs;
      this.random = new SplittableRandom(index * 7919L + 1);
    }

    SimClient run() {
      try (TestClient client = new TestClient(uri)) {
        for (String doc : docs) {
          catchUp(client, doc);
        }
        for (int n = 0; n < CHANGES_PER_CLIENT; n++) {
          String doc = docs.get(random.nextInt(docs.size()));
          String id = "c" + index + "-" + n;
          ids.add(id);
          ObjectNode change = Json.object().put("id", id).put("baseRev", rev.get(doc));
          change.set("ops", randomOps(doc, state.get(doc)));
          ArrayNode batch = Json.array().add(change);
          JsonNode result = client.result("commitChanges", Json.NODES.stringNode(doc), batch);
          apply(doc, result.get("changes"));
        }
      }
      return this;
    }

    JsonNode catchUpAndGet(TestClient client, String doc) {
      catchUp(client, doc);
      return state.get(doc);
    }

    private void catchUp(TestClient client, String doc) {
      long from = rev.getOrDefault(doc, 0L);
      apply(
          doc,
          client.result(
              "getChangesSince", Json.NODES.stringNode(doc), Json.NODES.numberNode(from)));
    }

    private void apply(String doc, JsonNode changes) {
      long current = rev.getOrDefault(doc, 0L);
      List<Change> fresh = new ArrayList<>();
      for (JsonNode c : changes) {
        Change change = Change.fromJson(c);
        if (change.rev() > current) {
          assertThat(change.rev()).as("contiguous delivery").isEqualTo(current + 1);
          fresh.add(change);
          current = change.rev();
        }
      }
      state.put(doc, ChangeApplier.applyChanges(state.get(doc), fresh));
      rev.put(doc, current);
    }

    private ArrayNode randomOps(String doc, JsonNode base) {
      ArrayNode ops = Json.array();
      int textLength = textLength(base);
      int items = base.get("items").size();
      switch (random.nextInt(5)) {
        case 0 -> {
          ArrayNode delta = Json.array();
          int at = random.nextInt(textLength);
          if (at > 0) {
            delta.addObject().put("retain", at);
          }
          delta.addObject().put("insert", "x" + index);
          ops.addObject().put("op", "@txt").put("path", "/body").set("value", delta);
        }
        case 1 -> {
          ArrayNode delta = Json.array();
          int at = random.nextInt(Math.max(1, textLength - 2));
          if (at > 0) {
            delta.addObject().put("retain", at);
          }
          delta.addObject().put("delete", 1);
          ops.addObject().put("op", "@txt").put("path", "/body").set("value", delta);
        }
        case 2 ->
            ops.addObject()
                .put("op", "add")
                .put("path", "/items/" + random.nextInt(items + 1))
                .put("value", "i" + index);
        case 3 -> {
          if (items > 1) {
            ops.addObject().put("op", "remove").put("path", "/items/" + random.nextInt(items));
          } else {
            ops.addObject().put("op", "add").put("path", "/items/0").put("value", "j" + index);
          }
        }
        default ->
            ops.addObject()
                .put("op", "replace")
                .put("path", "/c" + index)
                .put("value", random.nextInt(1000));
      }
      ops.addObject().put("op", "@inc").put("path", "/count").put("value", 1);
      incs.merge(doc, 1, Integer::sum);
      return ops;
    }

    private int textLength(JsonNode base) {
      int n = 0;
      for (JsonNode op : base.get("body").get("ops")) {
        n += op.get("insert").stringValue().length();
      }
      return n;
    }
  }
}
