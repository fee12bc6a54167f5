package dev.patchbay.collections.client;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The client and its sync engine. Sync runs execute one at a time on one thread ({@code
 * patchbay-collsync-N}): pull every collection by cursor (a remote change to a record with queued
 * local changes is a conflict, settled by the strategy before anything is pushed), then push the
 * outbox in order, each operation with the server version its record was last synced at as {@code
 * baseVersion} and its own change id, so a retry after a lost answer applies once. The outbox goes
 * in batches (one entry per record per batch, so a record's entries keep their order and a refused
 * one holds back the later ones): over the realtime WebSocket while it is connected, else over
 * HTTP. Changes heard on the WebSocket are applied on the same thread, between runs.
 */
final class DefaultCollectionsClient implements CollectionsClient {
  private static final Logger log = LoggerFactory.getLogger(DefaultCollectionsClient.class);
  private static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();
  private static final AtomicInteger THREADS = new AtomicInteger();

  /** Push passes per run: a conflict settled while pushing queues its result for the next pass. */
  private static final int PUSH_PASSES = 3;

  /** Operations per batch, under the server's limit (1,000). */
  private static final int BATCH_OPERATIONS = 500;

  /**
   * Estimated JSON bytes per batch: under the smallest WebSocket message a server accepts (64 KiB).
   * A larger entry goes alone, as a plain HTTP request.
   */
  private static final int BATCH_BYTES = 60 * 1024;

  /** Realtime changes that may wait for the sync thread. */
  private static final int MAX_QUEUED_CHANGES = 10_000;

  /** Feed positions remembered above a collection's cursor before giving up on them. */
  private static final int MAX_HEARD = 10_000;

  /** Deliveries (watch results and events) that may wait for the listeners' thread. */
  private static final int WATCH_QUEUE = 10_000;

  private final Builder config;
  private final Path directory;
  private final LocalStore store;
  private final HttpBackend backend;
  private final Clock clock;
  private final ScheduledExecutorService syncThread;
  private final ExecutorService httpThreads;
  private final ExecutorService watchThread;
  private final Watchers watchers;
  private final Events events;
  private final @Nullable Realtime realtime;
  private final Map<String, DefaultRecordCollection> collections = new LinkedHashMap<>();

  // Guarded by this: the run in progress and the one requested behind it.
  private boolean running;
  private @Nullable CompletableFuture<SyncResult> next;
  private @Nullable ScheduledFuture<?> timer;
  private int consecutiveFailures;
  private boolean closed;
  private volatile Set<Long> inFlight = Set.of();
  // False once the server answered a batch push as one that does not know the batch form.
  private volatile boolean httpBatches = true;
  private final java.util.concurrent.atomic.AtomicBoolean pushScheduled =
      new java.util.concurrent.atomic.AtomicBoolean();
  // Sync thread only: feed positions above the cursor whose state this device has (its own
  // acknowledged writes, changes heard out of order); the cursor moves over them once the
  // positions below are filled.
  private final Map<String, TreeSet<Long>> heard = new HashMap<>();
  // Changes heard on the WebSocket, waiting for the sync thread; draining: a task is scheduled.
  private final ArrayDeque<Heard> heardQueue = new ArrayDeque<>();
  private boolean draining; // guarded by heardQueue
  private volatile boolean syncEnabled = true;
  private final Metrics metrics = new Metrics();

  private DefaultCollectionsClient(Builder config, Path directory, LocalStore store) {
    this.config = config;
    this.directory = directory;
    this.store = store;
    this.clock = config.clock;
    ScheduledThreadPoolExecutor sync =
        new ScheduledThreadPoolExecutor(1, named("patchbay-collsync-"));
    // close() must not wait for the next interval sync or reconnect attempt to come due.
    sync.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    sync.setRemoveOnCancelPolicy(true);
    this.syncThread = sync;
    this.httpThreads = Executors.newFixedThreadPool(2, named("patchbay-collhttp-"));
    this.watchThread =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(WATCH_QUEUE),
            named("patchbay-collwatch-"));
    this.watchers = new Watchers(watchThread);
    this.events = new Events(watchThread);
    this.backend =
        new HttpBackend(
            Objects.requireNonNull(config.baseUrl),
            config.token,
            config.requestTimeout,
            httpThreads);
    for (String c : config.collections) {
      collections.put(c, new DefaultRecordCollection(c, store, this));
    }
    this.realtime =
        config.realtime
            ? new Realtime(
                Objects.requireNonNull(config.baseUrl),
                config.token,
                List.copyOf(config.collections),
                config.connector != null
                    ? config.connector
                    : Realtime.jdk(backend.http, config.requestTimeout, httpThreads),
                Realtime.timers(syncThread),
                this,
                new Realtime.Settings(
                    config.reconnectBase,
                    config.reconnectCap,
                    config.maxReconnectAttempts,
                    config.requestTimeout,
                    config.pingInterval,
                    config.pongTimeout))
            : null;
  }

  static CollectionsClient start(Builder config) {
    Path directory = Objects.requireNonNull(config.dataDirectory).toAbsolutePath().normalize();
    if (!OPEN.add(directory)) {
      throw new IllegalStateException("a collections client is already open on " + directory);
    }
    try {
      DefaultCollectionsClient client =
          new DefaultCollectionsClient(
              config,
              directory,
              LocalStore.open(
                  directory,
                  config.encryptionKey == null
                      ? AtRest.plain()
                      : AtRest.aesGcm(config.encryptionKey)));
      if (config.autoSync) {
        client.syncNow();
      }
      if (client.realtime != null) {
        client.realtime.start();
      }
      return client;
    } catch (RuntimeException e) {
      OPEN.remove(directory);
      throw e;
    }
  }

  private static ThreadFactory named(String prefix) {
    return r -> {
      Thread t = new Thread(r, prefix + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  Watchers watchers() {
    return watchers;
  }

  void emit(
      SyncEventType type,
      @Nullable String collection,
      @Nullable String recordId,
      ObjectNode metadata,
      @Nullable String error) {
    SyncEvent event =
        new SyncEvent(type, collection, recordId, metadata, Instant.ofEpochMilli(now()), error);
    // Inside a store transaction, only once it has committed: an event reports durable state.
    store.afterCommit(
        () -> {
          metrics.record(event);
          events.publish(event);
        });
  }

  @Override
  public Subscription onEvent(Consumer<SyncEvent> listener) {
    return events.listen(Objects.requireNonNull(listener, "listener"));
  }

  long now() {
    return clock.millis();
  }

  @Override
  public RecordCollection collection(String name) {
    DefaultRecordCollection c = collections.get(name);
    if (c == null) {
      throw new IllegalArgumentException(
          "collection '" + name + "' is not configured; configured: " + collections.keySet());
    }
    return c;
  }

  /** A sync asked for by the timer or the realtime link: nothing when syncing is off. */
  void requestSync() {
    if (syncEnabled) {
      syncNow();
    }
  }

  @Override
  public synchronized CompletableFuture<SyncResult> syncNow() {
    if (closed) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("the collections client is closed"));
    }
    if (!syncEnabled) {
      return CompletableFuture.failedFuture(new IllegalStateException("sync is disabled"));
    }
    CompletableFuture<SyncResult> f = next;
    if (f == null) {
      f = new CompletableFuture<>();
      next = f;
      if (!running) {
        startNext();
      }
    }
    return f;
  }

  // Called holding this.
  private void startNext() {
    CompletableFuture<SyncResult> f = Objects.requireNonNull(next);
    next = null;
    running = true;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    syncThread.execute(() -> run(f));
  }

  private void run(CompletableFuture<SyncResult> f) {
    SyncResult result = null;
    Throwable error = null;
    try {
      result = runOnce();
    } catch (Throwable e) { // the future must complete whatever happens
      error = e;
      heard.clear(); // a rolled-back transaction may have left positions it did not store
    }
    synchronized (this) {
      running = false;
      consecutiveFailures = error == null ? 0 : consecutiveFailures + 1;
      if (next != null && !closed) {
        startNext();
      } else if (config.autoSync && !closed) {
        Duration wait = error == null ? config.syncInterval : backoff(consecutiveFailures);
        timer = syncThread.schedule(this::requestSync, wait.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
    if (error != null) {
      log.debug("collections sync failed: {}", error.toString());
      emit(SyncEventType.SYNC_FAILED, null, null, Json.object(), error.getMessage());
      f.completeExceptionally(error);
    } else {
      ObjectNode meta = Json.object();
      meta.put("pushed", result.pushed());
      meta.put("pulled", result.pulled());
      meta.put("conflicts", result.conflicts());
      meta.put("failed", result.failed());
      meta.put("pending", result.pending());
      emit(SyncEventType.SYNC_COMPLETED, null, null, meta, null);
      f.complete(result);
    }
  }

  Duration backoff(int attempt) {
    long base = config.backoffBase.toMillis();
    long cap = config.backoffCap.toMillis();
    int shift = Math.min(Math.max(attempt - 1, 0), 30);
    return Duration.ofMillis(Math.min(cap, base << shift));
  }

  /** Counters of one run. */
  private static final class Run {
    int pushed;
    int pulled;
    int conflicts;
    int failed;
    boolean requeued;
    // Patches answered 404: their record was deleted on the server after this device pulled it.
    final Map<LocalStore.Op, HttpBackend.Answer> gone = new LinkedHashMap<>();
  }

  private SyncResult runOnce() {
    emit(SyncEventType.SYNC_STARTED, null, null, Json.object(), null);
    Run run = new Run();
    for (String c : collections.keySet()) {
      pull(c, run);
    }
    pushPasses(run);
    int pending = store.transaction(store::opCount);
    return new SyncResult(
        run.pushed, run.pulled, run.conflicts, run.failed, pending, Instant.ofEpochMilli(now()));
  }

  /** Pushes the outbox, again while a pass requeued entries, at most {@link #PUSH_PASSES} times. */
  private void pushPasses(Run run) {
    for (int pass = 0; pass < PUSH_PASSES; pass++) {
      run.requeued = false;
      push(run);
      if (!run.requeued) {
        return;
      }
    }
  }

  /**
   * Pushes the outbox without pulling first, on the caller's thread: lets tests reach the server's
   * own conflict answers (409, ignored), which a pull first would pre-empt.
   */
  SyncResult pushOnlyForTest() {
    Run run = new Run();
    pushPasses(run);
    return new SyncResult(
        run.pushed, run.pulled, run.conflicts, run.failed, pendingCount(), Instant.now(clock));
  }

  /** Requests sent over HTTP with this method since start (tests check which path was taken). */
  long httpRequests(String method) {
    return backend.requests(method);
  }

  /** The outbox entries as stored, change ids included (tests). */
  List<LocalStore.Op> queuedForTest() {
    return store.transaction(store::ops);
  }

  // ---- pull

  private void pull(String collection, Run run) {
    long cursor = store.transaction(() -> store.cursor(collection));
    boolean reset = false;
    Set<String> seen = new HashSet<>();
    while (true) {
      long from = cursor;
      Map<String, String> filter = config.syncFilters.getOrDefault(collection, Map.of());
      HttpBackend.Answer answer =
          call(() -> backend.pull(collection, from, config.pageSize, filter));
      if (answer.status() == 410 && !reset) {
        // Deletes below the server's purge horizon are gone: read everything again, then drop
        // the clean local records the server no longer has.
        log.info("collection {}: cursor {} expired, pulling everything again", collection, cursor);
        reset = true;
        cursor = 0;
        continue;
      }
      if (answer.status() != 200) {
        throw new PatchbayException(
            answer.status(), "pull of '" + collection + "' refused: " + answer.error());
      }
      HttpBackend.Page page = HttpBackend.page(answer.body());
      boolean resetting = reset;
      long nextCursor = page.nextCursor();
      store.transaction(
          () -> {
            for (HttpBackend.Remote r : page.records()) {
              seen.add(r.id());
              LocalStore.Op own = ownWrite(collection, r);
              if (own != null) {
                acknowledge(own, r, run);
              } else if (r.deleted() || passes(r.data(), filter)) { // checked again, as SyncLayer
                applyRemote(collection, r, resetting, run);
              }
            }
            store.setCursor(collection, nextCursor);
            return null;
          });
      if (!page.records().isEmpty()) {
        watchers.changed(collection);
      }
      cursor = nextCursor;
      if (!page.hasMore()) {
        break;
      }
    }
    TreeSet<Long> known = heard.get(collection);
    if (known != null) {
      known.headSet(cursor, true).clear();
    }
    if (reset) {
      store.transaction(
          () -> {
            for (String id : store.cleanIds(collection)) {
              if (!seen.contains(id)) {
                store.removeRecord(collection, id);
              }
            }
            return null;
          });
      watchers.changed(collection);
    }
  }

  static boolean passes(ObjectNode data, Map<String, String> where) {
    for (Map.Entry<String, String> e : where.entrySet()) {
      JsonNode v = Values.at(data, e.getKey());
      if (v == null
          || !v.isValueNode()
          || !e.getValue().equals(v.isString() ? v.stringValue() : v.toString())) {
        return false;
      }
    }
    return true;
  }

  /**
   * The queued entry that made this remote version, when its change id says so: a push the server
   * applied but whose answer never arrived (a cut connection, a time-out, a crash). Its record's
   * entries go one at a time, so it is the record's first; the remote version is exactly its
   * outcome, and acknowledging it like the lost answer would have keeps the device from taking its
   * own write for a remote change.
   */
  private LocalStore.@Nullable Op ownWrite(String c, HttpBackend.Remote r) throws SQLException {
    String changeId = r.changeId();
    return changeId == null || changeId.isEmpty() ? null : store.opByChangeId(c, r.id(), changeId);
  }

  private void applyRemote(String c, HttpBackend.Remote r, boolean reset, Run run)
      throws SQLException {
    LocalStore.Row row = store.row(c, r.id());
    long now = now();
    if (row == null) {
      if (!r.deleted()) {
        store.put(c, r.id(), r.data(), r.version(), r.updatedAt().toEpochMilli(), false, now);
        run.pulled++;
      }
      return;
    }
    if (!store.hasOps(c, r.id())) {
      if (r.version() == row.serverVersion() && !reset) {
        return;
      }
      store.put(
          c,
          r.id(),
          r.deleted() ? row.data() : r.data(),
          r.version(),
          r.updatedAt().toEpochMilli(),
          r.deleted(),
          now);
      run.pulled++;
      return;
    }
    if (r.version() == row.serverVersion()) {
      return; // the local change was made on this very version: the push will apply it
    }
    settle(row, r, run);
  }

  // ---- realtime

  /**
   * A local change was queued: while the socket is connected to a server that takes batches, push
   * the outbox at once (on the sync thread, coalesced), without a pull first; the changes heard on
   * the socket keep this device current. Not while a run is due (it pushes anyway) or off. A push
   * that fails asks for a full run, which backs off as usual.
   */
  void pushSoon() {
    Realtime rt = realtime;
    if (rt == null
        || !config.pushOnChange
        || !syncEnabled
        || !rt.batchReady()
        || !pushScheduled.compareAndSet(false, true)) {
      return;
    }
    try {
      syncThread.execute(this::pushNow);
    } catch (RejectedExecutionException closing) {
      pushScheduled.set(false);
    }
  }

  private void pushNow() {
    pushScheduled.set(false);
    synchronized (this) {
      if (running || closed || !syncEnabled) {
        return; // a run is queued behind this task and pushes the change
      }
    }
    try {
      Run run = new Run();
      pushPasses(run);
    } catch (RuntimeException e) {
      log.debug("push on change failed ({}); asking for a run", e.toString());
      requestSync();
    }
  }

  /** A change heard on the realtime WebSocket, waiting for the sync thread. */
  private record Heard(String collection, JsonNode message) {}

  /**
   * A change heard on the realtime WebSocket: queued for the sync thread, which applies what has
   * queued up in one local transaction between runs. A full queue drops the change and asks for a
   * pull (the hole it leaves makes later changes wait for that pull too).
   */
  void realtimeChange(String collection, JsonNode message) {
    boolean schedule;
    synchronized (heardQueue) {
      if (heardQueue.size() >= MAX_QUEUED_CHANGES) {
        schedule = false;
      } else {
        heardQueue.add(new Heard(collection, message));
        schedule = !draining;
        draining = true;
      }
    }
    if (!schedule) {
      if (heardQueueFull()) {
        requestSync();
      }
      return;
    }
    try {
      syncThread.execute(this::applyHeard);
    } catch (RejectedExecutionException closing) {
      // the client is closing: the next start pulls from the cursor
    }
  }

  private boolean heardQueueFull() {
    synchronized (heardQueue) {
      return heardQueue.size() >= MAX_QUEUED_CHANGES;
    }
  }

  private void applyHeard() {
    List<Heard> batch;
    synchronized (heardQueue) {
      batch = new ArrayList<>(heardQueue);
      heardQueue.clear();
      draining = false;
    }
    if (batch.isEmpty() || !syncEnabled) {
      return; // off: the cursor stays, and the pull after re-enabling brings the changes
    }
    List<SyncEvent> applied = new ArrayList<>();
    Set<String> changed = new HashSet<>();
    boolean[] pull = {false};
    boolean[] requeued = {false};
    try {
      store.transaction(
          () -> {
            for (Heard h : batch) {
              applyChange(h.collection(), h.message(), applied, changed, pull, requeued);
            }
            return null;
          });
    } catch (RuntimeException e) {
      log.warn("realtime: could not apply changes: {}", e.toString());
      heard.clear();
      requestSync();
      return;
    }
    changed.forEach(watchers::changed);
    applied.forEach(e -> emit(e.type(), e.collection(), e.recordId(), e.metadata(), null));
    if (pull[0] || requeued[0]) {
      requestSync(); // a hole to fill, or the outcome of a conflict settled here to push
    }
  }

  /**
   * Applies one broadcast record like a pulled one (same conflict path) when its feed position is
   * the next after the cursor, or follows positions this device already has; the cursor then moves
   * to it. A position already covered is skipped; one after a hole asks for a cursor pull instead,
   * so nothing is skipped. A change carrying the change id of an entry still in the outbox is this
   * device's own write coming back (pushed over HTTP, its answer not handled yet): it acknowledges
   * the entry, no conflict, no realtime event. Runs in a store transaction on the sync thread.
   */
  private void applyChange(
      String c,
      JsonNode msg,
      List<SyncEvent> applied,
      Set<String> changed,
      boolean[] pull,
      boolean[] requeued)
      throws SQLException {
    JsonNode meta = msg.path("metadata");
    long seq = meta.path("seq").asLong(0);
    String id = msg.path("recordId").asString("");
    String type = msg.path("type").asString("");
    if (seq <= 0 || id.isEmpty() || meta.path("conflict").asBoolean(false)) {
      pull[0] = true; // a server that does not say the feed position: pull
      return;
    }
    HttpBackend.Remote remote;
    try {
      JsonNode data = msg.get("data");
      remote =
          new HttpBackend.Remote(
              id,
              data instanceof ObjectNode o ? o : Json.object(),
              meta.path("version").asLong(1),
              Instant.parse(msg.path("timestamp").asString("")),
              type.equals("delete"),
              meta.path("changeId").isString() ? meta.path("changeId").stringValue() : null);
    } catch (RuntimeException e) {
      log.debug("realtime: unreadable change ({}), pulling instead", e.toString());
      pull[0] = true;
      return;
    }
    long cursor = store.cursor(c);
    if (seq <= cursor) {
      return; // a pull brought it already
    }
    if (!heardAll(c, cursor + 1, seq - 1)) {
      log.debug("realtime: {} position {} follows a hole, pulling", c, seq);
      pull[0] = true;
      return;
    }
    LocalStore.Op own = ownWrite(c, remote);
    Run run = new Run();
    if (own != null) {
      acknowledge(own, remote, run);
    } else if (remote.deleted()
        || passes(remote.data(), config.syncFilters.getOrDefault(c, Map.of()))) {
      applyRemote(c, remote, false, run);
    }
    heardAt(c, seq);
    requeued[0] |= run.requeued;
    if (run.pulled + run.conflicts > 0) {
      changed.add(c);
      ObjectNode m = Json.object();
      m.put("version", remote.version());
      m.put("seq", seq);
      SyncEventType event =
          remote.deleted()
              ? SyncEventType.REALTIME_DELETE
              : type.equals("insert")
                  ? SyncEventType.REALTIME_INSERT
                  : SyncEventType.REALTIME_UPDATE;
      applied.add(new SyncEvent(event, c, id, m, Instant.ofEpochMilli(now()), null));
    }
  }

  // ---- conflicts

  /** The side a strategy picks, or a merged record. */
  private record Decision(boolean remote, @Nullable ObjectNode merged) {}

  static boolean lastWriteWinsPicksRemote(long localTime, long remoteTime) {
    return localTime <= remoteTime; // a tie goes to the remote side
  }

  private Decision decide(LocalStore.Row local, HttpBackend.Remote remote) {
    long lt = local.updatedAt();
    long rt = remote.updatedAt().toEpochMilli();
    switch (config.conflictStrategy) {
      case SERVER_WINS:
        return new Decision(true, null);
      case CLIENT_WINS:
        return new Decision(false, null);
      case CUSTOM:
        if (!local.deleted() && !remote.deleted()) {
          ObjectNode merged =
              Objects.requireNonNull(config.conflictResolver)
                  .resolve(
                      local.data().deepCopy(),
                      remote.data().deepCopy(),
                      Instant.ofEpochMilli(lt),
                      remote.updatedAt());
          if (merged == null) {
            throw new PatchbayException(500, "the conflict resolver returned null");
          }
          return new Decision(false, merged.deepCopy());
        }
        return new Decision(lastWriteWinsPicksRemote(lt, rt), null);
      case LAST_WRITE_WINS:
      default:
        return new Decision(lastWriteWinsPicksRemote(lt, rt), null);
    }
  }

  /**
   * Settles a conflict between a local record with queued changes and the server's newer version:
   * the record's queued operations are replaced by at most one that pushes the outcome against the
   * server's version.
   */
  private void settle(LocalStore.Row local, HttpBackend.Remote remote, Run run)
      throws SQLException {
    run.conflicts++;
    String c = local.collection();
    String id = local.id();
    long now = now();
    long rt = remote.updatedAt().toEpochMilli();
    ObjectNode detected = Json.object();
    detected.put("localVersion", local.serverVersion());
    detected.put("remoteVersion", remote.version());
    emit(SyncEventType.CONFLICT_DETECTED, c, id, detected, null);
    // Both sides delete: the record ends deleted whatever the strategy, only the tombstone's time
    // is left to choose, and it must be the later delete's. Kept at the earlier one, a write made
    // between the two would beat it by time on the server and revive the record after both.
    boolean bothDeleted = local.deleted() && remote.deleted();
    if (config.conflictStrategy == ConflictStrategy.MANUAL && !bothDeleted) {
      // Keep both sides for the app; the record's changes stay queued but are not pushed (push
      // skips records with a kept conflict) until resolveConflict replaces them.
      store.putConflict(
          new Conflict(
              c,
              id,
              local.deleted() ? null : local.data(),
              remote.deleted() ? null : remote.data(),
              Instant.ofEpochMilli(local.updatedAt()),
              remote.updatedAt(),
              remote.version()),
          now);
      return;
    }
    Decision d =
        bothDeleted
            ? new Decision(
                config.conflictStrategy == ConflictStrategy.SERVER_WINS || local.updatedAt() <= rt,
                null)
            : decide(local, remote);
    boolean remoteWins =
        d.remote()
            || (d.merged() != null && !remote.deleted() && Json.equal(d.merged(), remote.data()));
    log.debug(
        "conflict on {}/{}: local v{} vs remote v{}, {} wins",
        c,
        id,
        local.serverVersion(),
        remote.version(),
        remoteWins ? "remote" : d.merged() != null ? "merge" : "local");
    ObjectNode resolved = Json.object();
    resolved.put("strategy", config.conflictStrategy.name());
    resolved.put("winner", remoteWins ? "remote" : d.merged() != null ? "merged" : "local");
    resolved.set("localData", local.deleted() ? Json.NODES.nullNode() : local.data());
    resolved.set("remoteData", remote.deleted() ? Json.NODES.nullNode() : remote.data());
    ObjectNode outcome =
        remoteWins ? remote.data() : d.merged() != null ? d.merged() : local.data();
    boolean outcomeDeleted = remoteWins ? remote.deleted() : d.merged() == null && local.deleted();
    resolved.set("resolvedData", outcomeDeleted ? Json.NODES.nullNode() : outcome.deepCopy());
    emit(SyncEventType.CONFLICT_RESOLVED, c, id, resolved, null);
    store.removeOps(c, id);
    if (remoteWins) {
      store.put(
          c,
          id,
          remote.deleted() ? local.data() : remote.data(),
          remote.version(),
          rt,
          remote.deleted(),
          now);
      return;
    }
    // The outcome is a new write over the server's version; its time is after both sides so that
    // a server settling a later race by time keeps it.
    long ts =
        config.conflictStrategy == ConflictStrategy.LAST_WRITE_WINS || bothDeleted
            ? local.updatedAt()
            : Math.max(now, rt + 1);
    run.requeued = true;
    if (d.merged() == null && local.deleted()) {
      store.put(c, id, local.data(), remote.version(), ts, true, now);
      store.enqueue(c, id, OperationType.DELETE, null, ts, UUID.randomUUID().toString());
      return;
    }
    ObjectNode data = d.merged() != null ? d.merged() : local.data();
    store.put(c, id, data, remote.version(), ts, false, now);
    store.enqueue(c, id, OperationType.UPDATE, data, ts, UUID.randomUUID().toString());
  }

  // ---- push

  private static String key(LocalStore.Op op) {
    return op.collection() + '\u0000' + op.recordId();
  }

  private void push(Run run) {
    if (!config.batchPush) {
      pushEach(run);
    } else {
      Set<String> blocked = new HashSet<>();
      while (true) {
        List<LocalStore.Op> batch = nextBatch(blocked);
        if (batch.isEmpty()) {
          break;
        }
        pushBatch(batch, run, blocked);
      }
    }
    settleGone(run);
  }

  /**
   * Patches the server answered 404 for: their record was deleted there between this device's pull
   * and its push. That is a conflict with the server's tombstone, read here and settled by the
   * strategy like one found in a pull (its outcome, if any, goes in the next pass). Only when the
   * server has no record at all (never written, or its tombstone purged) is the 404 a refusal of
   * the patch, counted towards {@code maxRetries}.
   */
  private void settleGone(Run run) {
    Map<LocalStore.Op, HttpBackend.Answer> gone = new LinkedHashMap<>(run.gone);
    run.gone.clear();
    for (Map.Entry<LocalStore.Op, HttpBackend.Answer> e : gone.entrySet()) {
      LocalStore.Op op = e.getKey();
      HttpBackend.Answer answer = call(() -> backend.get(op.collection(), op.recordId()));
      if (answer.status() != 200) {
        refused(op, e.getValue(), run);
        continue;
      }
      HttpBackend.Remote remote = HttpBackend.Remote.of(answer.body());
      boolean settled =
          store.transaction(
              () -> {
                LocalStore.Row row = store.row(op.collection(), op.recordId());
                if (!store.hasOp(op.seq()) || row == null) {
                  return true; // settled otherwise meanwhile (a change heard on the socket)
                }
                if (remote.version() == row.serverVersion()) {
                  return false; // the version the patch was made on: a plain refusal
                }
                settle(row, remote, run);
                return true;
              });
      if (settled) {
        watchers.changed(op.collection());
      } else {
        refused(op, e.getValue(), run);
      }
    }
  }

  /**
   * The next batch in outbox order: at most one entry per record (its later ones wait for its
   * answer), none of a record that is blocked, backing off, failed or holding a kept conflict.
   */
  private List<LocalStore.Op> nextBatch(Set<String> blocked) {
    return store.transaction(
        () -> {
          List<LocalStore.Op> out = new ArrayList<>();
          Set<String> taken = new HashSet<>();
          long bytes = 0;
          for (LocalStore.Op op : store.ops()) {
            String key = key(op);
            if (blocked.contains(key) || !taken.add(key)) {
              continue;
            }
            if (op.status() == OperationStatus.FAILED
                || op.nextAttemptAt() > now()
                || !store.conflicts(op.collection(), op.recordId()).isEmpty()) {
              blocked.add(key);
              continue;
            }
            long size = size(op);
            if (!out.isEmpty() && (out.size() >= BATCH_OPERATIONS || bytes + size > BATCH_BYTES)) {
              break;
            }
            out.add(op);
            bytes += size;
          }
          return out;
        });
  }

  /** Pushes one batch and applies its answers in one local transaction. */
  private void pushBatch(List<LocalStore.Op> batch, Run run, Set<String> blocked) {
    List<LocalStore.Op> ops = new ArrayList<>();
    List<Long> bases = new ArrayList<>();
    store.transaction(
        () -> {
          for (LocalStore.Op op : batch) {
            if (store.hasOp(op.seq())) { // else replaced by a conflict settled in this run
              LocalStore.Row row = store.row(op.collection(), op.recordId());
              ops.add(op);
              bases.add(row == null ? 0L : row.serverVersion());
            }
          }
          return null;
        });
    if (ops.isEmpty()) {
      return;
    }
    List<HttpBackend.Answer> answers;
    Set<Long> seqs = new HashSet<>();
    ops.forEach(op -> seqs.add(op.seq()));
    inFlight = Set.copyOf(seqs);
    try {
      answers = send(ops, bases);
    } catch (IOException e) {
      // Unanswered: the entries stay pending and go again (their change ids dedupe them).
      store.transaction(
          () -> {
            ops.forEach(op -> requeue(op, e.toString()));
            return null;
          });
      throw unreachable(e);
    } finally {
      inFlight = Set.of();
    }
    PatchbayException[] failure = {null};
    store.transaction(
        () -> {
          for (int i = 0; i < ops.size(); i++) {
            LocalStore.Op op = ops.get(i);
            HttpBackend.Answer answer = answers.get(i);
            int status = answer.status();
            PatchbayException runFailure = null;
            if (status == 401 || status == 429 || status >= 500) {
              runFailure = new PatchbayException(status, "push refused: " + answer.error());
            } else if ((status == 200 || status == 409) && answer.record() == null) {
              runFailure =
                  new PatchbayException(502, "the server answered a push without the record");
            }
            if (runFailure != null) {
              // Not this operation's fault: keep it, apply the other answers, fail the run.
              requeue(op, answer.error());
              blocked.add(key(op));
              if (failure[0] == null) {
                failure[0] = runFailure;
              }
              continue;
            }
            String result = answer.body().path("result").asString("");
            boolean settled =
                status == 200 && (result.equals("applied") || result.equals("duplicate"));
            if (!handle(op, answer, run) || !settled) {
              blocked.add(key(op)); // a settled conflict's outcome goes in the next pass
            } else if (result.equals("applied") && realtime != null) {
              long seq = answer.body().path("record").path("seq").asLong(0);
              if (seq > 0) {
                heardAt(op.collection(), seq); // our own write is not echoed to our socket
              }
            }
          }
          return null;
        });
    if (failure[0] != null) {
      throw failure[0];
    }
  }

  /**
   * Sends a batch and returns one answer per operation, in order: over the WebSocket while it is
   * connected to a server that takes batches, else over HTTP (a batch request per collection, or
   * one request per entry for a lone entry or a server without the batch form). A socket lost
   * before the answer sends the batch again over HTTP at once.
   */
  private List<HttpBackend.Answer> send(List<LocalStore.Op> ops, List<Long> bases)
      throws IOException {
    Realtime rt = realtime;
    boolean alone = ops.size() == 1;
    if (rt != null && rt.batchReady() && !(alone && tooBig(ops.get(0)))) {
      ArrayNode operations = Json.array();
      for (int i = 0; i < ops.size(); i++) {
        operations.add(HttpBackend.operation(ops.get(i), bases.get(i)));
      }
      try {
        JsonNode results =
            rt.pushBatch(operations).get(config.requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        if (results.size() == ops.size()) {
          List<HttpBackend.Answer> out = new ArrayList<>();
          results.forEach(r -> out.add(new HttpBackend.Answer(r.path("status").asInt(500), r)));
          return out;
        }
        log.warn("batch answer with {} results for {} operations", results.size(), ops.size());
      } catch (ExecutionException e) {
        log.debug("realtime push failed ({}); sending over HTTP", e.getCause().toString());
      } catch (TimeoutException e) {
        throw new IOException(
            "no answer over the WebSocket within " + config.requestTimeout.toMillis() + " ms");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    HttpBackend.Answer[] out = new HttpBackend.Answer[ops.size()];
    if (!alone && httpBatches) {
      Map<String, List<Integer>> byCollection = new LinkedHashMap<>();
      for (int i = 0; i < ops.size(); i++) {
        byCollection.computeIfAbsent(ops.get(i).collection(), c -> new ArrayList<>()).add(i);
      }
      for (Map.Entry<String, List<Integer>> group : byCollection.entrySet()) {
        List<Integer> idx = group.getValue();
        if (idx.size() < 2 || !httpBatches) {
          continue;
        }
        ArrayNode operations = Json.array();
        idx.forEach(i -> operations.add(HttpBackend.operation(ops.get(i), bases.get(i))));
        HttpBackend.Answer a = backend.pushBatch(group.getKey(), operations);
        JsonNode results = a.body().get("results");
        if (a.status() == 200 && results != null && results.size() == idx.size()) {
          for (int j = 0; j < idx.size(); j++) {
            JsonNode r = results.get(j);
            out[idx.get(j)] = new HttpBackend.Answer(r.path("status").asInt(500), r);
          }
        } else if (a.status() == 400 && results == null) {
          // A server without the batch form reads this as a push without a recordId.
          log.info("the server does not take batch pushes; one request per entry from now on");
          httpBatches = false;
        } else if (a.status() != 413) { // 413: too large as a whole, each entry goes alone
          for (int i : idx) {
            out[i] = a; // the same answer (401, 429, 5xx…) for every entry of the request
          }
        }
      }
    }
    for (int i = 0; i < ops.size(); i++) {
      if (out[i] == null) {
        out[i] = backend.push(ops.get(i), bases.get(i));
      }
    }
    return List.of(out);
  }

  private static boolean tooBig(LocalStore.Op op) {
    return size(op) > BATCH_BYTES;
  }

  /** The entry's size in a batch, in UTF-8 bytes (its payload plus room for the envelope). */
  private static long size(LocalStore.Op op) {
    return 300
        + (op.payload() == null
            ? 0
            : Json.write(op.payload()).getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
  }

  /**
   * Notes that this device has the state at feed position {@code seq} of a collection, and moves
   * the cursor over every position now known without a hole. Called in a store transaction on the
   * sync thread.
   */
  private void heardAt(String collection, long seq) throws SQLException {
    long cursor = store.cursor(collection);
    if (seq <= cursor) {
      return;
    }
    TreeSet<Long> known = heard.computeIfAbsent(collection, c -> new TreeSet<>());
    known.add(seq);
    long next = cursor;
    while (known.remove(next + 1)) {
      next++;
    }
    known.headSet(next, true).clear();
    if (next != cursor) {
      store.setCursor(collection, next);
    }
    if (known.size() > MAX_HEARD) {
      known.clear(); // the next pull reads them again
    }
  }

  /** Whether every position from {@code from} to {@code to} (inclusive) is already known. */
  private boolean heardAll(String collection, long from, long to) {
    TreeSet<Long> known = heard.get(collection);
    return from > to
        || (known != null && known.subSet(from, true, to, true).size() == to - from + 1);
  }

  /** The per-entry push (one HTTP request each): the path before batches, kept to compare. */
  private void pushEach(Run run) {
    List<LocalStore.Op> ops = store.transaction(store::ops);
    Set<String> blocked = new HashSet<>();
    for (LocalStore.Op op : ops) {
      String key = key(op);
      if (blocked.contains(key)) {
        continue; // an earlier change of this record waits: keep the record's order
      }
      if (op.status() == OperationStatus.FAILED
          || op.nextAttemptAt() > now()
          || store.transaction(() -> !store.conflicts(op.collection(), op.recordId()).isEmpty())) {
        blocked.add(key);
        continue;
      }
      // "In flight" is kept in memory only: persisting it would cost an fsync per operation and
      // buy nothing, since an operation found in flight after a crash is simply pushed again
      // (its change id makes the server apply it once).
      long base =
          store.transaction(
              () -> {
                if (!store.hasOp(op.seq())) {
                  return -1L; // replaced by a conflict settled earlier in this run
                }
                LocalStore.Row row = store.row(op.collection(), op.recordId());
                return row == null ? 0L : row.serverVersion();
              });
      if (base < 0) {
        continue;
      }
      HttpBackend.Answer answer;
      inFlight = Set.of(op.seq());
      try {
        answer = backend.push(op, base);
      } catch (IOException e) {
        requeue(op, e.toString());
        throw unreachable(e);
      } finally {
        inFlight = Set.of();
      }
      if (!handle(op, answer, run)) {
        blocked.add(key);
      }
    }
  }

  /** Applies a push answer; returns false when the record's later operations must wait. */
  private boolean handle(LocalStore.Op op, HttpBackend.Answer answer, Run run) {
    int status = answer.status();
    String c = op.collection();
    String id = op.recordId();
    if (status == 200 || status == 409) {
      HttpBackend.Remote remote = answer.record();
      String result = answer.body().path("result").asString("");
      if (remote == null) {
        requeue(op, "answer without a record: " + answer.error());
        throw new PatchbayException(502, "the server answered a push without the record");
      }
      if (status == 200 && (result.equals("applied") || result.equals("duplicate"))) {
        acknowledge(op, remote, run);
        return true;
      }
      // 409 VERSION_CONFLICT, or "ignored": the server kept its record. Settle it here.
      store.transaction(
          () -> {
            LocalStore.Row row = store.row(c, id);
            if (row == null) {
              store.removeOps(c, id);
            } else {
              settle(row, remote, run);
            }
            return null;
          });
      watchers.changed(c);
      // A kept (manual) conflict holds the record's later changes too.
      return config.conflictStrategy != ConflictStrategy.MANUAL;
    }
    if (status == 404 && op.type() == OperationType.PATCH) {
      run.gone.put(op, answer); // deleted on the server since the pull: settled after this pass
      return false;
    }
    return refused(op, answer, run);
  }

  /** The server has this entry: it leaves the outbox and the record takes the server's version. */
  private void acknowledge(LocalStore.Op op, HttpBackend.Remote remote, Run run) {
    String c = op.collection();
    String id = op.recordId();
    store.transaction(
        () -> {
          store.removeOp(op.seq());
          LocalStore.Row row = store.row(c, id);
          if (row != null) {
            if (store.hasOps(c, id)) {
              store.setServerVersion(c, id, remote.version(), now());
            } else {
              // Nothing newer queued: take the server's copy (equal to ours unless a PATCH
              // merged into fields this device had not seen).
              store.put(
                  c,
                  id,
                  remote.deleted() ? row.data() : remote.data(),
                  remote.version(),
                  row.updatedAt(),
                  remote.deleted(),
                  now());
            }
          }
          return null;
        });
    run.pushed++;
    ObjectNode synced = Json.object();
    synced.put("operationType", op.type().name());
    synced.put("version", remote.version());
    emit(SyncEventType.OPERATION_SYNCED, c, id, synced, null);
    if (op.type() == OperationType.PATCH) {
      watchers.changed(c); // the server's merge may hold fields this device had not seen
    }
  }

  /** A push answer that is not 200 or 409. Returns false: the record's later entries wait. */
  private boolean refused(LocalStore.Op op, HttpBackend.Answer answer, Run run) {
    int status = answer.status();
    String c = op.collection();
    String id = op.recordId();
    if (status == 401 || status == 429 || status >= 500) {
      // Not this operation's fault (a token to renew, an overloaded or stopping server): keep it
      // and fail the run, so the next one starts after the backoff.
      requeue(op, answer.error());
      throw new PatchbayException(status, "push refused: " + answer.error());
    }
    // A refusal of this operation (400, 403, 404, 413…): count it, back off, fail it at the cap.
    int retries = op.retryCount() + 1;
    boolean exhausted = retries >= config.maxRetries;
    log.warn(
        "push of {} {}/{} refused ({}){}",
        op.type(),
        c,
        id,
        answer.error(),
        exhausted ? ", marked failed" : "");
    store.transaction(
        () -> {
          if (store.hasOp(op.seq())) {
            store.markOp(
                op.seq(),
                exhausted ? OperationStatus.FAILED : OperationStatus.PENDING,
                retries,
                answer.error(),
                exhausted ? 0 : now() + backoff(retries).toMillis());
          }
          return null;
        });
    run.failed++;
    ObjectNode failed = Json.object();
    failed.put("operationType", op.type().name());
    failed.put("retryCount", retries);
    failed.put("exhausted", exhausted);
    emit(SyncEventType.OPERATION_FAILED, c, id, failed, answer.error());
    return false;
  }

  private void requeue(LocalStore.Op op, String error) {
    store.transaction(
        () -> {
          if (store.hasOp(op.seq())) {
            store.markOp(
                op.seq(), OperationStatus.PENDING, op.retryCount(), error, op.nextAttemptAt());
          }
          return null;
        });
  }

  /** An HTTP call that fails as "unreachable" on a transport error. */
  private interface Call {
    HttpBackend.Answer run() throws IOException;
  }

  private static HttpBackend.Answer call(Call call) {
    try {
      return call.run();
    } catch (IOException e) {
      throw unreachable(e);
    }
  }

  private static PatchbayException unreachable(IOException e) {
    return new PatchbayException(503, "server unreachable: " + e, e);
  }

  // ---- outbox views

  @Override
  public List<PendingOperation> pendingOperations() {
    return store.transaction(
        () -> {
          List<PendingOperation> out = new ArrayList<>();
          Set<Long> pushing = inFlight;
          for (LocalStore.Op op : store.ops()) {
            PendingOperation v = op.view();
            if (pushing.contains(op.seq()) && v.status() == OperationStatus.PENDING) {
              v =
                  new PendingOperation(
                      v.id(),
                      v.collection(),
                      v.recordId(),
                      v.type(),
                      OperationStatus.SYNCING,
                      v.retryCount(),
                      v.lastError(),
                      v.timestamp());
            }
            out.add(v);
          }
          return List.copyOf(out);
        });
  }

  @Override
  public ClientStatus status() {
    int pending = pendingCount();
    int conflicts = store.transaction(() -> store.conflicts(null, null).size());
    return new ClientStatus(metrics.lastSync(), syncEnabled, pending, conflicts, realtimeState());
  }

  @Override
  public SyncMetrics metrics() {
    return metrics.snapshot();
  }

  @Override
  public void resetMetrics() {
    metrics.reset();
  }

  @Override
  public void setSyncEnabled(boolean enabled) {
    boolean was = syncEnabled;
    syncEnabled = enabled;
    if (enabled && !was) {
      syncNow();
    }
  }

  @Override
  public RealtimeState realtimeState() {
    return realtime == null ? RealtimeState.DISCONNECTED : realtime.state();
  }

  @Override
  public List<Conflict> pendingConflicts() {
    return List.copyOf(store.transaction(() -> store.conflicts(null, null)));
  }

  /** Settles a kept conflict with the app's choice (null deletes); see RecordCollection. */
  void resolveConflict(String c, String id, @Nullable ObjectNode chosen) {
    store.transaction(
        () -> {
          List<Conflict> found = store.conflicts(c, id);
          if (found.isEmpty()) {
            throw new PatchbayException(
                404, "record '" + id + "' of collection '" + c + "' has no pending conflict");
          }
          Conflict k = found.get(0);
          LocalStore.Row row = store.row(c, id);
          long now = now();
          store.removeConflict(c, id);
          store.removeOps(c, id);
          boolean sameAsRemote =
              chosen == null ? k.remote() == null : Json.equal(chosen, k.remote());
          ObjectNode data = chosen != null ? chosen : row != null ? row.data() : Json.object();
          long ts = Math.max(now, k.remoteTime().toEpochMilli() + 1);
          if (sameAsRemote) {
            store.put(
                c, id, data, k.remoteVersion(), k.remoteTime().toEpochMilli(), chosen == null, now);
          } else {
            store.put(c, id, data, k.remoteVersion(), ts, chosen == null, now);
            store.enqueue(
                c,
                id,
                chosen == null ? OperationType.DELETE : OperationType.UPDATE,
                chosen,
                ts,
                UUID.randomUUID().toString());
          }
          ObjectNode resolved = Json.object();
          resolved.put("strategy", ConflictStrategy.MANUAL.name());
          resolved.put("winner", sameAsRemote ? "remote" : "chosen");
          resolved.set("localData", k.local() == null ? Json.NODES.nullNode() : k.local());
          resolved.set("remoteData", k.remote() == null ? Json.NODES.nullNode() : k.remote());
          resolved.set("resolvedData", chosen == null ? Json.NODES.nullNode() : chosen);
          emit(SyncEventType.CONFLICT_RESOLVED, c, id, resolved, null);
          return null;
        });
    watchers.changed(c);
  }

  @Override
  public int pendingCount() {
    return store.transaction(store::opCount);
  }

  @Override
  public int retryFailed() {
    return store.transaction(store::resetFailed);
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      if (timer != null) {
        timer.cancel(false);
      }
      if (next != null) {
        next.completeExceptionally(new IllegalStateException("the collections client is closed"));
        next = null;
      }
    }
    if (realtime != null) {
      realtime.stop();
    }
    syncThread.shutdown();
    try {
      // A run blocks at most one request timeout per call; wait that long for it to end.
      if (!syncThread.awaitTermination(
          config.requestTimeout.toMillis() * 2, TimeUnit.MILLISECONDS)) {
        syncThread.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      syncThread.shutdownNow();
    } finally {
      watchThread.shutdownNow();
      httpThreads.shutdownNow();
      store.close();
      OPEN.remove(directory);
    }
  }
}
