package dev.patchbay.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchbay.collections.client.CollectionsClient;
import dev.patchbay.collections.client.Conflict;
import dev.patchbay.collections.client.ConflictResolvers;
import dev.patchbay.collections.client.ConflictStrategy;
import dev.patchbay.collections.client.RealtimeState;
import dev.patchbay.collections.client.RecordCollection;
import dev.patchbay.collections.client.SyncResult;
import dev.patchbay.collections.client.SyncStatus;
import dev.patchbay.core.json.Json;
import dev.patchbay.testkit.ManualClock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Devices of the collections client against {@code patchbay serve} run as its own process (SQLite
 * store; collections {@code sw-*} under the server-wins rule, {@code rj-*} under reject, the rest
 * last-write-wins), over real sockets, each device with its own SQLite data directory: offline
 * writes while the server is down; concurrent edits under each client strategy and server rule;
 * realtime and polling devices together; a device process killed in the middle of flushing its
 * outbox; 1,000 records written across four devices. Every scenario ends with every device holding
 * exactly the live records the server's cursor pull returns.
 *
 * <p>One server serves every scenario (a server start costs seconds of this class's budget); each
 * scenario uses its own collection. Scenarios that need several devices to decide by time give each
 * device a manual clock.
 */
class CollectionsEndToEndTest {
  private static final List<String> RULES =
      List.of("--collection-rule", "sw-*=server-wins", "--collection-rule", "rj-*=reject");
  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final long SEED = 20261122L;

  @TempDir static Path tmp;
  private static ServerProcess server;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Real time, to the second: tombstones and change times stay within the server's retention. */
  private final Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  private final List<CollectionsClient> devices = new ArrayList<>();

  @BeforeAll
  static void startServer() throws IOException {
    server = ServerProcess.start(tmp.resolve("server"), RULES);
  }

  @AfterAll
  static void stopServer() throws InterruptedException {
    server.stop();
  }

  @AfterEach
  void closeDevices() {
    devices.forEach(CollectionsClient::close);
  }

  // ---- 1. offline → online

  @Test
  void offlineWrites_whileTheServerIsDown_flushWhenItIsBack_everyDeviceConverges()
      throws Exception {
    String c = "offline";
    try (TcpRelay relay = new TcpRelay(address(server))) {
      String url = "http://127.0.0.1:" + relay.port();
      CollectionsClient live =
          open(
              device("offline-live", c)
                  .baseUrl(url)
                  .autoSync(true)
                  .syncInterval(Duration.ofMinutes(10))
                  .realtime(true)
                  .reconnect(Duration.ofMillis(100), Duration.ofMillis(500), 0));
      CollectionsClient poll =
          open(
              device("offline-poll", c)
                  .baseUrl(url)
                  .autoSync(true)
                  .syncInterval(Duration.ofMillis(200)));
      await().atMost(BOUND).until(() -> live.realtimeState() == RealtimeState.CONNECTED);
      RecordCollection l = live.collection(c);
      RecordCollection p = poll.collection(c);
      for (int i = 0; i < 5; i++) {
        l.save(Json.object().put("i", i).put("phase", "online"), "on" + i);
      }
      sync(live);
      await().atMost(BOUND).until(() -> p.getAll().size() == 5);

      // The server goes down: every connection through the relay is cut, new ones are refused.
      relay.retarget(null);
      server.stop();
      await().atMost(BOUND).until(() -> live.realtimeState() != RealtimeState.CONNECTED);
      for (int i = 0; i < 30; i++) {
        l.save(Json.object().put("i", i).put("by", "live"), "l" + i);
      }
      l.update("on0", Json.object().put("edited", "live"));
      l.update("on1", Json.object().put("edited", "live"));
      l.delete("on2");
      l.delete("on3");
      for (int i = 0; i < 10; i++) {
        p.save(Json.object().put("i", i).put("by", "poll"), "p" + i);
      }
      p.update("on4", Json.object().put("edited", "poll"));
      assertThat(live.syncNow()).failsWithin(BOUND);
      assertThat(poll.syncNow()).failsWithin(BOUND);
      assertThat(live.pendingCount()).isEqualTo(34);
      assertThat(poll.pendingCount()).isEqualTo(11);

      // It comes back on its data directory (on another port, behind the same relay). No device
      // is told: the realtime one reconnects, the polling one polls, and both outboxes flush.
      server = ServerProcess.start(tmp.resolve("server"), RULES);
      relay.retarget(address(server));
      await()
          .atMost(BOUND)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> converged(c, List.of(live, poll)));
      Map<String, JsonNode> state = assertConverged(c, List.of(live, poll));
      assertThat(state).hasSize(5 + 30 + 10 - 2).doesNotContainKeys("on2", "on3");
      assertThat(state.get("on0").path("edited").asString()).isEqualTo("live");
      assertThat(state.get("on4").path("edited").asString()).isEqualTo("poll");
      assertThat(state.get("on4").path("phase").asString()).isEqualTo("online");
      assertThat(live.realtimeState()).isEqualTo(RealtimeState.CONNECTED);
    }
  }

  // ---- 2. concurrent edits under each strategy and server rule

  @Test
  void concurrentEdits_lwwRule_lastWriteWins_everyRecordTakesItsLatestChange() throws Exception {
    String c = "lww-race";
    List<ManualClock> clocks = clocks(3);
    List<CollectionsClient> ds = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      ds.add(open(device("lww-race-" + k, c).clock(clocks.get(k))));
    }
    List<String> ids = seed(ds, c, 12);
    Random random = new Random(SEED);
    Map<String, JsonNode> expected = new TreeMap<>();
    for (int r = 0; r < ids.size(); r++) {
      String id = ids.get(r);
      List<Integer> order = new ArrayList<>(List.of(0, 1, 2));
      Collections.shuffle(order, random);
      for (int k = 0; k < 3; k++) {
        // Distinct times per record: device order.get(k) edits k seconds after the seed.
        int writer = order.get(k);
        clocks.get(writer).set(t0.plusSeconds(10 + k).plusMillis(r).toEpochMilli());
        RecordCollection rc = ds.get(writer).collection(c);
        boolean delete = random.nextInt(4) == 0;
        if (delete) {
          rc.delete(id);
          expected.remove(id);
        } else {
          ObjectNode data = Json.object().put("by", writer).put("r", r);
          rc.save(data, id);
          expected.put(id, data);
        }
      }
    }
    syncAllUntilQuiet(ds);
    assertThat(assertConverged(c, ds)).isEqualTo(expected);
  }

  /**
   * Delete at 10 s, save at 11 s, delete at 12 s on three devices, synced in that order: under
   * last-write-wins the record must end deleted. The device deleting last pulls the first tombstone
   * before pushing; both sides being deletes, it must still push its own, later one, which moves
   * the tombstone to 12 s, so that the save at 11 s loses to it instead of reviving the record.
   */
  @Test
  void deleteSaveDelete_lastWriteWins_theLaterDeleteDecides() throws Exception {
    String c = "lww-double-delete";
    List<ManualClock> clocks = clocks(3);
    List<CollectionsClient> ds = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      ds.add(open(device(c + "-" + k, c).clock(clocks.get(k))));
    }
    String id = seed(ds, c, 1).get(0);
    clocks.get(0).set(t0.plusSeconds(10).toEpochMilli());
    ds.get(0).collection(c).delete(id);
    clocks.get(1).set(t0.plusSeconds(11).toEpochMilli());
    ds.get(1).collection(c).save(Json.object().put("by", 1), id);
    clocks.get(2).set(t0.plusSeconds(12).toEpochMilli());
    ds.get(2).collection(c).delete(id);
    sync(ds.get(0));
    sync(ds.get(2));
    sync(ds.get(1));
    syncAllUntilQuiet(ds);
    assertThat(assertConverged(c, ds)).doesNotContainKey(id);
  }

  /**
   * Three devices of collection {@code c} with {@code strategy} each save every one of 12 seeded
   * records, then sync until quiet; returns the converged state, which holds every record.
   */
  private Map<String, JsonNode> race(String c, ConflictStrategy strategy) throws Exception {
    List<CollectionsClient> ds = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      ds.add(open(device(c + "-" + k, c).conflictStrategy(strategy)));
    }
    List<String> ids = seed(ds, c, 12);
    for (String id : ids) {
      for (int k = 0; k < 3; k++) {
        ds.get(k).collection(c).save(Json.object().put("by", k), id);
      }
    }
    syncAllUntilQuiet(ds);
    Map<String, JsonNode> state = assertConverged(c, ds);
    assertThat(state).hasSize(ids.size());
    return state;
  }

  @Test
  void concurrentEdits_serverWinsRule_firstChangeToArriveIsKept_andTheOnlyOneApplied()
      throws Exception {
    String c = "sw-race";
    Map<String, JsonNode> state = race(c, ConflictStrategy.SERVER_WINS);
    assertThat(state.values()).allSatisfy(v -> assertThat(v.path("by").asInt()).isBetween(0, 2));
    // Each record took exactly one of the three changes: the seed's version 1, then version 2.
    assertThat(serverRecords(c).values())
        .allSatisfy(r -> assertThat(r.path("version").asLong()).isEqualTo(2));
  }

  @Test
  void concurrentEdits_rejectRule_clientWins_everyChangeAppliedOnce_theLastStays()
      throws Exception {
    String c = "rj-race";
    race(c, ConflictStrategy.CLIENT_WINS);
    // Every device insists until its change is applied over the version it was refused on: the
    // seed, then one version per device.
    assertThat(serverRecords(c).values())
        .allSatisfy(r -> assertThat(r.path("version").asLong()).isEqualTo(4));
  }

  @Test
  void concurrentEdit_rejectRule_customResolver_mergedRecordOnEveryDevice() throws Exception {
    String c = "rj-merge";
    ManualClock clockA = new ManualClock(t0.toEpochMilli());
    ManualClock clockB = new ManualClock(t0.toEpochMilli());
    AtomicReference<List<Instant>> times = new AtomicReference<>();
    CollectionsClient a = open(device("rj-merge-a", c).clock(clockA));
    CollectionsClient b =
        open(
            device("rj-merge-b", c)
                .clock(clockB)
                .conflictResolver(
                    (local, remote, localTime, remoteTime) -> {
                      times.set(List.of(localTime, remoteTime));
                      ObjectNode merged = remote.deepCopy();
                      Set<String> tags = new LinkedHashSet<>();
                      remote.path("tags").forEach(t -> tags.add(t.asString()));
                      local.path("tags").forEach(t -> tags.add(t.asString()));
                      ArrayNode union = merged.putArray("tags");
                      tags.forEach(union::add);
                      return merged.put("mergedBy", "b");
                    }));
    a.collection(c).save(doc("base"), "k");
    sync(a);
    sync(b);
    clockA.advance(Duration.ofSeconds(1));
    a.collection(c).save(doc("base", "a").put("n", 1), "k");
    clockB.advance(Duration.ofSeconds(2));
    b.collection(c).save(doc("base", "b"), "k");
    sync(a);
    assertThat(sync(b).conflicts()).isEqualTo(1);
    sync(a);
    Map<String, JsonNode> state = assertConverged(c, List.of(a, b));
    assertThat(state.get("k")).isEqualTo(doc("base", "a", "b").put("n", 1).put("mergedBy", "b"));
    assertThat(times.get()).containsExactly(t0.plusSeconds(2), t0.plusSeconds(1));
  }

  @Test
  void concurrentEdit_manualStrategy_keptUntilResolved_thenTheChoiceIsEverywhere()
      throws Exception {
    String c = "manual";
    ManualClock clockA = new ManualClock(t0.toEpochMilli());
    ManualClock clockB = new ManualClock(t0.toEpochMilli());
    CollectionsClient a = open(device("manual-a", c).clock(clockA));
    CollectionsClient b =
        open(device("manual-b", c).clock(clockB).conflictStrategy(ConflictStrategy.MANUAL));
    RecordCollection ra = a.collection(c);
    RecordCollection rb = b.collection(c);
    ra.save(Json.object().put("title", "t").put("body", "base"), "n1");
    sync(a);
    sync(b);
    clockA.advance(Duration.ofSeconds(1));
    ra.update("n1", Json.object().put("body", "from a"));
    clockB.advance(Duration.ofSeconds(2));
    rb.update("n1", Json.object().put("body", "from b"));
    sync(a);
    assertThat(sync(b).conflicts()).isEqualTo(1);

    // Kept: b shows its own copy, holds its change back, and the server still has a's.
    assertThat(b.pendingConflicts()).singleElement().satisfies(k -> conflict(k, "from a", 2));
    assertThat(rb.status("n1")).isEqualTo(SyncStatus.CONFLICT);
    assertThat(rb.get("n1").path("body").asString()).isEqualTo("from b");
    assertThat(serverState(c).get("n1").path("body").asString()).isEqualTo("from a");

    // A later remote change updates the kept remote side.
    clockA.advance(Duration.ofSeconds(2));
    ra.update("n1", Json.object().put("body", "from a again"));
    sync(a);
    sync(b);
    assertThat(b.pendingConflicts()).singleElement().satisfies(k -> conflict(k, "from a again", 3));

    rb.resolveConflict("n1", Json.object().put("title", "t").put("body", "chosen"));
    sync(b);
    sync(a);
    Map<String, JsonNode> state = assertConverged(c, List.of(a, b));
    assertThat(state.get("n1")).isEqualTo(Json.object().put("title", "t").put("body", "chosen"));
    assertThat(serverRecords(c).get("n1").path("version").asLong()).isEqualTo(4);
    assertThat(b.pendingConflicts()).isEmpty();
    assertThat(rb.status("n1")).isEqualTo(SyncStatus.SYNCED);
    assertThat(ra.status("n1")).isEqualTo(SyncStatus.SYNCED);
  }

  /**
   * Rounds of random saves, patches and deletes of a few shared records on three devices with their
   * own clocks (ties included), each round followed by syncing all at once, so that changes overlap
   * and conflicts meet in pulls and in push answers alike. Whatever each device decides, all must
   * end with the server's records.
   */
  @ParameterizedTest
  @CsvSource({
    "lww-fuzz, LAST_WRITE_WINS LAST_WRITE_WINS LAST_WRITE_WINS",
    "lww-mixed-fuzz, LAST_WRITE_WINS CLIENT_WINS SERVER_WINS",
    "sw-fuzz, SERVER_WINS SERVER_WINS LAST_WRITE_WINS",
    "rj-fuzz, CLIENT_WINS LAST_WRITE_WINS CUSTOM"
  })
  void randomOverlappingEdits_eachRuleAndStrategyMix_everyDeviceConverges(
      String c, String strategies) throws Exception {
    List<ManualClock> clocks = clocks(3);
    List<CollectionsClient> ds = new ArrayList<>();
    String[] names = strategies.split(" ");
    for (int k = 0; k < 3; k++) {
      CollectionsClient.Builder b = device(c + "-" + k, c).clock(clocks.get(k));
      ConflictStrategy strategy = ConflictStrategy.valueOf(names[k]);
      ds.add(
          open(
              strategy == ConflictStrategy.CUSTOM
                  ? b.conflictResolver(ConflictResolvers.deepMerge())
                  : b.conflictStrategy(strategy)));
    }
    Random random = new Random(SEED ^ c.hashCode());
    for (int round = 0; round < 4; round++) {
      for (int k = 0; k < 3; k++) {
        RecordCollection rc = ds.get(k).collection(c);
        for (int op = 0; op < 4; op++) {
          clocks.get(k).advance(Duration.ofMillis(random.nextInt(3) * 500L));
          String id = "f" + random.nextInt(6);
          int kind = random.nextInt(3);
          if (kind == 1 && rc.get(id) != null) {
            rc.update(id, Json.object().put("f" + random.nextInt(3), random.nextInt(100)));
          } else if (kind == 2) {
            rc.delete(id);
          } else {
            rc.save(Json.object().put("by", k).put("n", random.nextInt(100)), id);
          }
        }
      }
      syncAll(ds);
    }
    syncAllUntilQuiet(ds);
    assertConverged(c, ds);
  }

  private static void conflict(Conflict k, String remoteBody, long remoteVersion) {
    assertThat(k.recordId()).isEqualTo("n1");
    assertThat(k.local().path("body").asString()).isEqualTo("from b");
    assertThat(k.remote().path("body").asString()).isEqualTo(remoteBody);
    assertThat(k.remoteVersion()).isEqualTo(remoteVersion);
  }

  /**
   * The answer to a push is lost (the server applied the insert; the device saw a cut connection),
   * with a patch of the same record queued behind it. The next sync must recognise the server's
   * version as the device's own write and push the patch on top of it.
   */
  @ParameterizedTest
  @EnumSource(
      value = ConflictStrategy.class,
      names = {"SERVER_WINS", "LAST_WRITE_WINS", "MANUAL", "CLIENT_WINS"})
  void pushAnswerLost_laterPatchOfTheRecord_reachesEveryDevice(ConflictStrategy strategy)
      throws Exception {
    String c = "lost-answer-" + strategy.name().toLowerCase(java.util.Locale.ROOT);
    try (TcpRelay relay = new TcpRelay(address(server))) {
      // A clock that stands still: the insert and the patch share a millisecond, as they may.
      CollectionsClient d =
          open(
              device(c, c)
                  .baseUrl("http://127.0.0.1:" + relay.port())
                  .clock(new ManualClock(t0.toEpochMilli()))
                  .conflictStrategy(strategy));
      RecordCollection rc = d.collection(c);
      rc.save(Json.object().put("a", 1), "r");
      rc.update("r", Json.object().put("b", 2));
      java.util.concurrent.CountDownLatch lost = relay.loseNextAnswerTo("POST ");
      assertThat(d.syncNow()).failsWithin(BOUND);
      assertThat(lost.getCount()).isZero();
      assertThat(serverState(c).get("r")).isEqualTo(Json.object().put("a", 1));

      SyncResult again = sync(d);
      CollectionsClient other = open(device(c + "-other", c));
      sync(other);
      assertThat(d.pendingConflicts()).as("conflicts kept").isEmpty();
      assertThat(assertConverged(c, List.of(d, other)).get("r"))
          .isEqualTo(Json.object().put("a", 1).put("b", 2));
      assertThat(again.conflicts()).as("conflicts with its own write").isZero();
    }
  }

  // ---- 3. realtime and polling together

  @Test
  void realtimeAndPollingDevices_changesCrossBothWays_everyDeviceConverges() throws Exception {
    String c = "mixed";
    CollectionsClient live =
        open(
            device("mixed-live", c)
                .autoSync(true)
                .syncInterval(Duration.ofMinutes(10))
                .realtime(true)
                .reconnect(Duration.ofMillis(100), Duration.ofSeconds(1), 0));
    CollectionsClient poll =
        open(device("mixed-poll", c).autoSync(true).syncInterval(Duration.ofMillis(200)));
    await()
        .atMost(BOUND)
        .until(
            () ->
                live.realtimeState() == RealtimeState.CONNECTED
                    && live.status().lastSyncTime() != null);
    // The live device's next interval sync is minutes away: only its realtime link can bring it
    // what the polling device pushes now.
    RecordCollection p = poll.collection(c);
    RecordCollection l = live.collection(c);
    for (int i = 0; i < 20; i++) {
      p.save(Json.object().put("by", "poll").put("i", i), "p" + i);
    }
    await().atMost(BOUND).until(() -> l.getAll().size() == 20);

    for (int i = 0; i < 20; i++) {
      l.save(Json.object().put("by", "live").put("i", i), "l" + i);
    }
    l.update("p0", Json.object().put("seenBy", "live"));
    p.update("p1", Json.object().put("edited", "poll"));
    p.delete("p2");
    sync(live);
    await()
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> converged(c, List.of(live, poll)));
    Map<String, JsonNode> state = assertConverged(c, List.of(live, poll));
    assertThat(state).hasSize(39).doesNotContainKey("p2");
    assertThat(state.get("p0").path("seenBy").asString()).isEqualTo("live");
    assertThat(state.get("p1").path("edited").asString()).isEqualTo("poll");
  }

  // ---- 4. a device killed in the middle of its outbox

  @Test
  void deviceProcessKilledMidFlush_restartsFromItsDataDir_everyOperationAppliedOnce()
      throws Exception {
    String c = "rj-restart";
    int n = 300;
    int queued =
        n + CollectionDeviceProcess.patched(n) + (n - CollectionDeviceProcess.firstDeleted(n));
    int killAt = 100;
    Path dir = tmp.resolve("devices").resolve("restart-child");
    Process child =
        startJava(
            CollectionDeviceProcess.class,
            "fill",
            server.httpBase(),
            dir.toString(),
            c,
            Integer.toString(n),
            Integer.toString(killAt));
    List<String> printed = Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<Void> killed =
        CompletableFuture.runAsync(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                  printed.add(line);
                  if (line.equals("SYNCED " + killAt)) {
                    child.destroyForcibly(); // SIGKILL: no close, whatever is in flight stays
                    return;
                  }
                }
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    try {
      killed.get(60, TimeUnit.SECONDS);
    } finally {
      child.destroyForcibly();
    }
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(printed).as("child output").contains("QUEUED " + queued, "SYNCED " + killAt);
    assertThat(printed).noneMatch(line -> line.startsWith("DONE"));

    // It starts again from its data directory: the server took at least what it acknowledged,
    // the rest (with any operation that was in flight) is still queued.
    CollectionsClient restarted = open(device("restart-child", c));
    int left = restarted.pendingCount();
    assertThat(left).isBetween(1, queued - killAt);
    System.out.printf("killed after %d of %d operations: %d still queued%n", killAt, queued, left);
    for (int round = 0; round < 10 && restarted.pendingCount() > 0; round++) {
      sync(restarted);
    }
    assertThat(restarted.pendingCount()).isZero();
    CollectionsClient other = open(device("restart-other", c));
    sync(other);

    Map<String, Long> versions = new TreeMap<>();
    Map<String, Long> expectedVersions = new TreeMap<>();
    serverRecords(c).forEach((id, r) -> versions.put(id, r.path("version").asLong()));
    for (int i = 0; i < n; i++) {
      long ops =
          1
              + (i < CollectionDeviceProcess.patched(n) ? 1 : 0)
              + (i >= CollectionDeviceProcess.firstDeleted(n) ? 1 : 0);
      expectedVersions.put("r" + i, ops);
    }
    assertThat(versions).isEqualTo(expectedVersions);
    Map<String, JsonNode> state = assertConverged(c, List.of(restarted, other));
    assertThat(state).hasSize(CollectionDeviceProcess.firstDeleted(n));
    assertThat(state.get("r0"))
        .isEqualTo(Json.object().put("id", "r0").put("i", 0).put("patched", true));
    assertThat(state.get("r" + (n / 2)))
        .isEqualTo(Json.object().put("id", "r" + n / 2).put("i", n / 2));
  }

  // ---- 5. 1,000 records across devices

  @Test
  void thousandRecords_writtenAcrossFourDevices_everyDeviceEndsWithAll() throws Exception {
    String c = "thousand";
    List<CollectionsClient> ds = new ArrayList<>();
    for (int k = 0; k < 4; k++) {
      CollectionsClient.Builder b = device("thousand-" + k, c).autoSync(true);
      ds.add(
          open(
              k < 2
                  ? b.syncInterval(Duration.ofMinutes(10))
                      .realtime(true)
                      .reconnect(Duration.ofMillis(100), Duration.ofSeconds(1), 0)
                  : b.syncInterval(Duration.ofMillis(250))));
    }
    await()
        .atMost(BOUND)
        .until(
            () ->
                ds.get(0).realtimeState() == RealtimeState.CONNECTED
                    && ds.get(1).realtimeState() == RealtimeState.CONNECTED);
    long start = System.nanoTime();
    for (int k = 0; k < 4; k++) {
      RecordCollection rc = ds.get(k).collection(c);
      if (k % 2 == 0) {
        List<ObjectNode> batch = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
          batch.add(Json.object().put("id", "d" + k + "-" + i).put("k", k).put("i", i));
        }
        rc.saveAll(batch);
      } else {
        for (int i = 0; i < 250; i++) {
          rc.save(Json.object().put("k", k).put("i", i), "d" + k + "-" + i);
        }
      }
      ds.get(k).syncNow();
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () ->
                ds.stream()
                    .allMatch(
                        d -> d.pendingCount() == 0 && d.collection(c).getAll().size() == 1000));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(assertConverged(c, ds)).hasSize(1000);
    System.out.printf("1,000 records over four devices: converged in %d ms%n", millis);
  }

  // ---- devices

  private CollectionsClient.Builder device(String name, String collection) {
    return CollectionsClient.builder()
        .baseUrl(server.httpBase())
        .dataDirectory(tmp.resolve("devices").resolve(name))
        .collections(collection)
        .autoSync(false)
        .requestTimeout(Duration.ofSeconds(10))
        .backoff(Duration.ofMillis(100), Duration.ofMillis(500));
  }

  private CollectionsClient open(CollectionsClient.Builder builder) {
    CollectionsClient c = builder.build();
    devices.add(c);
    return c;
  }

  private List<ManualClock> clocks(int n) {
    List<ManualClock> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new ManualClock(t0.toEpochMilli()));
    }
    return out;
  }

  private static SyncResult sync(CollectionsClient c) throws Exception {
    return c.syncNow().get(BOUND.toSeconds(), TimeUnit.SECONDS);
  }

  /** The first device saves {@code n} records {@code {"v":"base"}}; every device pulls them. */
  private static List<String> seed(List<CollectionsClient> ds, String c, int n) throws Exception {
    List<ObjectNode> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      records.add(Json.object().put("id", "x" + i).put("v", "base"));
    }
    List<String> ids = ds.get(0).collection(c).saveAll(records);
    for (CollectionsClient d : ds) {
      sync(d);
    }
    return ids;
  }

  /**
   * Syncs every device at once, round after round, until no outbox holds anything; then once more,
   * so that each pulls what the others pushed last.
   */
  private static void syncAllUntilQuiet(List<CollectionsClient> ds) throws Exception {
    for (int round = 0; round < 10; round++) {
      syncAll(ds);
      if (ds.stream().allMatch(d -> d.pendingCount() == 0)) {
        break;
      }
    }
    syncAll(ds);
  }

  private static void syncAll(List<CollectionsClient> ds) throws Exception {
    CompletableFuture.allOf(
            ds.stream().map(CollectionsClient::syncNow).toArray(CompletableFuture[]::new))
        .get(BOUND.toSeconds(), TimeUnit.SECONDS);
  }

  private static ObjectNode doc(String... tags) {
    ObjectNode d = Json.object();
    ArrayNode a = d.putArray("tags");
    for (String t : tags) {
      a.add(t);
    }
    return d;
  }

  // ---- convergence

  /** Whether every device's outbox is empty and it holds exactly the server's live records. */
  private static boolean converged(String c, List<CollectionsClient> ds) {
    Map<String, JsonNode> records = serverRecords(c);
    Map<String, JsonNode> expected = live(records);
    for (CollectionsClient d : ds) {
      if (d.pendingCount() != 0
          || d.collection(c).getAll().size() != expected.size()
          || !deviceState(d, c, records.keySet()).equals(expected)) {
        return false;
      }
    }
    return true;
  }

  /** Asserts {@link #converged} with a readable difference; returns the live records. */
  private static Map<String, JsonNode> assertConverged(String c, List<CollectionsClient> ds) {
    Map<String, JsonNode> records = serverRecords(c);
    Map<String, JsonNode> expected = live(records);
    for (int i = 0; i < ds.size(); i++) {
      CollectionsClient d = ds.get(i);
      assertThat(d.pendingCount()).as("device %d's outbox", i).isZero();
      assertThat(deviceState(d, c, records.keySet())).as("device %d", i).isEqualTo(expected);
      assertThat(d.collection(c).getAll()).as("device %d's records", i).hasSize(expected.size());
    }
    return expected;
  }

  /** The device's records among {@code ids} (its records carry no ids; the server's do). */
  private static Map<String, JsonNode> deviceState(CollectionsClient d, String c, Set<String> ids) {
    RecordCollection rc = d.collection(c);
    Map<String, JsonNode> out = new TreeMap<>();
    for (String id : ids) {
      ObjectNode r = rc.get(id);
      if (r != null) {
        out.put(id, r);
      }
    }
    return out;
  }

  private static Map<String, JsonNode> serverState(String c) {
    return live(serverRecords(c));
  }

  private static Map<String, JsonNode> live(Map<String, JsonNode> records) {
    Map<String, JsonNode> out = new TreeMap<>();
    records.forEach(
        (id, r) -> {
          if (!r.path("deleted").asBoolean(false)) {
            out.put(id, r.path("data"));
          }
        });
    return out;
  }

  /** Every record of {@code c} on the server, tombstones included, by the cursor pull from 0. */
  private static Map<String, JsonNode> serverRecords(String c) {
    Map<String, JsonNode> out = new TreeMap<>();
    long cursor = 0;
    while (true) {
      HttpRequest request =
          HttpRequest.newBuilder(
                  URI.create(
                      server.httpBase() + "/sync/" + c + "?cursor=" + cursor + "&limit=1000"))
              .timeout(Duration.ofSeconds(10))
              .GET()
              .build();
      HttpResponse<String> response;
      try {
        response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      JsonNode body = Json.parse(response.body());
      body.path("records").forEach(r -> out.put(r.path("recordId").asString(), r));
      cursor = body.path("nextCursor").asLong();
      if (!body.path("hasMore").asBoolean()) {
        return out;
      }
    }
  }

  private static InetSocketAddress address(ServerProcess s) {
    return new InetSocketAddress(s.uri.getHost(), s.uri.getPort());
  }

  private static Process startJava(Class<?> main, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }
}
