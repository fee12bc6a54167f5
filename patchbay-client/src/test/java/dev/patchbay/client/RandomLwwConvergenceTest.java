package dev.patchbay.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchbay.core.json.Json;
import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.ServerConfig;
import dev.patchbay.server.store.DocStores;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * Three clients make seeded random edits of every op an LWW document takes (values, removes, nested
 * objects written and replaced whole, {@code @inc}, {@code @max}, {@code @min}, {@code @bit}) on
 * one last-write-wins document over real sockets, going offline and back at random. At the end
 * every replica equals what a fresh client loads from the server, at the same revision, and nothing
 * is pending or quarantined. A failing seed names itself in the test name.
 */
class RandomLwwConvergenceTest {
  private static final int CLIENTS = 3;
  private static final int STEPS = 120;
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final List<String> FIELDS = List.of("/a", "/b", "/c");
  private static final List<String> NESTED = List.of("/obj/x", "/obj/y");

  private PatchbayServer server;
  private URI uri;
  private final List<PatchesSync> syncs = new ArrayList<>();

  @BeforeEach
  void start() {
    server =
        PatchbayServer.start(
            ServerConfig.builder().port(0).store("memory").lwwPatterns(List.of("lww/*")).build(),
            DocStores.inMemory());
    uri = URI.create("ws://127.0.0.1:" + server.address().getPort() + "/ws");
  }

  @AfterEach
  void stop() {
    syncs.forEach(PatchesSync::close);
    server.close();
  }

  private Patches patches() {
    return Patches.builder(ClientStores.inMemory()).lww("lww/*").build();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void randomLwwEditsWithDisconnects_allReplicasConverge(long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    List<String> errors = new CopyOnWriteArrayList<>();
    List<Patches> registries = new ArrayList<>();
    List<PatchesDoc> docs = new ArrayList<>();
    boolean[] online = new boolean[CLIENTS];
    Totals totals = new Totals();
    for (int i = 0; i < CLIENTS; i++) {
      Patches patches = patches();
      PatchesSync sync = PatchesSync.builder(patches, uri).build();
      int client = i;
      sync.onError((e, docId) -> errors.add("client " + client + " " + docId + ": " + e));
      syncs.add(sync);
      sync.connect().get(10, TimeUnit.SECONDS);
      online[i] = true;
      registries.add(patches);
      docs.add(patches.openDoc("lww/fuzz"));
    }

    for (int step = 0; step < STEPS; step++) {
      int client = random.nextInt(CLIENTS);
      if (random.nextInt(12) == 0) {
        if (online[client]) {
          syncs.get(client).disconnect();
        } else {
          syncs.get(client).connect();
        }
        online[client] = !online[client];
        continue;
      }
      PatchesDoc doc = docs.get(client);
      edit(doc, random, totals);
      if (online[client] && random.nextInt(3) == 0) {
        // Let this edit reach the server before the next, so commits interleave between clients
        // instead of all consolidating into a few.
        await().atMost(TIMEOUT).until(() -> !doc.hasPending());
      }
    }
    for (int i = 0; i < CLIENTS; i++) {
      if (!online[i]) {
        syncs.get(i).connect().get(10, TimeUnit.SECONDS);
      }
    }

    PatchesDoc first = docs.get(0);
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                docs.stream().noneMatch(PatchesDoc::hasPending)
                    && docs.stream().allMatch(d -> d.committedRev() == first.committedRev())
                    && docs.stream().allMatch(d -> Json.equal(d.state(), first.state())));
    Patches fresh = patches();
    PatchesSync freshSync = PatchesSync.builder(fresh, uri).build();
    syncs.add(freshSync);
    freshSync.connect().get(10, TimeUnit.SECONDS);
    PatchesDoc serverView = fresh.openDoc("lww/fuzz");
    await().atMost(TIMEOUT).until(() -> serverView.committedRev() == first.committedRev());
    for (PatchesDoc doc : docs) {
      assertThat(Json.equal(doc.state(), serverView.state()))
          .as("seed %d: %s equals the server's %s", seed, doc.state(), serverView.state())
          .isTrue();
    }
    for (Patches p : registries) {
      assertThat(p.quarantinedChanges()).isEmpty();
    }
    assertThat(errors).as("seed %d errors", seed).isEmpty();
    // Combining ops lose nothing, whoever wrote last: every increment counts, the extremes hold.
    JsonNode end = serverView.state();
    assertThat(end.path("count").asInt()).as("seed %d count", seed).isEqualTo(totals.count);
    if (totals.high >= 0) {
      assertThat(end.path("high").asInt()).as("seed %d high", seed).isEqualTo(totals.high);
    }
    if (totals.low < Integer.MAX_VALUE) {
      assertThat(end.path("low").asInt()).as("seed %d low", seed).isEqualTo(totals.low);
    }
    assertThat(first.committedRev()).as("seed %d revisions", seed).isGreaterThan(STEPS / 10);
  }

  /** What the combining ops must add up to, whatever the order of the commits. */
  private static final class Totals {
    int count;
    int high = -1;
    int low = Integer.MAX_VALUE;
  }

  /** One random edit that applies to the document as it is now. */
  private static void edit(PatchesDoc doc, SplittableRandom random, Totals totals) {
    JsonNode state = doc.state();
    boolean hasObj = state != null && state.path("obj").isObject();
    int kind = random.nextInt(9);
    String field = FIELDS.get(random.nextInt(FIELDS.size()));
    int value = random.nextInt(100);
    switch (kind) {
      case 0, 1 -> doc.change(p -> p.add(field, value));
      case 2 -> {
        if (state != null && state.has(field.substring(1))) {
          doc.change(p -> p.remove(field));
        } else {
          doc.change(p -> p.add(field, "s" + value));
        }
      }
      case 3 -> {
        totals.count += value % 7 + 1;
        doc.change(p -> p.increment("/count", value % 7 + 1));
      }
      case 4 -> {
        totals.high = Math.max(totals.high, value);
        doc.change(p -> p.max("/high", value));
      }
      case 5 -> {
        totals.low = Math.min(totals.low, value);
        doc.change(p -> p.min("/low", value));
      }
      case 6 -> doc.change(p -> p.bit("/flags", random.nextInt(15), random.nextBoolean()));
      case 7 -> doc.change(p -> p.add("/obj", Map.of("x", value)));
      default -> {
        if (hasObj) {
          String nested = NESTED.get(random.nextInt(NESTED.size()));
          doc.change(p -> p.add(nested, value));
        } else {
          doc.change(p -> p.add("/obj", Map.of("y", value)));
        }
      }
    }
  }
}
