package dev.patchbay.client.fuzz;

import dev.patchbay.client.Patches;
import dev.patchbay.client.PatchesDoc;
import dev.patchbay.client.PatchesSync;
import dev.patchbay.client.spi.ClientStore;
import dev.patchbay.client.spi.StoredDoc;
import dev.patchbay.core.json.Json;
import dev.patchbay.core.ot.Change;
import dev.patchbay.core.ot.ChangeApplier;
import dev.patchbay.core.patch.PatchOp;
import dev.patchbay.server.engine.Engine;
import dev.patchbay.server.engine.Snapshot;
import dev.patchbay.server.patches.PatchesRpcHandler;
import dev.patchbay.server.spi.DocStore;
import dev.patchbay.server.store.DocStores;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A deterministic, seeded convergence fuzz of the client against the real server engine, after the
 * Patches reference's {@code tests/fuzz/convergence.spec.ts} (shared/protocol/patches.md §8).
 *
 * <p>Two to five {@link PatchesSync} clients talk to an in-process {@link PatchesRpcHandler} over
 * an {@link Engine} with the in-memory store, through in-memory sockets with one explicit queue per
 * direction ({@link FuzzNetwork}). Nothing runs on a thread of its own: the clients' protocol
 * threads and the engine's shards are {@link ManualExecutor}s, timers run on virtual time, and
 * after every step the driver runs all queued work to quiescence. So a seed is a complete,
 * replayable description of a run.
 *
 * <p>At each step the seeded random source picks an action: a random edit on a client's document;
 * the delivery of the next message of one direction of one connection, or of a later one about
 * another document (the server works on documents in parallel, so neither direction orders them); a
 * dropped connection; a lost answer (a request reaches the server and the connection drops before
 * the answer arrives); a duplicated request; a client going offline (it keeps editing, the edits
 * batch up) or coming back; a client process restarting from its store; time passing (reconnect
 * timers fire) or jumping by more than a session timeout.
 *
 * <p>After every step: the server's log is dense (revisions 1..N) with unique change ids; every
 * client's committed state equals the server's state at the client's committed revision; its
 * visible state is its committed state with its pending changes applied; its store holds what it
 * shows; and no change left a pending queue without being committed or transformed away. At the end
 * the network heals and everything is delivered; then every replica equals the server (and a fresh
 * {@code getDoc}), nothing is pending, and every change id was committed exactly once or provably
 * rebased away ({@link ChangeAccounting}).
 *
 * <p>The documents: two OT documents ({@link OtEdits}) and a last-write-wins one ({@link
 * LwwEdits}), LWW on both sides by the id pattern {@code lww-*}. Another kind of document is
 * another id, an edit generator chosen by id in {@code edit()}, and its checks in {@code
 * checkInvariants()} and {@code checkConverged()}: OT documents are checked against the replayed
 * server log at every revision, the LWW one against the server's stored rows and {@code getDoc}.
 *
 * <p>A failure throws an {@link AssertionError} that names the seed and lists the run's operation
 * log; {@code ConvergenceFuzzTest} pins failing seeds as regression tests.
 */
public final class ConvergenceFuzz {
  private static final long EPOCH = 1_800_000_000_000L;
  private static final int TASK_LIMIT = 100_000;
  private static final int HEAL_ROUNDS = 2_000;
  // Two OT documents, so messages about different documents can overtake each other.
  private static final List<String> OT_DOCS = List.of("a", "b");
  // The last-write-wins document: ids matching the pattern are LWW on the server and the clients.
  private static final String LWW_PATTERN = "lww-*";
  private static final String LWW_DOC = "lww-1";

  /** Returns whether {@code docId} is a last-write-wins document of the fuzz. */
  static boolean isLww(String docId) {
    return docId.startsWith("lww-");
  }

  /** Opens a client's store; called again with the same index after a restart of that client. */
  @FunctionalInterface
  public interface StoreFactory {
    /**
     * Opens the store of client {@code client}: after a restart, the same data the previous
     * instance of that client stored (the previous instance is closed first).
     */
    ClientStore open(int client);
  }

  /**
   * What a run does.
   *
   * @param minClients the fewest clients (at least 2)
   * @param maxClients the most clients
   * @param steps the number of random steps before the network heals
   * @param appends whether edits include {@code /-} array appends
   * @param restarts whether clients restart from their stores
   * @param bursts whether several requests may reach the server before it runs any (the engine then
   *     batches a document's queued commits into one step)
   * @param loadFirst whether every client loads the documents before the faults start; without,
   *     client 0 creates them while the others connect, edit and fail at random
   * @param lww whether a last-write-wins document is edited beside the two OT documents
   * @param lwwNested whether its edits also write below top-level fields (object keys, the object
   *     replaced or removed whole, deep paths whose parents the write creates); on by default
   * @param stores makes the clients' stores; returns a fresh factory per run
   */
  public record Options(
      int minClients,
      int maxClients,
      int steps,
      boolean appends,
      boolean restarts,
      boolean bursts,
      boolean loadFirst,
      boolean lww,
      boolean lwwNested,
      java.util.function.Supplier<StoreFactory> stores) {
    /** Validates the counts. */
    public Options {
      if (minClients < 2 || maxClients < minClients) {
        throw new IllegalArgumentException("clients " + minClients + ".." + maxClients);
      }
      if (steps < 0) {
        throw new IllegalArgumentException("steps must be >= 0, was " + steps);
      }
      Objects.requireNonNull(stores, "stores");
    }

    /**
     * The default run: 2 to 5 clients, 100 steps, appends at explicit indexes and with {@code /-},
     * restarts from {@code stores}, request bursts, documents loaded before the faults start, and a
     * last-write-wins document with nested writes beside the OT ones.
     */
    public static Options defaults(java.util.function.Supplier<StoreFactory> stores) {
      return new Options(2, 5, 100, true, true, true, true, true, true, stores);
    }

    /** Returns these options with {@code /-} appends on or off. */
    public Options withAppends(boolean on) {
      return new Options(
          minClients, maxClients, steps, on, restarts, bursts, loadFirst, lww, lwwNested, stores);
    }

    /** Returns these options with request bursts on or off. */
    public Options withBursts(boolean on) {
      return new Options(
          minClients, maxClients, steps, appends, restarts, on, loadFirst, lww, lwwNested, stores);
    }

    /** Returns these options with the documents loaded everywhere first, or created in the fray. */
    public Options withLoadFirst(boolean on) {
      return new Options(
          minClients, maxClients, steps, appends, restarts, bursts, on, lww, lwwNested, stores);
    }

    /** Returns these options with the last-write-wins document edited or not. */
    public Options withLww(boolean on) {
      return new Options(
          minClients,
          maxClients,
          steps,
          appends,
          restarts,
          bursts,
          loadFirst,
          on,
          lwwNested,
          stores);
    }

    /** Returns these options with nested last-write-wins edits on or off. */
    public Options withLwwNested(boolean on) {
      return new Options(
          minClients, maxClients, steps, appends, restarts, bursts, loadFirst, lww, on, stores);
    }

    /** Returns these options with {@code count} steps. */
    public Options withSteps(int count) {
      return new Options(
          minClients,
          maxClients,
          count,
          appends,
          restarts,
          bursts,
          loadFirst,
          lww,
          lwwNested,
          stores);
    }
  }

  /**
   * What a passing run did, so a test can check the fuzz exercises what it claims to.
   *
   * @param clients the number of clients
   * @param actions how often each kind of action happened, by name
   * @param serverRevs the head revision of each document at the end
   */
  public record Summary(int clients, Map<String, Integer> actions, Map<String, Long> serverRevs) {}

  /** A store factory over in-memory stores that outlive their clients' restarts. */
  public static StoreFactory inMemoryStores() {
    Map<Integer, ClientStore> stores = new HashMap<>();
    return client -> {
      ClientStore store =
          stores.computeIfAbsent(client, i -> dev.patchbay.client.ClientStores.inMemory());
      return new KeepOpenStore(store);
    };
  }

  private ConvergenceFuzz() {}

  /**
   * Runs seed {@code seed}.
   *
   * @return what the run did
   * @throws AssertionError naming the seed, the broken property and the operation log
   */
  public static Summary run(long seed, Options options) {
    Run run = new Run(seed, options);
    try {
      run.execute();
      Map<String, Long> revs = new java.util.TreeMap<>();
      run.serverLog.forEach((doc, log) -> revs.put(doc, (long) log.size()));
      if (options.lww()) {
        revs.put(LWW_DOC, run.serverStore.loadLww(LWW_DOC).rev());
      }
      return new Summary(run.clients.size(), Map.copyOf(run.actions), Map.copyOf(revs));
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(run.report(e), e);
    } finally {
      run.close();
    }
  }

  /** One seeded run. */
  private static final class Run {
    final long seed;
    final Options options;
    final SplittableRandom random;
    final List<String> log = new ArrayList<>();
    final VirtualScheduler time = new VirtualScheduler();
    final ManualExecutor serverExecutor = new ManualExecutor("server");
    final DocStore serverStore;
    final PatchesRpcHandler handler = new PatchesRpcHandler();
    final Engine engine;
    final FuzzNetwork network;
    final ChangeAccounting accounting;
    final OtEdits edits;
    final LwwEdits lwwEdits;
    final List<String> docIds;
    final StoreFactory stores;
    final List<FuzzClient> clients = new ArrayList<>();
    final Map<String, List<Change>> serverLog = new HashMap<>();
    final Map<String, List<JsonNode>> serverStates = new HashMap<>();
    final Map<String, Set<String>> serverIds = new HashMap<>();
    final Map<String, Integer> actions = new java.util.TreeMap<>();
    int step;

    Run(long seed, Options options) {
      this.seed = seed;
      this.options = options;
      this.random = new SplittableRandom(seed);
      Clock clock = new VirtualClock(time);
      this.serverStore = DocStores.inMemory(clock);
      IntFunction<java.util.concurrent.ExecutorService> shards = i -> serverExecutor;
      this.engine =
          new Engine(
              serverStore,
              new Engine.Settings(
                  2,
                  Duration.ofMinutes(30),
                  10,
                  100,
                  List.of(LWW_PATTERN),
                  10_000,
                  1 << 20,
                  1L << 30),
              handler,
              clock::millis,
              shards);
      handler.bind(engine);
      this.network = new FuzzNetwork(handler);
      this.accounting = new ChangeAccounting(serverStore::listChanges);
      this.edits = new OtEdits(options.appends());
      this.lwwEdits = new LwwEdits(options.lwwNested());
      List<String> ids = new ArrayList<>(OT_DOCS);
      if (options.lww()) {
        ids.add(LWW_DOC);
      }
      this.docIds = List.copyOf(ids);
      this.stores = options.stores().get();
      for (String doc : OT_DOCS) {
        serverLog.put(doc, new ArrayList<>());
        List<JsonNode> states = new ArrayList<>();
        states.add(null);
        serverStates.put(doc, states);
        serverIds.put(doc, new HashSet<>());
      }
    }

    void execute() {
      int count =
          options.minClients() + random.nextInt(options.maxClients() - options.minClients() + 1);
      for (int i = 0; i < count; i++) {
        FuzzClient client =
            new FuzzClient(i, random.nextInt(4) == 0 ? 700 : 1_000_000, random.split());
        clients.add(client);
        client.start();
      }
      log.add("clients " + count + ", payload limits " + payloadLimits());
      settle();
      // Client 0 creates both OT documents. With loadFirst everyone loads them before the faults
      // start; without, the creation races the other clients' connects, edits and failures.
      for (String doc : OT_DOCS) {
        clients.get(0).doc(doc).change(p -> OtEdits.seed().forEach(p::op));
      }
      if (options.loadFirst()) {
        deliverEverything();
      }
      checkInvariants();
      for (step = 1; step <= options.steps(); step++) {
        act();
        settle();
        checkInvariants();
      }
      step = options.steps() + 1;
      log.add("heal");
      heal();
      checkInvariants();
      checkConverged();
    }

    private String payloadLimits() {
      List<Long> limits = new ArrayList<>();
      clients.forEach(c -> limits.add(c.maxPayloadBytes));
      return limits.toString();
    }

    // ---- actions ----

    private void act() {
      for (int attempt = 0; attempt < 20; attempt++) {
        int roll = random.nextInt(100);
        String kind;
        boolean done;
        if (roll < 30) {
          kind = "edit";
          done = edit();
        } else if (roll < 52) {
          kind = "deliver to server";
          done = deliver(true);
        } else if (roll < 78) {
          kind = "deliver to client";
          done = deliver(false);
        } else if (roll < 81) {
          kind = "drop connection";
          done = dropConnection();
        } else if (roll < 84) {
          kind = "lose answer";
          done = loseAnswer();
        } else if (roll < 87) {
          kind = "duplicate request";
          done = duplicateRequest();
        } else if (roll < 92) {
          kind = "go offline or online";
          done = toggleOnline();
        } else if (roll < 94) {
          kind = "restart";
          done = options.restarts() && restart();
        } else if (roll < 99) {
          kind = "time passes";
          done = passTime();
        } else {
          kind = "time jumps";
          done = jumpTime();
        }
        if (done) {
          count(kind);
          return;
        }
      }
      log.add(step + ": nothing to do");
    }

    private void count(String kind) {
      actions.merge(kind, 1, Integer::sum);
    }

    private boolean edit() {
      FuzzClient client = clients.get(random.nextInt(clients.size()));
      String docId = docIds.get(random.nextInt(docIds.size()));
      PatchesDoc doc = client.doc(docId);
      JsonNode state = doc.state();
      String tag = "c" + client.index + "s" + step;
      List<PatchOp> ops;
      if (isLww(docId)) {
        ops = lwwEdits.edit(state, random, tag);
      } else if (state == null) {
        return false; // not loaded yet
      } else {
        ops = edits.edit(state, random, tag);
      }
      if (ops.isEmpty()) {
        return false;
      }
      Change change = doc.change(p -> ops.forEach(p::op));
      log.add(
          step
              + ": client "
              + client.index
              + " edits "
              + docId
              + " "
              + (change == null ? "" : change.id() + " ")
              + PatchOp.listToJson(ops));
      return true;
    }

    private boolean deliver(boolean toServer) {
      if (toServer && options.bursts() && random.nextInt(8) == 0) {
        return burst();
      }
      List<FuzzNetwork.Link> candidates = new ArrayList<>();
      for (FuzzNetwork.Link l : network.openLinks()) {
        if (!(toServer ? l.toServer : l.toClient).isEmpty()) {
          candidates.add(l);
        }
      }
      if (candidates.isEmpty()) {
        return false;
      }
      FuzzNetwork.Link link = candidates.get(random.nextInt(candidates.size()));
      List<FuzzNetwork.Message> queue = toServer ? link.toServer : link.toClient;
      List<Integer> deliverable = link.deliverable(queue);
      int index = random.nextInt(4) == 0 ? deliverable.get(random.nextInt(deliverable.size())) : 0;
      FuzzNetwork.Message m = toServer ? link.deliverToServer(index) : link.deliverToClient(index);
      if (index > 0) {
        count("overtake");
      }
      log.add(
          step
              + ": "
              + link
              + (toServer ? " -> server " : " -> client ")
              + (index == 0 ? "" : "(overtaking " + index + ") ")
              + m.describe()
              + " "
              + abbreviate(m.text()));
      return true;
    }

    /**
     * Hands the next request of every connection that has one to the server before the server runs
     * anything, as requests arriving together on different connections do; the engine then works
     * through a document's queued commits in one step.
     */
    private boolean burst() {
      List<String> delivered = new ArrayList<>();
      for (FuzzNetwork.Link link : network.openLinks()) {
        if (!link.toServer.isEmpty()) {
          delivered.add(link + " " + link.deliverToServer(0).describe());
        }
      }
      if (delivered.isEmpty()) {
        return false;
      }
      log.add(step + ": together -> server: " + String.join(", ", delivered));
      count("burst");
      return true;
    }

    private boolean dropConnection() {
      List<FuzzNetwork.Link> open = network.openLinks();
      if (open.isEmpty()) {
        return false;
      }
      FuzzNetwork.Link link = open.get(random.nextInt(open.size()));
      log.add(
          step
              + ": "
              + link
              + " drops with "
              + link.toServer.size()
              + " + "
              + link.toClient.size()
              + " messages in flight");
      link.drop(1006, "dropped by the fuzz");
      return true;
    }

    /** A request reaches the server, then the connection drops before its answer arrives. */
    private boolean loseAnswer() {
      List<FuzzNetwork.Link> candidates = new ArrayList<>();
      for (FuzzNetwork.Link l : network.openLinks()) {
        if (!l.toServer.isEmpty() && l.toServer.get(0).method().equals("commitChanges")) {
          candidates.add(l);
        }
      }
      if (candidates.isEmpty()) {
        return false;
      }
      FuzzNetwork.Link link = candidates.get(random.nextInt(candidates.size()));
      FuzzNetwork.Message m = link.deliverToServer(0);
      settle();
      log.add(step + ": " + link + " -> server " + m.describe() + ", then drops: answer lost");
      link.drop(1006, "dropped by the fuzz before the answer");
      return true;
    }

    private boolean duplicateRequest() {
      List<FuzzNetwork.Link> candidates = new ArrayList<>();
      for (FuzzNetwork.Link l : network.openLinks()) {
        for (FuzzNetwork.Message m : l.toServer) {
          if (m.method().equals("commitChanges")) {
            candidates.add(l);
            break;
          }
        }
      }
      if (candidates.isEmpty()) {
        return false;
      }
      FuzzNetwork.Link link = candidates.get(random.nextInt(candidates.size()));
      for (int i = 0; i < link.toServer.size(); i++) {
        FuzzNetwork.Message m = link.toServer.get(i);
        if (m.method().equals("commitChanges")) {
          link.toServer.add(i + 1, m);
          log.add(step + ": " + link + " duplicates " + m.describe());
          return true;
        }
      }
      return false;
    }

    private boolean toggleOnline() {
      FuzzClient client = clients.get(random.nextInt(clients.size()));
      boolean online = !network.isReachable(client.index);
      network.setReachable(client.index, online);
      log.add(step + ": client " + client.index + (online ? " comes online" : " goes offline"));
      if (!online) {
        FuzzNetwork.Link link = network.linkOf(client.index);
        if (link != null) {
          link.drop(1006, "offline");
        }
      }
      return true;
    }

    private boolean restart() {
      FuzzClient client = clients.get(random.nextInt(clients.size()));
      log.add(step + ": client " + client.index + " restarts from its store");
      client.restart();
      return true;
    }

    private boolean passTime() {
      long next = time.nextDue();
      if (next == Long.MAX_VALUE) {
        return false;
      }
      log.add(step + ": time passes to " + next + " ms");
      time.advanceTo(next);
      return true;
    }

    private boolean jumpTime() {
      long to = time.now() + Duration.ofMinutes(31).toMillis();
      log.add(step + ": time jumps 31 minutes");
      time.advanceTo(to);
      return true;
    }

    // ---- running ----

    /** Runs queued work on the server and every client until none is left. */
    void settle() {
      boolean worked = true;
      int rounds = 0;
      while (worked) {
        if (++rounds > TASK_LIMIT) {
          throw new IllegalStateException("no quiescence: work keeps queueing");
        }
        worked = serverExecutor.runAll(TASK_LIMIT) > 0;
        for (FuzzClient c : clients) {
          worked |= c.executor.runAll(TASK_LIMIT) > 0;
        }
      }
    }

    /** Brings every client online and delivers everything, in order, until nothing moves. */
    void heal() {
      for (FuzzClient c : clients) {
        network.setReachable(c.index, true);
      }
      deliverEverything();
    }

    private void deliverEverything() {
      for (int round = 0; round < HEAL_ROUNDS; round++) {
        settle();
        boolean moved = false;
        for (FuzzNetwork.Link link : network.openLinks()) {
          while (link.open && !link.toServer.isEmpty()) {
            link.deliverToServer(0);
            settle();
            moved = true;
          }
          while (link.open && !link.toClient.isEmpty()) {
            link.deliverToClient(0);
            settle();
            moved = true;
          }
        }
        if (moved) {
          continue;
        }
        boolean allConnected = true;
        for (FuzzClient c : clients) {
          allConnected &= c.sync.state().connected();
        }
        if (allConnected) {
          return;
        }
        long next = time.nextDue();
        if (next == Long.MAX_VALUE) {
          throw new AssertionError("a client is not connected and nothing is scheduled");
        }
        time.advanceTo(next);
      }
      throw new AssertionError("the network did not settle in " + HEAL_ROUNDS + " rounds");
    }

    // ---- checks ----

    void checkInvariants() {
      for (String docId : OT_DOCS) {
        updateServerLog(docId);
      }
      for (FuzzClient client : clients) {
        for (String docId : docIds) {
          if (isLww(docId)) {
            checkLwwDoc(client, docId);
          } else {
            checkClientDoc(client, docId);
          }
        }
      }
      if (!accounting.violations().isEmpty()) {
        throw new AssertionError("change lost: " + accounting.violations());
      }
    }

    private void updateServerLog(String docId) {
      List<Change> known = serverLog.get(docId);
      List<JsonNode> states = serverStates.get(docId);
      long head = known.size();
      List<Change> fresh = serverStore.listChanges(docId, head);
      for (Change c : fresh) {
        if (c.rev() != ++head) {
          throw new AssertionError(
              "server log of " + docId + " is not dense: rev " + c.rev() + " after " + (head - 1));
        }
        if (!serverIds.get(docId).add(c.id())) {
          throw new AssertionError("change " + c.id() + " committed twice to " + docId);
        }
        known.add(c);
        states.add(
            ChangeApplier.applyChangesForReconstruction(states.get(states.size() - 1), List.of(c)));
      }
      if (serverStore.currentRev(docId) != known.size()) {
        throw new AssertionError(
            "server head of "
                + docId
                + " is "
                + serverStore.currentRev(docId)
                + ", log has "
                + known.size());
      }
    }

    private void checkClientDoc(FuzzClient client, String docId) {
      PatchesDoc doc = client.doc(docId);
      String who = "client " + client.index + " " + docId;
      long rev = doc.committedRev();
      List<JsonNode> states = serverStates.get(docId);
      if (rev >= states.size()) {
        throw new AssertionError(
            who + " is at rev " + rev + ", ahead of the server's " + (states.size() - 1));
      }
      StoredDoc stored = client.store.loadDoc(docId);
      if (stored == null) {
        stored = StoredDoc.empty();
      }
      if (stored.committedRev() != rev) {
        throw new AssertionError(
            who + " shows rev " + rev + " but its store holds " + stored.committedRev());
      }
      if (!ids(stored.pending()).equals(ids(doc.pendingChanges()))) {
        throw new AssertionError(
            who
                + " shows pending "
                + ids(doc.pendingChanges())
                + " but its store holds "
                + ids(stored.pending()));
      }
      if (!Json.equal(stored.state(), states.get((int) rev))) {
        throw new AssertionError(
            who
                + " committed state at rev "
                + rev
                + " differs from the server's:\n  client "
                + stored.state()
                + "\n  server "
                + states.get((int) rev));
      }
      // Replaying the pending queue is the costliest check: skip it when neither the stored
      // record (an in-memory store swaps immutable records) nor the shown queue changed.
      List<Change> shownPending = doc.pendingChanges();
      if (client.checked.get(docId) == stored && client.checkedPending.get(docId) == shownPending) {
        return;
      }
      client.checked.put(docId, stored);
      client.checkedPending.put(docId, shownPending);
      JsonNode view = ChangeApplier.applyChangesForReconstruction(stored.state(), stored.pending());
      if (!Json.equal(view, doc.state())) {
        throw new AssertionError(
            who
                + " shows a state that is not its committed state plus its pending changes:\n"
                + "  shown "
                + doc.state()
                + "\n  expected "
                + view);
      }
    }

    /**
     * A last-write-wins document keeps no change log to replay, so per step the client's store must
     * hold what it shows and its revision must not pass the server's; its state is compared with
     * the server's at the end.
     */
    private void checkLwwDoc(FuzzClient client, String docId) {
      PatchesDoc doc = client.doc(docId);
      String who = "client " + client.index + " " + docId;
      long serverRev = serverStore.loadLww(docId).rev();
      if (doc.committedRev() > serverRev) {
        throw new AssertionError(
            who + " is at rev " + doc.committedRev() + ", ahead of the server's " + serverRev);
      }
      StoredDoc stored = client.store.loadDoc(docId);
      if (stored == null) {
        stored = StoredDoc.empty();
      }
      List<Change> inFlight = new ArrayList<>();
      if (stored.sending() != null) {
        inFlight.add(stored.sending());
      }
      inFlight.addAll(stored.pending());
      if (stored.committedRev() != doc.committedRev()
          || !ids(inFlight).equals(ids(doc.pendingChanges()))) {
        throw new AssertionError(
            who
                + " shows rev "
                + doc.committedRev()
                + " and changes "
                + ids(doc.pendingChanges())
                + " but its store holds rev "
                + stored.committedRev()
                + " and "
                + ids(inFlight));
      }
    }

    private void checkLwwConverged(String docId) {
      CompletableFuture<Snapshot> fetched = engine.getDoc(docId, null);
      settle();
      Snapshot snapshot = fetched.join();
      JsonNode served =
          ChangeApplier.applyChangesForReconstruction(snapshot.state(), snapshot.changes());
      for (FuzzClient client : clients) {
        PatchesDoc doc = client.doc(docId);
        String who = "client " + client.index + " " + docId;
        if (doc.hasPending()) {
          throw new AssertionError(who + " still has changes in flight " + doc.pendingChanges());
        }
        JsonNode shown = doc.state();
        boolean bothEmpty =
            (shown == null || shown.isEmpty()) && (served == null || served.isEmpty());
        if (!bothEmpty && !Json.equal(shown, served)) {
          throw new AssertionError(
              who + " did not converge:\n  client " + shown + "\n  server " + served);
        }
      }
    }

    void checkConverged() {
      if (options.lww()) {
        checkLwwConverged(LWW_DOC);
      }
      for (String docId : OT_DOCS) {
        List<JsonNode> states = serverStates.get(docId);
        JsonNode head = states.get(states.size() - 1);
        long rev = states.size() - 1;
        CompletableFuture<Snapshot> fetched = engine.getDoc(docId, null);
        settle();
        Snapshot snapshot = fetched.join();
        JsonNode served =
            ChangeApplier.applyChangesForReconstruction(snapshot.state(), snapshot.changes());
        if (!Json.equal(served, head)) {
          throw new AssertionError(
              "getDoc of "
                  + docId
                  + " differs from replaying the log:\n  getDoc "
                  + served
                  + "\n  log "
                  + head);
        }
        for (FuzzClient client : clients) {
          PatchesDoc doc = client.doc(docId);
          String who = "client " + client.index + " " + docId;
          if (doc.hasPending()) {
            throw new AssertionError(who + " still has pending changes " + doc.pendingChanges());
          }
          if (doc.committedRev() != rev || !Json.equal(doc.state(), head)) {
            throw new AssertionError(
                who
                    + " did not converge: rev "
                    + doc.committedRev()
                    + " of "
                    + rev
                    + "\n  client "
                    + doc.state()
                    + "\n  server "
                    + head);
          }
        }
      }
      for (Map.Entry<String, ChangeAccounting.Entry> e : accounting.entries().entrySet()) {
        ChangeAccounting.Entry entry = e.getValue();
        boolean committed = serverIds.get(entry.docId).contains(e.getKey());
        if (!committed
            && entry.fate != ChangeAccounting.Fate.REBASED_AWAY
            && entry.fate != ChangeAccounting.Fate.SPLIT) {
          throw new AssertionError(
              "change "
                  + e.getKey()
                  + " of client "
                  + entry.client
                  + " on "
                  + entry.docId
                  + " was neither committed nor rebased away ("
                  + entry.fate
                  + ")");
        }
      }
    }

    private static List<String> ids(List<Change> changes) {
      List<String> ids = new ArrayList<>(changes.size());
      changes.forEach(c -> ids.add(c.id()));
      return ids;
    }

    private static String abbreviate(String text) {
      return text.length() <= 400 ? text : text.substring(0, 400) + "…";
    }

    String report(Throwable failure) {
      StringBuilder sb = new StringBuilder();
      sb.append("seed ")
          .append(seed)
          .append(" failed at step ")
          .append(step)
          .append(": ")
          .append(failure.getMessage())
          .append("\noperation log:\n");
      log.forEach(line -> sb.append("  ").append(line).append('\n'));
      for (FuzzClient c : clients) {
        sb.append("client ").append(c.index).append(' ').append(c.sync.state());
        for (String docId : docIds) {
          PatchesDoc doc = c.doc(docId);
          sb.append("\n  ")
              .append(docId)
              .append(" rev ")
              .append(doc.committedRev())
              .append(" pending ")
              .append(ids(doc.pendingChanges()))
              .append(' ')
              .append(doc.state());
        }
        sb.append('\n');
      }
      if (options.lww()) {
        sb.append("server ").append(LWW_DOC).append(' ').append(serverStore.loadLww(LWW_DOC));
        sb.append('\n');
      }
      for (String docId : OT_DOCS) {
        sb.append("server ").append(docId).append(" log:\n");
        for (Change c : serverLog.get(docId)) {
          sb.append("  ")
              .append(c.rev())
              .append(' ')
              .append(c.id())
              .append(" base ")
              .append(c.baseRev())
              .append(' ')
              .append(c.clientId())
              .append(' ')
              .append(PatchOp.listToJson(c.ops()))
              .append('\n');
        }
      }
      return sb.toString();
    }

    void close() {
      for (FuzzClient c : clients) {
        c.close();
      }
      try {
        settle();
      } catch (RuntimeException e) {
        // Closing after a failure: the failure is what matters.
      }
      engine.close();
    }

    /** One client: its store, documents, coordinator and protocol thread. */
    final class FuzzClient {
      final int index;
      final long maxPayloadBytes;
      final SplittableRandom jitter;
      ManualExecutor executor;
      RecordingStore store;
      Patches patches;
      PatchesSync sync;
      final Map<String, PatchesDoc> docs = new LinkedHashMap<>();
      final Map<String, StoredDoc> checked = new HashMap<>();
      final Map<String, List<Change>> checkedPending = new HashMap<>();
      int incarnation;

      FuzzClient(int index, long maxPayloadBytes, SplittableRandom jitter) {
        this.index = index;
        this.maxPayloadBytes = maxPayloadBytes;
        this.jitter = jitter;
      }

      void start() {
        incarnation++;
        checked.clear();
        checkedPending.clear();
        executor = new ManualExecutor("client-" + index + "." + incarnation);
        store = new RecordingStore(stores.open(index), index, accounting);
        patches = Patches.builder(store).clock(new VirtualClock(time)).lww(LWW_PATTERN).build();
        sync =
            PatchesSync.builder(patches, network.transport(index))
                .executor(executor)
                .scheduler(time)
                .random(jitter::nextDouble)
                .heartbeat(Duration.ZERO, Duration.ofSeconds(5))
                .maxPayloadBytes(maxPayloadBytes)
                .build();
        sync.onError(
            (e, docId) ->
                log.add(
                    "    client "
                        + index
                        + " error"
                        + (docId == null ? "" : " on " + docId)
                        + ": "
                        + e));
        docs.clear();
        for (String docId : docIds) {
          docs.put(docId, patches.openDoc(docId));
        }
        sync.connect();
      }

      PatchesDoc doc(String docId) {
        return docs.get(docId);
      }

      void restart() {
        close();
        start();
      }

      void close() {
        sync.close();
        executor.runAll(TASK_LIMIT);
        executor.shutdownNow();
        patches.close();
      }
    }
  }

  /** A clock that reads the run's virtual time. */
  private static final class VirtualClock extends Clock {
    private final VirtualScheduler time;

    VirtualClock(VirtualScheduler time) {
      this.time = time;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis());
    }

    @Override
    public long millis() {
      return EPOCH + time.now();
    }
  }

  /** An in-memory store that survives its client's restart: closing it keeps its data. */
  private record KeepOpenStore(ClientStore delegate) implements ClientStore {
    @Override
    public void trackDocs(java.util.Collection<String> docIds) {
      delegate.trackDocs(docIds);
    }

    @Override
    public void untrackDocs(java.util.Collection<String> docIds) {
      delegate.untrackDocs(docIds);
    }

    @Override
    public Set<String> trackedDocs() {
      return delegate.trackedDocs();
    }

    @Override
    public @Nullable StoredDoc loadDoc(String docId) {
      return delegate.loadDoc(docId);
    }

    @Override
    public void appendPending(String docId, Change change) {
      delegate.appendPending(docId, change);
    }

    @Override
    public void saveDoc(String docId, StoredDoc doc) {
      delegate.saveDoc(docId, doc);
    }

    @Override
    public void deleteDoc(String docId) {
      delegate.deleteDoc(docId);
    }

    @Override
    public void addTombstone(String docId) {
      delegate.addTombstone(docId);
    }

    @Override
    public Set<String> tombstones() {
      return delegate.tombstones();
    }

    @Override
    public void removeTombstone(String docId) {
      delegate.removeTombstone(docId);
    }

    @Override
    public void quarantine(
        String docId, List<dev.patchbay.client.QuarantinedChange> changes, StoredDoc remaining) {
      delegate.quarantine(docId, changes, remaining);
    }

    @Override
    public List<dev.patchbay.client.QuarantinedChange> quarantinedChanges() {
      return delegate.quarantinedChanges();
    }

    @Override
    public boolean discardQuarantined(String docId, String changeId) {
      return delegate.discardQuarantined(docId, changeId);
    }

    @Override
    public void close() {}
  }
}
