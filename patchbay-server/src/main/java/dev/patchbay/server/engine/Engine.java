package dev.patchbay.server.engine;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.core.lww.Consolidation;
import dev.patchbay.core.lww.Lww;
import dev.patchbay.core.ot.Change;
import dev.patchbay.core.ot.ChangeApplier;
import dev.patchbay.core.ot.OtTransforms;
import dev.patchbay.core.patch.PatchOp;
import dev.patchbay.server.spi.ChangeQuery;
import dev.patchbay.server.spi.DocStore;
import dev.patchbay.server.spi.DuplicateChangeIdException;
import dev.patchbay.server.spi.LwwState;
import dev.patchbay.server.spi.LwwWrite;
import dev.patchbay.server.spi.RevConflictException;
import dev.patchbay.server.spi.Tombstone;
import dev.patchbay.server.spi.VersionMetadata;
import dev.patchbay.server.spi.VersionOrder;
import dev.patchbay.server.spi.VersionOrigin;
import dev.patchbay.server.spi.VersionQuery;
import dev.patchbay.server.spi.VersionUpdate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The sync engine: documents, commits, versions and tombstones, independent of any wire dialect.
 *
 * <p>Documents are sharded over a fixed set of single-threaded executors ({@code patchbay-doc-N});
 * each document lives on one shard, so it has exactly one writer and its state needs no lock, while
 * documents on different shards proceed in parallel. A write is a step in the document's mailbox:
 * it computes the result against the in-memory durable state, hands the write to the store, and
 * only when the store has made it durable does the state advance, the caller get its answer and the
 * {@link EngineListener} hear of it (fan-out follows the commit). Meanwhile the shard serves its
 * other documents; the store groups writes of many documents into one transaction.
 *
 * <p>Every method is thread-safe and returns at once; results complete on the shard thread. Errors
 * complete the future with a {@link PatchbayException} whose code maps to the wire.
 */
public final class Engine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Engine.class);
  private static final int MAX_CONFLICT_RETRIES = 5;

  /**
   * Engine settings.
   *
   * @param shards the number of document executors
   * @param sessionTimeout the gap between changes that closes an editing session (a version)
   * @param maxChangesPerVersion cut a version at least every this many changes (0 disables)
   * @param maxCachedDocs how many idle documents stay loaded
   * @param lwwPatterns id globs of last-write-wins documents
   * @param maxQueuedTasks the bound of each shard's task queue; beyond it callers get 503
   * @param maxChangeBytes the largest change (as JSON) stored; larger ones answer 413
   * @param maxDocBytes the largest OT document (estimated); a commit passing it answers 413
   */
  public record Settings(
      int shards,
      Duration sessionTimeout,
      int maxChangesPerVersion,
      int maxCachedDocs,
      List<String> lwwPatterns,
      int maxQueuedTasks,
      int maxChangeBytes,
      long maxDocBytes) {
    /** Copies the patterns. */
    public Settings {
      lwwPatterns = List.copyOf(lwwPatterns);
    }
  }

  private final DocStore store;
  private final Settings settings;
  private final AlgorithmRules rules;
  private final EngineListener listener;
  private final LongSupplier clock;
  private final Shard[] shards;
  private final long sessionMillis;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean closing;

  /** Creates an engine over a store; {@code clock} gives the server time in milliseconds. */
  public Engine(DocStore store, Settings settings, EngineListener listener, LongSupplier clock) {
    this(store, settings, listener, clock, null);
  }

  /**
   * Creates an engine whose shards run on executors the caller makes, for tests that drive the
   * engine step by step on their own thread (a seeded fuzz replays exactly only when nothing runs
   * on a thread of its own). Each executor must run its tasks one at a time, in order; the engine
   * shuts them down on {@link #close()}.
   *
   * @param shardExecutors makes the executor of the shard with the given index, or {@code null} for
   *     the default: one thread per shard ({@code patchbay-doc-N}) with a queue of {@link
   *     Settings#maxQueuedTasks()}
   */
  public Engine(
      DocStore store,
      Settings settings,
      EngineListener listener,
      LongSupplier clock,
      @Nullable IntFunction<ExecutorService> shardExecutors) {
    this.store = store;
    this.settings = settings;
    this.rules = new AlgorithmRules(settings.lwwPatterns());
    this.listener = listener;
    this.clock = clock;
    this.sessionMillis = settings.sessionTimeout().toMillis();
    this.shards = new Shard[settings.shards()];
    int perShard = Math.max(1, settings.maxCachedDocs() / settings.shards());
    for (int i = 0; i < shards.length; i++) {
      ExecutorService executor =
          shardExecutors == null
              ? Shard.newExecutor(i, settings.maxQueuedTasks())
              : shardExecutors.apply(i);
      shards[i] = new Shard(i, executor, perShard, rules, clock);
    }
  }

  /** Returns whether documents with this id use last-write-wins. */
  public boolean isLww(String docId) {
    return rules.algorithmOf(docId) == AlgorithmRules.Algorithm.LWW;
  }

  /** Returns the number of documents loaded in memory. */
  public int loadedDocuments() {
    int n = 0;
    for (Shard s : shards) {
      n += s.size.get();
    }
    return n;
  }

  // ---------------------------------------------------------------------------------------------
  // OT documents

  /**
   * Commits changes to an OT document (Patches {@code commitChanges}).
   *
   * @param originId the committing connection, stamped as {@code clientId} and excluded from
   *     fan-out
   */
  public CompletableFuture<CommitResult> commitChanges(
      String docId, List<IncomingChange> changes, boolean forceCommit, @Nullable String originId) {
    if (isLww(docId)) {
      return writeAny(docId, LwwDoc.class, doc -> commitLww(doc, changes, originId));
    }
    return commitOtQueued(docId, changes, forceCommit, originId);
  }

  /**
   * Returns a document as {@code getDoc} does: the newest main version plus the changes after it.
   */
  public CompletableFuture<Snapshot> getDoc(String docId, @Nullable Long atRev) {
    if (isLww(docId)) {
      return readAny(docId, LwwDoc.class, doc -> lwwSnapshot(doc, atRev));
    }
    return read(
        docId,
        doc -> {
          requireNotDeleted(doc);
          long until = atRev == null ? doc.durableRev : Math.min(atRev, doc.durableRev);
          VersionMetadata v = doc.mainVersion;
          JsonNode state = doc.mainState;
          if (v != null && v.endRev() > until) {
            v = store.latestMainVersion(doc.id, until);
            state = v == null ? null : store.loadVersionState(doc.id, v.id());
          }
          long base = v == null ? 0 : v.endRev();
          return new Snapshot(state, base, changesBetween(doc, base, until));
        });
  }

  /** Returns the committed changes after {@code rev}. */
  public CompletableFuture<List<Change>> getChangesSince(String docId, long rev) {
    if (isLww(docId)) {
      return readAny(
          docId,
          LwwDoc.class,
          doc -> {
            requireNotDeleted(doc);
            Change c = lwwChangeSince(doc, Math.max(0, rev));
            return c == null ? List.<Change>of() : List.of(c);
          });
    }
    return read(
        docId,
        doc -> {
          requireNotDeleted(doc);
          return changesBetween(doc, Math.max(0, rev), doc.durableRev);
        });
  }

  /** Deletes a document, leaving a tombstone unless {@code skipTombstone}. */
  public CompletableFuture<Void> deleteDoc(
      String docId, boolean skipTombstone, @Nullable String originId) {
    return writeAny(
        docId,
        Doc.class,
        doc -> {
          long now = clock.getAsLong();
          CompletableFuture<?> tomb =
              skipTombstone
                  ? CompletableFuture.completedFuture(null)
                  : store.createTombstone(new Tombstone(doc.id, now, revOf(doc), originId, null));
          Shard shard = shardOf(doc.id);
          return tomb.thenComposeAsync(x -> store.deleteDoc(doc.id), shard.executor)
              .thenApplyAsync(
                  x -> {
                    doc.reset(
                        skipTombstone
                            ? null
                            : new Tombstone(doc.id, now, revOf(doc), originId, null));
                    listener.docDeleted(doc.id, originId);
                    return null;
                  },
                  shard.executor);
        });
  }

  /** Removes a document's tombstone so the id can be used again; returns whether one existed. */
  public CompletableFuture<Boolean> undeleteDoc(String docId) {
    return writeAny(
        docId,
        Doc.class,
        doc ->
            store
                .removeTombstone(doc.id)
                .thenApplyAsync(
                    removed -> {
                      doc.tombstone = null;
                      return removed;
                    },
                    shardOf(doc.id).executor));
  }

  /** Returns whether the document is deleted (has a live tombstone). */
  public CompletableFuture<Boolean> isDeleted(String docId) {
    return readAny(docId, Doc.class, doc -> doc.tombstone != null);
  }

  // ---------------------------------------------------------------------------------------------
  // Last-write-wins documents (patches.md §5), one mailbox step per commit.

  private static final long SEEN_ID_TTL_MILLIS = 30L * 24 * 60 * 60 * 1000;

  private CompletableFuture<CommitResult> commitLww(
      LwwDoc doc, List<IncomingChange> input, @Nullable String originId) {
    if (input.isEmpty()) {
      return CompletableFuture.completedFuture(new CommitResult(List.of(), false));
    }
    requireNotDeleted(doc);
    long now = clock.getAsLong();
    IncomingChange first = input.get(0);
    long clientBaseRev = first.baseRev() != null ? first.baseRev() : 0;
    List<String> ids = new ArrayList<>();
    for (IncomingChange c : input) {
      ids.add(c.id());
    }
    Set<String> seen = store.seenLwwChangeIds(doc.id, ids);
    List<PatchOp> ops = new ArrayList<>();
    Set<String> fresh = new HashSet<>();
    for (IncomingChange c : input) {
      if (seen.contains(c.id()) || !fresh.add(c.id())) {
        continue;
      }
      for (PatchOp op : c.ops()) {
        if (op.path().isEmpty()) {
          throw new PatchbayException(
              400,
              "A last-write-wins document cannot replace its root; write fields instead",
              Json.object().put("changeId", c.id()).put("scope", "change"));
        }
      }
      ops.addAll(Lww.stampTimestamps(c.ops(), c.createdAt(), now));
    }
    List<String> sentPaths = new ArrayList<>();
    for (PatchOp op : ops) {
      sentPaths.add(op.path());
    }
    Consolidation result = Lww.consolidateForCommit(doc.rows.values(), ops);
    if (!result.changesRows()) {
      Change answer =
          new Change(
              first.id(),
              clientBaseRev,
              doc.rev,
              Lww.commitResponseOps(
                  result.corrections(), doc.rows.values(), sentPaths, clientBaseRev),
              now,
              now,
              null,
              null,
              Map.of());
      return CompletableFuture.completedFuture(new CommitResult(List.of(answer), false));
    }
    long oldRev = doc.rev;
    long newRev = oldRev + 1;
    List<PatchOp> stored = result.opsToStore(newRev);
    LwwWrite write = new LwwWrite(stored, result.pathsToDelete(), fresh, now + SEEN_ID_TTL_MILLIS);
    long saveStart = System.nanoTime();
    return store
        .saveLwwOps(doc.id, write)
        .whenComplete((x, e) -> listener.storeWritten(doc.id, System.nanoTime() - saveStart))
        .thenApplyAsync(
            savedRev -> {
              Map<String, PatchOp> rows = new LinkedHashMap<>(doc.rows);
              for (String path : result.pathsToDelete()) {
                rows.keySet().removeIf(p -> dev.patchbay.core.patch.Paths.isAtOrUnder(p, path));
              }
              for (PatchOp op : stored) {
                rows.remove(op.path()); // rewritten rows move to the end: commit order
                rows.put(op.path(), op);
              }
              doc.rows = rows;
              doc.rev = savedRev;
              Change broadcast =
                  new Change(first.id(), oldRev, savedRev, stored, now, now, null, null, Map.of());
              listener.changesCommitted(doc.id, List.of(broadcast), originId);
              Change answer =
                  new Change(
                      first.id(),
                      clientBaseRev,
                      savedRev,
                      Lww.commitResponseOps(
                          result.corrections(), rows.values(), sentPaths, clientBaseRev),
                      now,
                      now,
                      null,
                      null,
                      Map.of());
              return new CommitResult(List.of(answer), false);
            },
            shardOf(doc.id).executor)
        .whenComplete(
            (r, e) -> {
              if (e != null) {
                doc.loaded = false; // reload the durable rows before the next step
              }
            });
  }

  private Snapshot lwwSnapshot(LwwDoc doc, @Nullable Long atRev) {
    requireNotDeleted(doc);
    if (atRev != null) {
      throw new PatchbayException(
          400, "Last-write-wins documents keep no history: getDoc takes no rev for " + doc.id);
    }
    JsonNode state = doc.snapshot == null ? Json.object() : doc.snapshot.state();
    long base = doc.snapshot == null ? 0 : doc.snapshot.rev();
    Change c = lwwChangeSince(doc, base);
    return c == null
        ? new Snapshot(state, base, List.of())
        : new Snapshot(state, c.rev(), List.of(c));
  }

  private @Nullable Change lwwChangeSince(LwwDoc doc, long rev) {
    List<PatchOp> ops = Lww.opsSince(doc.rows.values(), rev);
    if (ops.isEmpty()) {
      return null;
    }
    long now = clock.getAsLong();
    return new Change(
        Ids.random(8), rev, Lww.maxRev(ops, rev), ops, now, now, null, null, Map.of());
  }

  // ---------------------------------------------------------------------------------------------
  // Versions

  /** Lists a document's versions. */
  public CompletableFuture<List<VersionMetadata>> listVersions(String docId, VersionQuery query) {
    requireOt(docId);
    return read(docId, doc -> store.listVersions(doc.id, query));
  }

  /**
   * Captures the changes since the newest main version as a new version; completes with its id, or
   * {@code null} when there is nothing new.
   */
  public CompletableFuture<@Nullable String> createVersion(
      String docId, @Nullable String name, Map<String, JsonNode> metadata) {
    requireOt(docId);
    return write(
        docId,
        doc -> {
          requireNotDeleted(doc);
          long from = doc.mainVersion == null ? 0 : doc.mainVersion.endRev();
          List<Change> changes = changesBetween(doc, from, doc.rev);
          if (changes.isEmpty()) {
            return CompletableFuture.<@Nullable String>completedFuture(null);
          }
          VersionMetadata v =
              new VersionMetadata(
                  Ids.versionId(clock.getAsLong()),
                  name,
                  doc.mainVersion == null ? null : doc.mainVersion.id(),
                  null,
                  VersionOrigin.MAIN,
                  false,
                  changes.get(0).createdAt(),
                  changes.get(changes.size() - 1).createdAt(),
                  changes.get(0).rev(),
                  changes.get(changes.size() - 1).rev(),
                  metadata);
          JsonNode state = stateAt(doc, v.endRev(), List.of());
          return saveVersion(doc, v, state).thenApply(x -> v.id());
        });
  }

  /** Updates a version's name and metadata. */
  public CompletableFuture<Void> updateVersion(
      String docId, String versionId, VersionUpdate update) {
    requireOt(docId);
    return write(
        docId,
        doc ->
            store
                .updateVersion(doc.id, versionId, update)
                .thenApply(
                    found -> {
                      if (!found) {
                        throw new PatchbayException(404, "Version not found: " + versionId);
                      }
                      return null;
                    }));
  }

  /** Returns the state of a version (404 when unknown, 503 when its state is not built). */
  public CompletableFuture<JsonNode> getVersionState(String docId, String versionId) {
    requireOt(docId);
    return read(
        docId,
        doc -> {
          requireVersion(doc, versionId);
          JsonNode state = store.loadVersionState(doc.id, versionId);
          if (state == null) {
            ObjectNode data = Json.object().put("docId", doc.id).put("versionId", versionId);
            throw new PatchbayException(503, "Version state is not available yet", data);
          }
          return state;
        });
  }

  /** Returns the changes a version covers. */
  public CompletableFuture<List<Change>> getVersionChanges(String docId, String versionId) {
    requireOt(docId);
    return read(
        docId,
        doc -> {
          VersionMetadata v = requireVersion(doc, versionId);
          return store.listChanges(
              doc.id, ChangeQuery.after(Math.max(0, v.startRev() - 1)).until(v.endRev()));
        });
  }

  /** Returns the document state just before a version's first change. */
  public CompletableFuture<@Nullable JsonNode> getStateBeforeVersion(
      String docId, String versionId) {
    requireOt(docId);
    return read(
        docId,
        doc -> {
          VersionMetadata v = requireVersion(doc, versionId);
          return v.startRev() <= 1 ? null : stateAt(doc, v.startRev() - 1, List.of());
        });
  }

  // ---------------------------------------------------------------------------------------------
  // The OT commit (patches.md §4.1), run as one mailbox step of the document.

  /**
   * Computes one commit against the document's current in-memory state (which, inside a batch,
   * already holds the tentative changes of the commits before it) without writing it. Version
   * catch-up runs only for the first commit of a batch, so a version never covers a change that is
   * not durable yet.
   */
  private Prepared prepareOt(OtDoc doc, PendingCommit pc, boolean firstOfBatch) {
    List<IncomingChange> input = pc.input;
    boolean forceCommit = pc.forceCommit;
    @Nullable String originId = pc.originId;
    Set<String> storeCommittedIds = pc.knownIds;
    if (input.isEmpty()) {
      return new Prepared(
          pc, List.of(), List.of(), false, List.of(), false, null, VersionOrigin.MAIN);
    }
    requireNotDeleted(doc);
    IncomingChange first = input.get(0);
    String batchId = first.batchId();
    long initialRev = doc.rev;
    long baseRev = first.baseRev() != null ? first.baseRev() : initialRev;
    boolean docReloadRequired = false;
    boolean rebaseToHead = false;
    if (initialRev > 0) {
      // A flush starts at rev 1, so rev > 1 on baseRev 0 continues a flush whose head was answered.
      boolean continuation = first.rev() != null && first.rev() > 1;
      for (IncomingChange c : input) {
        if (hasRootOp(c) && !isOwnUpload(doc, batchId, input)) {
          throw new PatchbayException(
              400,
              "Document "
                  + doc.id
                  + " already exists (rev "
                  + initialRev
                  + "). Cannot apply root-level replace (path: '') - this would overwrite the"
                  + " existing document. Load the existing document first, or use nested paths.",
              Json.object().put("changeId", c.id()).put("scope", "change"));
        }
      }
      if (first.baseRev() != null && first.baseRev() == 0) {
        if (isOwnUpload(doc, batchId, input)) {
          // The upload that created the document, resumed (its answer was lost, or a later batch
          // of it): keep base 0, so committed echoes are recognised by id and the rest is
          // transformed over whatever others committed since.
        } else if (!continuation) {
          docReloadRequired = true;
          rebaseToHead = true;
          baseRev = initialRev;
        } else {
          throw new PatchbayException(
              409,
              "Document "
                  + doc.id
                  + " already exists (rev "
                  + initialRev
                  + ") and was not created by this upload. Reload the document and re-send the"
                  + " changes on the current revision.",
              scopeDoc());
        }
      }
    }

    long now = clock.getAsLong();
    List<Change> changes = new ArrayList<>(input.size());
    long nextRev = baseRev + 1;
    for (IncomingChange c : input) {
      if (!rebaseToHead && c.baseRev() != null && c.baseRev() != baseRev) {
        throw new PatchbayException(
            400,
            "Client changes must have consistent baseRev in all changes for doc " + doc.id + ".",
            scopeDoc());
      }
      long rev;
      if (c.rev() == null) {
        rev = nextRev++;
      } else {
        rev = c.rev();
        nextRev = rev + 1;
      }
      long createdAt =
          c.createdAt() != null && c.createdAt() != 0 ? Math.min(c.createdAt(), now) : now;
      changes.add(
          new Change(
              c.id(), baseRev, rev, c.ops(), createdAt, now, c.batchId(), originId, c.metadata()));
    }
    long incomingBytes = 0;
    for (Change c : changes) {
      // Encoded once here; the bytes are cached on the change for every answer and notification.
      int size = c.jsonLength();
      incomingBytes += size;
      if (size > settings.maxChangeBytes()) {
        throw new PatchbayException(
            413,
            "Change "
                + c.id()
                + " is "
                + size
                + " characters of JSON; this server stores at most "
                + settings.maxChangeBytes(),
            Json.object().put("changeId", c.id()).put("scope", "change"));
      }
    }
    long docBytes = doc.approximateBytes();
    if (docBytes + incomingBytes > settings.maxDocBytes()) {
      throw new PatchbayException(
          413,
          "Document "
              + doc.id
              + " would grow past this server's limit of "
              + settings.maxDocBytes()
              + " characters of JSON",
          scopeDoc());
    }
    if (baseRev > initialRev) {
      throw new PatchbayException(
          409,
          "Client baseRev ("
              + baseRev
              + ") is ahead of server revision ("
              + initialRev
              + ") for doc "
              + doc.id
              + ". Client needs to reload the document.",
          scopeDoc());
    }

    List<CompletableFuture<?>> versionWrites =
        firstOfBatch && pc.attempt == 0
            ? catchUpVersionsIfDue(doc, initialRev, changes, now)
            : new ArrayList<>();

    List<Change> allCommitted = changesBetween(doc, baseRev, doc.rev);
    doc.inflate(allCommitted);
    Set<String> changeIds = new HashSet<>();
    for (Change c : changes) {
      changeIds.add(c.id());
    }
    // Own echoes are matched by change id (and batch id) alone, not by connection: a resend after
    // a lost answer always arrives on a new connection (the seeded client fuzz found that
    // matching on the connection made the server transform a resent queue's tail over its own
    // head a second time, losing or misplacing edits). Ids are 72 random bits per change.
    Predicate<Change> isOwnCommitted =
        c -> (batchId != null && batchId.equals(c.batchId())) || changeIds.contains(c.id());
    List<Change> foreign = new ArrayList<>();
    // Ids of this request already committed (resent after a lost answer; usually none).
    Set<String> resentIds = new HashSet<>();
    List<Change> resent = new ArrayList<>();
    for (Change c : allCommitted) {
      if (!isOwnCommitted.test(c)) {
        foreign.add(c);
      }
      if (changeIds.contains(c.id())) {
        resent.add(c);
        resentIds.add(c.id());
      }
    }
    List<Change> catchup = resent.isEmpty() ? foreign : mergeByRev(foreign, resent);

    Set<String> seen = new HashSet<>();
    List<Change> incoming = new ArrayList<>();
    List<Change> queue = new ArrayList<>();
    for (Change c : changes) {
      if (storeCommittedIds.contains(c.id()) || !seen.add(c.id())) {
        continue;
      }
      queue.add(c);
      if (!resentIds.contains(c.id())) {
        incoming.add(c);
      }
    }
    boolean reload = docReloadRequired;
    if (incoming.isEmpty()) {
      return new Prepared(
          pc, catchup, List.of(), reload, versionWrites, false, null, VersionOrigin.MAIN);
    }

    boolean offlineOrBatch = now - incoming.get(0).createdAt() > sessionMillis || batchId != null;
    List<Change> newChanges;
    VersionOrigin sessionOrigin;
    if (offlineOrBatch && foreign.isEmpty()) {
      // Fast-forward: nothing foreign to transform over; renumber from the authoritative head.
      newChanges = new ArrayList<>(incoming.size());
      long rev = doc.rev;
      for (Change c : incoming) {
        newChanges.add(c.withRev(++rev));
      }
      sessionOrigin = VersionOrigin.MAIN;
    } else {
      newChanges =
          OtTransforms.transformIncomingChanges(
              queue, allCommitted, doc.rev, forceCommit, ownIds(allCommitted, isOwnCommitted));
      sessionOrigin = VersionOrigin.OFFLINE_BRANCH;
    }
    return new Prepared(
        pc,
        catchup,
        List.copyOf(newChanges),
        reload,
        versionWrites,
        offlineOrBatch,
        batchId,
        sessionOrigin);
  }

  /** A commit request waiting in its document's queue. */
  static final class PendingCommit {
    final List<IncomingChange> input;
    final boolean forceCommit;
    final @Nullable String originId;
    final CompletableFuture<CommitResult> result;
    Set<String> knownIds = Set.of(); // ids the store reported as already committed
    int attempt;

    PendingCommit(
        List<IncomingChange> input,
        boolean forceCommit,
        @Nullable String originId,
        CompletableFuture<CommitResult> result) {
      this.input = input;
      this.forceCommit = forceCommit;
      this.originId = originId;
      this.result = result;
    }
  }

  /** A computed commit: what to answer, what to write. */
  private record Prepared(
      PendingCommit pc,
      List<Change> catchup,
      List<Change> committed,
      boolean reload,
      List<CompletableFuture<?>> versionWrites,
      boolean offline,
      @Nullable String batchId,
      VersionOrigin sessionOrigin) {}

  /** A prepared commit, and whether the batch's write carries changes of it. */
  private record Submitted(Prepared prepared, boolean wrote) {}

  private static boolean ownsAny(PendingCommit pc, Collection<String> ids) {
    for (IncomingChange c : pc.input) {
      if (ids.contains(c.id())) {
        return true;
      }
    }
    return false;
  }

  private static final int MAX_BATCH = 256;

  /**
   * The catch-up changes one batch may hold for its answers (a commit that alone passes it forms a
   * batch of its own). Under overload, open-loop clients commit on revisions thousands behind, and
   * 256 such catch-ups, read from the store, filled a 1 GiB heap.
   */
  static final int MAX_BATCH_CATCH_UP = 20_000;

  /**
   * Queues an OT commit. The document's commits are processed in batches: one mailbox step takes
   * every queued commit, computes each against the state left by the ones before it, and hands
   * their writes to the store back to back (conditional on the revision before each), so they share
   * a group commit instead of each waiting for the previous one's fsync. Answers and fan-out follow
   * in order once the writes are durable. If a write fails, the ones after it fail too (they were
   * conditional on it); those commits are recomputed from the reloaded durable state.
   */
  private CompletableFuture<CommitResult> commitOtQueued(
      String docId, List<IncomingChange> changes, boolean forceCommit, @Nullable String originId) {
    if (closing) {
      return CompletableFuture.failedFuture(
          new PatchbayException(503, "Server is shutting down, try again shortly"));
    }
    Shard shard = shardOf(docId);
    CompletableFuture<CommitResult> result = new CompletableFuture<>();
    inFlight.incrementAndGet();
    result.whenComplete((v, e) -> inFlight.decrementAndGet());
    PendingCommit pc = new PendingCommit(changes, forceCommit, originId, result);
    shard.submit(
        result,
        () -> {
          OtDoc doc = (OtDoc) shard.doc(docId);
          doc.commitQueue.add(pc);
          scheduleBatch(shard, doc);
        });
    return result;
  }

  private void scheduleBatch(Shard shard, OtDoc doc) {
    if (!doc.batchQueued) {
      doc.batchQueued = true;
      doc.enqueue(() -> runBatch(shard, doc));
    }
    doc.drain(() -> resume(shard, doc));
  }

  private CompletableFuture<?> runBatch(Shard shard, OtDoc doc) {
    doc.batchQueued = false;
    try {
      ensureLoaded(doc);
    } catch (RuntimeException e) {
      for (int i = 0; i < MAX_BATCH && !doc.commitQueue.isEmpty(); i++) {
        doc.commitQueue.poll().result.completeExceptionally(e);
      }
      return CompletableFuture.completedFuture(null);
    }
    List<Submitted> submitted = new ArrayList<>();
    List<CompletableFuture<?>> waits = new ArrayList<>();
    long expected = doc.rev;
    List<Change> writes = new ArrayList<>();
    // Each prepared commit holds its catch-up until the batch is written; past the budget the rest
    // wait for the next batch, so clients far behind cannot stack their catch-ups in memory.
    long catchUp = 0;
    for (int taken = 0;
        taken < MAX_BATCH && catchUp < MAX_BATCH_CATCH_UP && !doc.commitQueue.isEmpty();
        taken++) {
      PendingCommit pc = doc.commitQueue.poll();
      Prepared p;
      try {
        p = prepareOt(doc, pc, submitted.isEmpty());
      } catch (RuntimeException e) {
        pc.result.completeExceptionally(e);
        continue;
      }
      catchUp += p.catchup().size();
      waits.addAll(p.versionWrites());
      if (!p.committed().isEmpty()) {
        writes.addAll(p.committed());
        doc.append(p.committed()); // tentative until the write is durable (see finishBatch)
      }
      submitted.add(new Submitted(p, !p.committed().isEmpty()));
    }
    if (submitted.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    // The batch's changes are one conditional write: one head check and one savepoint in the
    // store's group commit, instead of one per commit.
    CompletableFuture<Void> save = CompletableFuture.completedFuture(null);
    if (!writes.isEmpty()) {
      long saveStart = System.nanoTime();
      save = store.saveChanges(doc.id, expected, writes);
      save.whenComplete((x, e) -> listener.storeWritten(doc.id, System.nanoTime() - saveStart));
      waits.add(save);
    }
    CompletableFuture<Void> batchSave = save;
    // Wait for every write of the batch, failed or not, then settle the batch on the shard.
    CompletableFuture<?>[] all =
        waits.stream().map(f -> f.handle((x, e) -> null)).toArray(CompletableFuture<?>[]::new);
    return CompletableFuture.allOf(all)
        .thenRunAsync(() -> finishBatch(shard, doc, submitted, batchSave), shard.executor);
  }

  private void finishBatch(
      Shard shard, OtDoc doc, List<Submitted> submitted, CompletableFuture<Void> save) {
    Throwable saveError =
        save.isCompletedExceptionally() ? unwrap(save.handle((x, e) -> e).join()) : null;
    boolean failed = false;
    List<PendingCommit> retry = new ArrayList<>();
    // Subscribers hear of the batch after every committer has its answer, so one notification per
    // subscriber can carry the whole batch (see EngineListener.batchCommitted).
    List<EngineListener.Committed> notify = new ArrayList<>(submitted.size());
    for (Submitted item : submitted) {
      Prepared p = item.prepared();
      PendingCommit pc = p.pc();
      // Commits before the first one that wrote saw only durable state and stand; from it on,
      // a failed write fails them all.
      Throwable error = item.wrote() ? saveError : null;
      if (!failed && error == null) {
        List<CompletableFuture<?>> versionWrites = List.of();
        if (!p.committed().isEmpty()) {
          doc.durableRev = p.committed().get(p.committed().size() - 1).rev();
          notify.add(new EngineListener.Committed(p.committed(), pc.originId));
          if (p.offline()) {
            versionWrites =
                offlineSessionVersions(doc, p.committed(), p.batchId(), p.sessionOrigin());
          }
        }
        List<Change> all = new ArrayList<>(p.catchup().size() + p.committed().size());
        all.addAll(p.catchup());
        all.addAll(p.committed());
        CommitResult answer = new CommitResult(all, p.reload());
        if (versionWrites.isEmpty()) {
          pc.result.complete(answer);
        } else {
          // The offline session's versions are answered as part of the commit, as before batching.
          allOf(versionWrites)
              .whenComplete(
                  (x, e) -> {
                    if (e != null) {
                      pc.result.completeExceptionally(unwrap(e));
                    } else {
                      pc.result.complete(answer);
                    }
                  });
        }
        continue;
      }
      // From the first failure on, the in-memory state ran ahead of the store: reload it, and
      // recompute every later commit (their writes were conditional on the failed one).
      failed = true;
      doc.loaded = false;
      DuplicateChangeIdException dup = error instanceof DuplicateChangeIdException d ? d : null;
      if (dup != null && !ownsAny(pc, dup.ids())) {
        // Failed only with another commit of the batch: recomputed like those after a failure.
      } else if (dup != null && !pc.knownIds.containsAll(dup.ids())) {
        Set<String> known = new HashSet<>(pc.knownIds);
        known.addAll(dup.ids());
        pc.knownIds = known;
      } else if (error != null && !(error instanceof RevConflictException)) {
        pc.result.completeExceptionally(error);
        continue;
      }
      if (++pc.attempt >= MAX_CONFLICT_RETRIES) {
        pc.result.completeExceptionally(
            error != null
                ? error
                : new PatchbayException(503, "Commit could not be settled, try again shortly"));
        continue;
      }
      retry.add(pc);
    }
    if (!notify.isEmpty()) {
      listener.batchCommitted(doc.id, notify);
    }
    for (int i = retry.size() - 1; i >= 0; i--) {
      doc.commitQueue.addFirst(retry.get(i));
    }
    if (!doc.commitQueue.isEmpty()) {
      scheduleBatch(shard, doc);
    }
  }

  private static Set<String> ownIds(List<Change> committed, Predicate<Change> isOwn) {
    Set<String> ids = new HashSet<>();
    for (Change c : committed) {
      if (isOwn.test(c)) {
        ids.add(c.id());
      }
    }
    return ids;
  }

  private static boolean hasRootOp(IncomingChange c) {
    for (PatchOp op : c.ops()) {
      if (op.path().isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code batchId} is the multi-batch upload that created the document. */
  private boolean isOwnUpload(OtDoc doc, @Nullable String batchId, List<IncomingChange> input) {
    if (!doc.firstBatchKnown) {
      List<Change> first = store.listChanges(doc.id, ChangeQuery.all().limit(1));
      doc.firstBatchId = first.isEmpty() ? null : first.get(0).batchId();
      doc.firstChangeId = first.isEmpty() ? null : first.get(0).id();
      doc.firstBatchKnown = true;
    }
    if (batchId != null && batchId.equals(doc.firstBatchId)) {
      return true;
    }
    // A re-sent upload whose answer was lost: the document's first change is among it (§4.1).
    for (IncomingChange c : input) {
      if (c.id().equals(doc.firstChangeId)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Session-gap and change-count versioning (patches.md §4.1 step 4): advance the version watermark
   * toward the head in steps of at most {@code maxChangesPerVersion} changes.
   */
  private List<CompletableFuture<?>> catchUpVersionsIfDue(
      OtDoc doc, long initialRev, List<Change> incoming, long now) {
    List<CompletableFuture<?>> writes = new ArrayList<>();
    Change last = doc.lastChange();
    if (last == null && doc.rev > 0) {
      List<Change> tail = store.listChanges(doc.id, ChangeQuery.all().reversed().limit(1));
      last = tail.isEmpty() ? null : tail.get(0);
    }
    if (last == null) {
      return writes;
    }
    int step = settings.maxChangesPerVersion();
    boolean sessionGap = now - last.createdAt() > sessionMillis;
    long projectedTip =
        Math.max(initialRev + incoming.size(), incoming.get(incoming.size() - 1).rev());
    // As upstream, a version is due when the log crosses a multiple of the step. Only the first
    // commit of a batch gets here (the rest of the tail is not durable yet), so the crossing is
    // looked for since the last check, not within this commit alone: the commit that crossed was
    // often not the first of its batch, and versions then stopped being cut at all. Without
    // batching (one commit per step) this is exactly upstream's test.
    long checkedFrom = Math.min(doc.versionCheckedTip, initialRev);
    doc.versionCheckedTip = projectedTip;
    boolean crossesBoundary = step > 0 && checkedFrom / step < projectedTip / step;
    if (!sessionGap && !crossesBoundary) {
      return writes;
    }
    long target = last.rev();
    VersionMetadata parent = doc.lastVersion;
    long endRev = parent == null ? 0 : parent.endRev();
    long minBacklog = sessionGap ? 1 : step;
    long stepSize = step > 0 ? step : Long.MAX_VALUE;
    while (target - endRev >= minBacklog) {
      long versionEnd = Math.min(target, endRev + stepSize);
      List<Change> range = changesBetween(doc, endRev, versionEnd);
      if (range.isEmpty()) {
        break;
      }
      VersionMetadata v =
          new VersionMetadata(
              Ids.versionId(now),
              null,
              parent == null ? null : parent.id(),
              null,
              VersionOrigin.MAIN,
              false,
              range.get(0).createdAt(),
              range.get(range.size() - 1).createdAt(),
              range.get(0).rev(),
              range.get(range.size() - 1).rev(),
              Map.of());
      JsonNode state = stateAt(doc, v.endRev(), List.of());
      doc.versionCut(v, state);
      writes.add(saveVersion(doc, v, state));
      parent = v;
      endRev = v.endRev();
    }
    return writes;
  }

  /** Versions for the sessions (gaps over the session timeout) of an offline or batched upload. */
  private List<CompletableFuture<?>> offlineSessionVersions(
      OtDoc doc, List<Change> committed, @Nullable String batchId, VersionOrigin origin) {
    List<CompletableFuture<?>> writes = new ArrayList<>();
    VersionMetadata parent = doc.lastVersion;
    int start = 0;
    for (int i = 1; i <= committed.size(); i++) {
      boolean end =
          i == committed.size()
              || committed.get(i).createdAt() - committed.get(i - 1).createdAt() > sessionMillis;
      if (!end) {
        continue;
      }
      List<Change> session = committed.subList(start, i);
      Change firstChange = session.get(0);
      Change lastChange = session.get(session.size() - 1);
      VersionMetadata v =
          new VersionMetadata(
              Ids.versionId(clock.getAsLong()),
              null,
              parent == null ? null : parent.id(),
              batchId,
              origin,
              true,
              firstChange.createdAt(),
              lastChange.createdAt(),
              firstChange.rev(),
              lastChange.rev(),
              Map.of());
      JsonNode state = stateAt(doc, v.endRev(), committed);
      doc.versionCut(v, state);
      writes.add(saveVersion(doc, v, state));
      parent = v;
      start = i;
    }
    return writes;
  }

  private CompletableFuture<Void> saveVersion(OtDoc doc, VersionMetadata v, JsonNode state) {
    return store
        .createVersion(doc.id, v, state)
        .thenRunAsync(
            () -> {
              if (doc.lastVersion == null || v.endRev() >= doc.lastVersion.endRev()) {
                doc.lastVersion = v;
              }
              if (v.origin() == VersionOrigin.MAIN
                  && (doc.mainVersion == null || v.endRev() >= doc.mainVersion.endRev())) {
                doc.mainVersion = v;
                doc.mainState = state;
                doc.mainStateBytes = Json.write(state).length();
              }
            },
            shardOf(doc.id).executor);
  }

  /**
   * Rebuilds the state at {@code rev} from the newest main version at or below it plus the changes
   * after it; {@code pending} are changes not yet in the log that may extend it.
   */
  private JsonNode stateAt(OtDoc doc, long rev, List<Change> pending) {
    VersionMetadata v = doc.mainVersion;
    JsonNode state = doc.mainState;
    long from;
    if (doc.cutState != null
        && doc.cutRev <= rev
        && (v == null || v.endRev() > rev || doc.cutRev >= v.endRev())) {
      // The newest version cut is the nearest base (its write may still be in flight).
      state = doc.cutState;
      from = doc.cutRev;
    } else {
      if (v != null && v.endRev() > rev) {
        v = store.latestMainVersion(doc.id, rev);
        state = v == null ? null : store.loadVersionState(doc.id, v.id());
      }
      from = v == null ? 0 : v.endRev();
    }
    List<Change> changes = new ArrayList<>(changesBetween(doc, from, Math.min(rev, doc.rev)));
    for (Change c : pending) {
      if (c.rev() > Math.max(from, doc.rev) && c.rev() <= rev) {
        changes.add(c);
      }
    }
    JsonNode result = ChangeApplier.applyChangesForReconstruction(state, changes);
    return result == null ? Json.NODES.nullNode() : result;
  }

  private List<Change> changesBetween(OtDoc doc, long after, long until) {
    if (after >= until) {
      return List.of();
    }
    List<Change> slice = doc.tailSlice(after, until);
    if (slice != null) {
      return slice;
    }
    if (until > doc.tailBase) {
      // Only the part below the tail comes from the store. Versions are cut a step behind the
      // head (as upstream), so a cut's range often begins a few changes below a tail of two steps,
      // and each cut read and parsed a thousand changes back instead of those few.
      List<Change> older = store.listChanges(doc.id, ChangeQuery.after(after).until(doc.tailBase));
      List<Change> newer = doc.tailSlice(doc.tailBase, until);
      // One change per revision: as many as the range spans means none is missing.
      if (newer != null && older.size() == doc.tailBase - after) {
        List<Change> all = new ArrayList<>(older.size() + newer.size());
        all.addAll(older);
        all.addAll(newer);
        return all;
      }
    }
    return store.listChanges(doc.id, ChangeQuery.after(after).until(until));
  }

  private static List<Change> mergeByRev(List<Change> a, List<Change> b) {
    List<Change> all = new ArrayList<>(a.size() + b.size());
    all.addAll(a);
    all.addAll(b);
    all.sort((x, y) -> Long.compare(x.rev(), y.rev()));
    return all;
  }

  private void requireOt(String docId) {
    if (isLww(docId)) {
      throw new PatchbayException(
          400,
          "Versions are kept for OT documents only; " + docId + " is a last-write-wins document");
    }
  }

  private VersionMetadata requireVersion(OtDoc doc, String versionId) {
    VersionMetadata v = store.loadVersion(doc.id, versionId);
    if (v == null) {
      throw new PatchbayException(404, "Version not found: " + versionId);
    }
    return v;
  }

  private static void requireNotDeleted(Doc doc) {
    if (doc.tombstone != null) {
      throw new PatchbayException(
          410, "Document " + doc.id + " was deleted", Json.object().put("docId", doc.id));
    }
  }

  private static ObjectNode scopeDoc() {
    return Json.object().put("scope", "doc");
  }

  private static long revOf(Doc doc) {
    return doc instanceof LwwDoc lww ? lww.rev : ((OtDoc) doc).rev;
  }

  // ---------------------------------------------------------------------------------------------
  // Shards, loading and the mailbox

  private interface DocFunction<D extends Doc, T> {
    T apply(D doc);
  }

  private interface DocStep<D extends Doc, T> {
    CompletableFuture<T> apply(D doc);
  }

  /** What the document holds in memory; for tests. */
  CompletableFuture<TailStats> tailStats(String docId) {
    return read(
        docId,
        doc -> {
          int compact = 0;
          for (Change c : doc.tail) {
            compact += c.isCompact() ? 1 : 0;
          }
          return new TailStats(doc.tail.size(), compact);
        });
  }

  /** How many changes a document holds in memory, and how many of them are compact (tests). */
  record TailStats(int size, int compact) {}

  private <T> CompletableFuture<T> read(String docId, DocFunction<OtDoc, T> fn) {
    return readAny(docId, OtDoc.class, fn);
  }

  private <D extends Doc, T> CompletableFuture<T> readAny(
      String docId, Class<D> kind, DocFunction<D, T> fn) {
    Shard shard = shardOf(docId);
    CompletableFuture<T> result = new CompletableFuture<>();
    shard.submit(
        result,
        () -> {
          D doc = kind.cast(shard.doc(docId));
          ensureLoaded(doc);
          result.complete(fn.apply(doc));
          shard.evictIfNeeded();
        });
    return result;
  }

  private <T> CompletableFuture<T> write(String docId, DocStep<OtDoc, T> step) {
    return writeAny(docId, OtDoc.class, step);
  }

  private <D extends Doc, T> CompletableFuture<T> writeAny(
      String docId, Class<D> kind, DocStep<D, T> step) {
    if (closing) {
      return CompletableFuture.failedFuture(
          new PatchbayException(503, "Server is shutting down, try again shortly"));
    }
    Shard shard = shardOf(docId);
    CompletableFuture<T> result = new CompletableFuture<>();
    inFlight.incrementAndGet();
    result.whenComplete((v, e) -> inFlight.decrementAndGet());
    shard.submit(
        result,
        () -> {
          D doc = kind.cast(shard.doc(docId));
          Supplier<CompletableFuture<?>> s =
              () -> {
                CompletableFuture<T> done;
                try {
                  ensureLoaded(doc);
                  done = step.apply(doc);
                } catch (RuntimeException e) {
                  result.completeExceptionally(e);
                  throw e;
                }
                done.whenComplete(
                    (value, error) -> {
                      if (error != null) {
                        result.completeExceptionally(unwrap(error));
                      } else {
                        result.complete(value);
                      }
                    });
                return done;
              };
          doc.enqueue(s);
          doc.drain(() -> resume(shard, doc));
        });
    return result;
  }

  private void resume(Shard shard, Doc doc) {
    try {
      shard.executor.execute(
          () -> {
            doc.stepFinished();
            doc.drain(() -> resume(shard, doc));
            shard.evictIfNeeded();
          });
    } catch (RejectedExecutionException e) {
      log.warn("document {}: shard queue full while resuming; the shard is overloaded", doc.id);
    }
  }

  private void ensureLoaded(Doc doc) {
    if (doc.loaded) {
      return;
    }
    doc.reset(store.getTombstone(doc.id));
    if (doc instanceof LwwDoc lww) {
      LwwState state = store.loadLww(doc.id);
      lww.rev = state.rev();
      lww.snapshot = state.snapshot();
      for (PatchOp row : state.ops()) {
        lww.rows.put(row.path(), row);
      }
      doc.loaded = true;
      return;
    }
    OtDoc ot = (OtDoc) doc;
    loadOt(ot);
  }

  private void loadOt(OtDoc doc) {
    doc.rev = store.currentRev(doc.id);
    doc.mainVersion = store.latestMainVersion(doc.id, doc.rev);
    doc.mainState =
        doc.mainVersion == null ? null : store.loadVersionState(doc.id, doc.mainVersion.id());
    doc.mainStateBytes = doc.mainState == null ? 0 : Json.write(doc.mainState).length();
    List<VersionMetadata> newest =
        store.listVersions(doc.id, VersionQuery.orderBy(VersionOrder.END_REV).reversed().limit(1));
    doc.lastVersion = newest.isEmpty() ? null : newest.get(0);
    doc.cutRev = 0; // a cut whose write failed is forgotten with the rest
    doc.cutState = null;
    doc.versionCheckedTip = doc.rev;
    long base = doc.mainVersion == null ? 0 : doc.mainVersion.endRev();
    base = Math.max(base, doc.rev - OtDoc.MAX_TAIL);
    doc.loadTail(base, store.listChanges(doc.id, ChangeQuery.after(base)));
    if (!doc.tail.isEmpty()) {
      doc.rev = doc.tail.get(doc.tail.size() - 1).rev();
    }
    doc.durableRev = doc.rev;
    doc.loaded = true;
  }

  private Shard shardOf(String docId) {
    return shards[Math.floorMod(docId.hashCode() * 0x9E3779B9, shards.length)];
  }

  private static CompletableFuture<Void> allOf(List<CompletableFuture<?>> futures) {
    return CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]));
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * Refuses new writes (503), waits up to 10 s for in-flight writes to become durable and be
   * answered, then stops the shards. The store is the caller's to close afterwards.
   */
  /** Refuses new writes from now on (they fail with 503); those already taken still finish. */
  public void startClosing() {
    closing = true;
  }

  @Override
  public void close() {
    closing = true;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    if (inFlight.get() > 0) {
      log.warn("{} writes still in flight after 10 s; stopping anyway", inFlight.get());
    }
    for (Shard s : shards) {
      s.executor.shutdown();
    }
    for (Shard s : shards) {
      try {
        if (!s.executor.awaitTermination(10, TimeUnit.SECONDS)) {
          log.warn("shard {} did not finish its work within 10 s", s.index);
          s.executor.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        s.executor.shutdownNow();
      }
    }
  }

  /** One document executor and the documents it owns (touched only by its thread). */
  private static final class Shard {
    static final long SWEEP_MILLIS = 500;
    static final long SETTLE_AFTER_MILLIS = 1_000;

    final int index;
    final ExecutorService executor;
    final int maxDocs;
    final AtomicInteger size = new AtomicInteger();
    private final LinkedHashMap<String, Doc> docs = new LinkedHashMap<>(64, 0.75f, true);
    private final AlgorithmRules rules;

    private final LongSupplier clock;
    private long sweptAt;

    Shard(
        int index,
        ExecutorService executor,
        int maxDocs,
        AlgorithmRules rules,
        LongSupplier clock) {
      this.index = index;
      this.rules = rules;
      this.maxDocs = maxDocs;
      this.executor = executor;
      this.clock = clock;
      this.sweptAt = clock.getAsLong();
    }

    static ExecutorService newExecutor(int index, int maxQueuedTasks) {
      return new ThreadPoolExecutor(
          1,
          1,
          0,
          TimeUnit.MILLISECONDS,
          new ArrayBlockingQueue<>(maxQueuedTasks),
          r -> {
            Thread t = new Thread(r, "patchbay-doc-" + index);
            t.setDaemon(false);
            return t;
          });
    }

    Doc doc(String id) {
      Doc doc = docs.get(id);
      if (doc == null) {
        doc =
            rules.algorithmOf(id) == AlgorithmRules.Algorithm.LWW ? new LwwDoc(id) : new OtDoc(id);
        docs.put(id, doc);
        size.set(docs.size());
      }
      doc.touchedAt = clock.getAsLong();
      return doc;
    }

    /**
     * At most every {@link #SWEEP_MILLIS}, settles the documents untouched for {@link
     * #SETTLE_AFTER_MILLIS} with nothing queued (see {@link Doc#settle()}) and lets the others
     * {@linkplain Doc#recompact() recompact}. Runs before each task, so an idle server does no
     * sweeping; the first task after a pause settles what the pause left.
     */
    void sweepIfDue() {
      long now = clock.getAsLong();
      if (now - sweptAt < SWEEP_MILLIS) {
        return;
      }
      sweptAt = now;
      for (Doc doc : docs.values()) {
        if (now - doc.touchedAt >= SETTLE_AFTER_MILLIS && doc.loaded && doc.idle()) {
          doc.settle();
        } else if (doc.loaded) {
          doc.recompact();
        }
      }
    }

    void evictIfNeeded() {
      if (docs.size() <= maxDocs) {
        return;
      }
      Iterator<Doc> it = docs.values().iterator();
      while (docs.size() > maxDocs && it.hasNext()) {
        if (it.next().idle()) {
          it.remove();
        }
      }
      size.set(docs.size());
    }

    /** Runs a task on this shard, or fails {@code result} with 503 when the queue is full. */
    void submit(CompletableFuture<?> result, Runnable task) {
      try {
        executor.execute(
            () -> {
              try {
                sweepIfDue();
                task.run();
              } catch (RuntimeException e) {
                result.completeExceptionally(e);
              }
            });
      } catch (RejectedExecutionException e) {
        result.completeExceptionally(
            new PatchbayException(503, "Server is busy, try again shortly"));
      }
    }
  }
}
