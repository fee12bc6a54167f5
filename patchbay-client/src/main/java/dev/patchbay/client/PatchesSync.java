package dev.patchbay.client;

import dev.patchbay.client.internal.ExecutorScheduler;
import dev.patchbay.client.internal.JdkWebSocketTransport;
import dev.patchbay.client.internal.NamedThreads;
import dev.patchbay.client.internal.RpcClient;
import dev.patchbay.client.spi.ConnectRequest;
import dev.patchbay.client.spi.Scheduler;
import dev.patchbay.client.spi.Transport;
import dev.patchbay.client.spi.TransportConnection;
import dev.patchbay.client.spi.TransportListener;
import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.core.ot.BatchOptions;
import dev.patchbay.core.ot.Change;
import dev.patchbay.core.ot.ChangeBatching;
import dev.patchbay.core.rpc.JsonRpcMessage;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * Keeps the tracked documents of a {@link Patches} in sync with a Patches-protocol server. On every
 * (re)connection it subscribes to all tracked documents, then per document flushes pending changes
 * ({@code commitChanges}) or catches up ({@code getChangesSince}); afterwards it sends local edits
 * as they happen and applies the server's {@code changesCommitted} notifications. OT and
 * last-write-wins documents ({@link Algorithm}) share the connection; each is flushed by its own
 * rules. Deletions made offline are sent after subscribing. A change the server rejects for good is
 * quarantined ({@link Patches#quarantinedChanges()}) and the document syncs on. A lost connection
 * is reopened with backoff ({@link ReconnectPolicy}) until {@link #disconnect()}; {@link
 * #connectionState()} names where it stands.
 *
 * <p>All protocol work runs on one thread ({@code patchbay-sync-<n>}), so a document is never
 * synced twice at once. Listeners run on that thread; a throwing listener never stops the others.
 *
 * <pre>{@code
 * PatchesSync sync = PatchesSync.builder(patches, URI.create("ws://127.0.0.1:8787/ws")).build();
 * sync.connect();
 * }</pre>
 */
public final class PatchesSync implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PatchesSync.class);
  private static final java.time.Duration CLOSE_WAIT = java.time.Duration.ofSeconds(5);

  /** The bound of the default transport's send queue, in messages. */
  static final int MAX_QUEUED_MESSAGES = 1024;

  private final Patches patches;
  private final Transport transport;
  private final @Nullable Supplier<URI> address;
  private final Supplier<@Nullable String> token;
  private final Scheduler scheduler;
  private final Executor executor;
  private final @Nullable ExecutorService ownedExecutor;
  private volatile @Nullable Thread syncThread; // the owned executor's thread, once started
  private final @Nullable ExecutorScheduler ownedScheduler;
  private final ReconnectPolicy reconnectPolicy;
  private final Duration connectTimeout;
  private final Duration heartbeatInterval;
  private final Duration heartbeatTimeout;
  private final BatchOptions batchOptions;
  private final DoubleSupplier random;
  private final UnaryOperator<List<String>> subscribeFilter;
  private final RpcClient rpc = new RpcClient();
  private final List<Subscription> patchesSubscriptions = new ArrayList<>();

  private final Listeners<Consumer<SyncState>> stateListeners = new Listeners<>();
  private final Listeners<Consumer<Map<String, DocSyncState>>> docStateListeners =
      new Listeners<>();
  private final Listeners<BiConsumer<Throwable, @Nullable String>> errorListeners =
      new Listeners<>();
  private final Listeners<BiConsumer<String, List<Change>>> remoteDeleteListeners =
      new Listeners<>();
  private final Listeners<BiConsumer<ConnectionState, ConnectionState>> connectionListeners =
      new Listeners<>();

  // Confined to the executor.
  private boolean wanted;
  private boolean connecting;
  private @Nullable TransportConnection connection;
  private int generation;
  private int attempts;
  private @Nullable Throwable endedEarly;
  private Scheduler.@Nullable Cancellable reconnectTimer;
  private Scheduler.@Nullable Cancellable heartbeatTimer;
  private final Map<String, DocRun> runs = new HashMap<>();
  private final Map<String, DocSyncStatus> statuses = new HashMap<>();
  private final List<CompletableFuture<Void>> connectWaiters = new ArrayList<>();
  private final Map<String, List<CompletableFuture<Void>>> deleteWaiters = new HashMap<>();
  private final Set<String> deletesInFlight = new HashSet<>();

  private volatile SyncState state = SyncState.INITIAL;
  private volatile ConnectionState connectionState = ConnectionState.DISCONNECTED;
  private volatile Map<String, DocSyncState> docStates = Map.of();

  /** Whether a document's sync is running, and whether another pass was asked for meanwhile. */
  private static final class DocRun {
    boolean running;
    boolean again;
  }

  private PatchesSync(Builder b) {
    this.patches = b.patches;
    this.connectTimeout = b.connectTimeout;
    this.heartbeatInterval = b.heartbeatInterval;
    this.heartbeatTimeout = b.heartbeatTimeout;
    this.transport =
        b.transport != null
            ? b.transport
            : new JdkWebSocketTransport(b.connectTimeout, MAX_QUEUED_MESSAGES);
    this.address = b.uri;
    this.token = b.token;
    if (b.scheduler != null) {
      this.scheduler = b.scheduler;
      this.ownedScheduler = null;
    } else {
      this.ownedScheduler = new ExecutorScheduler();
      this.scheduler = ownedScheduler;
    }
    if (b.executor != null) {
      this.executor = b.executor;
      this.ownedExecutor = null;
    } else {
      NamedThreads names = new NamedThreads("sync");
      this.ownedExecutor =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = names.newThread(r);
                syncThread = t;
                return t;
              });
      this.executor = ownedExecutor;
    }
    this.reconnectPolicy = b.reconnectPolicy;
    this.batchOptions =
        BatchOptions.defaults()
            .withMaxPayloadBytes(b.maxPayloadBytes)
            .withMaxStorageBytes(b.maxStorageBytes);
    this.subscribeFilter = b.subscribeFilter;
    this.random = b.random;
    patchesSubscriptions.add(patches.onLocalChange(doc -> run(() -> onLocalChange(doc.id()))));
    patchesSubscriptions.add(patches.onTrack(id -> run(() -> onTracked(id))));
    patchesSubscriptions.add(patches.onUntrack(id -> run(() -> onUntracked(id))));
    patchesSubscriptions.add(patches.onDelete(id -> run(() -> onDeletedLocally(id))));
    run(() -> patches.trackedDocs().forEach(this::updateDocState));
  }

  /**
   * Returns a builder for a coordinator that connects to {@code uri} over the JDK WebSocket.
   *
   * @param patches the documents to keep in sync
   * @param uri the server's WebSocket address, e.g. {@code ws://127.0.0.1:8787/ws}
   */
  public static Builder builder(Patches patches, URI uri) {
    Objects.requireNonNull(uri, "uri");
    return builder(patches, () -> uri);
  }

  /**
   * Returns a builder for a coordinator that connects over the JDK WebSocket to the address {@code
   * uri} gives. It is asked anew before every connection attempt, so an address carrying an access
   * token ({@code ws://host/ws?token=…}) can carry a fresh one on every reconnect. A supplier that
   * throws or returns {@code null} fails that attempt: the error goes to {@link #onError} and the
   * next attempt follows the {@link ReconnectPolicy}.
   *
   * @param patches the documents to keep in sync
   * @param uri gives the server's WebSocket address
   */
  public static Builder builder(Patches patches, Supplier<URI> uri) {
    Builder b = new Builder(patches);
    b.uri = Objects.requireNonNull(uri, "uri");
    return b;
  }

  /**
   * Returns a builder for a coordinator over another transport, which knows where to connect (its
   * {@link ConnectRequest#uri()} is {@code null}). For a transport that takes the address from the
   * request, use {@link #builder(Patches, Supplier)} and {@link Builder#transport(Transport)}.
   */
  public static Builder builder(Patches patches, Transport transport) {
    Builder b = new Builder(patches);
    b.transport = Objects.requireNonNull(transport, "transport");
    return b;
  }

  /** Returns the current state. */
  public SyncState state() {
    return state;
  }

  /**
   * Returns the sync state of every tracked document, keyed by id (documents appear as they are
   * tracked and disappear when deleted). The map is immutable and replaced on every change, so a
   * caller can compare it by identity.
   */
  public Map<String, DocSyncState> docStates() {
    return docStates;
  }

  /** Registers a listener for state changes; it is called only when the state really changed. */
  public Subscription onStateChange(Consumer<SyncState> listener) {
    return stateListeners.add(listener);
  }

  /** Returns where the connection stands. */
  public ConnectionState connectionState() {
    return connectionState;
  }

  /**
   * Registers a listener for connection state changes, called with the previous and the new state
   * only when the state really changed.
   */
  public Subscription onConnectionStateChange(
      BiConsumer<ConnectionState, ConnectionState> listener) {
    return connectionListeners.add(listener);
  }

  /**
   * Registers a listener called with the new map whenever {@link #docStates()} is replaced: the
   * Patches name for {@link #onDocStatesChange}.
   */
  public Subscription onSyncedChange(Consumer<Map<String, DocSyncState>> listener) {
    return docStateListeners.add(listener);
  }

  /** Registers a listener called with the new map whenever {@link #docStates()} is replaced. */
  public Subscription onDocStatesChange(Consumer<Map<String, DocSyncState>> listener) {
    return docStateListeners.add(listener);
  }

  /**
   * Registers a listener for errors: failed connections and failed document syncs. The second
   * argument is the document id, or {@code null} for connection errors.
   */
  public Subscription onError(BiConsumer<Throwable, @Nullable String> listener) {
    return errorListeners.add(listener);
  }

  /**
   * Registers a listener for documents another client deleted: it gets the document id and the
   * local changes that were still pending (they were not sent and are gone from the store, so this
   * is the last chance to keep them). The document is no longer tracked. It is called for a {@code
   * docDeleted} notification, and when the server refuses a document's sync because it was deleted
   * (code 410), e.g. on reconnecting after offline edits.
   */
  public Subscription onRemoteDocDeleted(BiConsumer<String, List<Change>> listener) {
    return remoteDeleteListeners.add(listener);
  }

  /**
   * Deletes a document: locally at once ({@link Patches#deleteDoc}: untracked, its stored data and
   * unsent changes removed, a tombstone kept), and on the server now when connected, otherwise on
   * the next connection (also after a restart, from the tombstone). Other clients get {@code
   * onRemoteDocDeleted}.
   *
   * @return completes once the server confirmed the deletion (it already had none, 404 or 410, also
   *     counts); fails with the server's error when it refuses for good (a 4xx), after which the
   *     tombstone is dropped; a lost connection only postpones it
   */
  public CompletableFuture<Void> deleteDoc(String docId) {
    Objects.requireNonNull(docId, "docId");
    CompletableFuture<Void> done = new CompletableFuture<>();
    // Queued before the delete's own event, so the waiter is in place when the send happens.
    run(() -> deleteWaiters.computeIfAbsent(docId, id -> new ArrayList<>()).add(done));
    try {
      patches.deleteDoc(docId);
    } catch (RuntimeException e) {
      // Nothing was deleted (the store failed): the waiter goes, the caller gets the failure.
      run(() -> deleteWaiters.getOrDefault(docId, new ArrayList<>()).remove(done));
      done.completeExceptionally(e);
    }
    return done;
  }

  /**
   * Starts connecting, and keeps reconnecting after losses until {@link #disconnect()}.
   *
   * @return completes when a connection is open, or exceptionally when the attempt limit is reached
   *     or {@link #disconnect()} is called first
   */
  public CompletableFuture<Void> connect() {
    CompletableFuture<Void> waiter = new CompletableFuture<>();
    run(
        () -> {
          if (connection != null) {
            waiter.complete(null);
            return;
          }
          connectWaiters.add(waiter);
          wanted = true;
          if (!connecting && reconnectTimer == null) {
            attempts = 0;
            open();
          }
        });
    return waiter;
  }

  /**
   * Closes the connection and stops reconnecting. Pending changes stay in the store and are sent on
   * the next {@link #connect()}.
   */
  public void disconnect() {
    run(
        () -> {
          wanted = false;
          cancelReconnect();
          cancelHeartbeat();
          generation++;
          connecting = false;
          TransportConnection c = connection;
          connection = null;
          if (c != null) {
            c.close();
          }
          rpc.failAll(new PatchbayException(503, "Disconnected"));
          failWaiters(new PatchbayException(503, "Disconnected"));
          resetDocStatuses();
          setConnectionState(ConnectionState.DISCONNECTED);
          publishState();
        });
  }

  /** Disconnects and releases the coordinator's threads. */
  @Override
  public void close() {
    for (Subscription s : patchesSubscriptions) {
      s.close();
    }
    disconnect();
    if (ownedExecutor != null) {
      ownedExecutor.shutdown();
      // Let the queued work (the disconnect above) finish before the caller goes on to close the
      // store it uses; bounded, and never from the sync thread itself, which would wait for itself.
      if (Thread.currentThread() != syncThread) {
        try {
          if (!ownedExecutor.awaitTermination(
              CLOSE_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            LOG.warn("sync thread still busy {} after close; not waiting longer", CLOSE_WAIT);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    if (ownedScheduler != null) {
      ownedScheduler.close();
    }
  }

  // ---- connection lifecycle (executor thread) ----

  private void open() {
    int gen = ++generation;
    connecting = true;
    endedEarly = null;
    setConnectionState(ConnectionState.CONNECTING);
    publishState();
    CompletableFuture<TransportConnection> opening;
    try {
      // The suppliers are asked here, on every attempt: a throwing one fails this attempt like a
      // refused connection (reported, then retried after the backoff), never the coordinator.
      opening = transport.connect(connectRequest(), listener(gen));
    } catch (RuntimeException e) {
      opening = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<TransportConnection> attempt = opening;
    Scheduler.Cancellable timeout =
        scheduler.schedule(
            connectTimeout,
            () ->
                run(
                    () -> {
                      if (gen == generation && connecting) {
                        // Fail first: the cancelled attempt then finds itself abandoned.
                        connectFailed(
                            gen,
                            new TimeoutException(
                                "Connection timeout: no connection within " + connectTimeout));
                        attempt.cancel(false);
                      }
                    }));
    attempt.whenComplete(
        (c, e) ->
            run(
                () -> {
                  timeout.cancel();
                  if (gen != generation || !connecting) {
                    if (c != null) {
                      c.close();
                    }
                    return;
                  }
                  Throwable early = endedEarly;
                  endedEarly = null;
                  if (e != null) {
                    connectFailed(gen, e);
                  } else if (early != null) {
                    c.close();
                    connectFailed(gen, early);
                  } else {
                    connected(c);
                  }
                }));
  }

  /** Builds what this attempt opens, asking the address and token suppliers anew. */
  private ConnectRequest connectRequest() {
    @Nullable URI target = null;
    if (address != null) {
      target = address.get();
      if (target == null) {
        throw new IllegalStateException("The address supplier returned null");
      }
    }
    String bearer = token.get();
    return new ConnectRequest(
        target, bearer == null ? Map.of() : Map.of("Authorization", "Bearer " + bearer));
  }

  private TransportListener listener(int gen) {
    return new TransportListener() {
      @Override
      public void onText(String text) {
        run(
            () -> {
              if (gen == generation) {
                rpc.handle(text, PatchesSync.this::onNotification);
              }
            });
      }

      @Override
      public void onClosed(int code, String reason) {
        run(
            () ->
                lost(gen, new PatchbayException(503, "Connection closed: " + code + " " + reason)));
      }

      @Override
      public void onError(Throwable error) {
        run(() -> lost(gen, error));
      }
    };
  }

  private void connected(TransportConnection c) {
    connecting = false;
    connection = c;
    attempts = 0;
    setConnectionState(ConnectionState.CONNECTED);
    publishState();
    scheduleHeartbeat(generation);
    List<CompletableFuture<Void>> waiters = List.copyOf(connectWaiters);
    connectWaiters.clear();
    waiters.forEach(w -> w.complete(null));
    syncAll();
  }

  private void connectFailed(int gen, Throwable error) {
    if (gen != generation) {
      return;
    }
    connecting = false;
    emitError(error, null);
    publishState();
    scheduleReconnect();
  }

  private void lost(int gen, Throwable error) {
    if (gen == generation && connecting) {
      // The end overtook the opening: the JDK WebSocket can report a close (a server that closes
      // right after the handshake) before its open future completes. Ignoring it left the client
      // CONNECTED on a dead socket until the heartbeat noticed; the attempt failed instead.
      endedEarly = error;
      return;
    }
    if (gen != generation || connection == null) {
      return;
    }
    generation++;
    TransportConnection lostConnection = connection;
    connection = null;
    cancelHeartbeat();
    lostConnection.close();
    rpc.failAll(new PatchbayException(503, "Connection lost", error));
    resetDocStatuses();
    LOG.debug("Connection lost: {}", error.toString());
    publishState();
    scheduleReconnect();
  }

  private void scheduleReconnect() {
    if (!wanted) {
      setConnectionState(ConnectionState.DISCONNECTED);
      return;
    }
    attempts++;
    int max = reconnectPolicy.maxAttempts();
    if (max > 0 && attempts > max) {
      wanted = false;
      PatchbayException gaveUp =
          new PatchbayException(503, "Gave up reconnecting after " + max + " attempts");
      setConnectionState(ConnectionState.ERROR);
      emitError(gaveUp, null);
      failWaiters(gaveUp);
      return;
    }
    setConnectionState(ConnectionState.RECONNECTING);
    Duration delay = reconnectPolicy.delay(attempts, random.getAsDouble());
    reconnectTimer =
        scheduler.schedule(
            delay,
            () ->
                run(
                    () -> {
                      reconnectTimer = null;
                      if (wanted && connection == null && !connecting) {
                        open();
                      }
                    }));
  }

  /**
   * Pings after every quiet interval; a ping unanswered within the timeout means the connection is
   * dead even if the socket has not noticed (half-open TCP), so it is dropped and reopened.
   */
  private void scheduleHeartbeat(int gen) {
    if (heartbeatInterval.isZero()) {
      return;
    }
    heartbeatTimer = scheduler.schedule(heartbeatInterval, () -> run(() -> heartbeat(gen)));
  }

  private void heartbeat(int gen) {
    TransportConnection c = connection;
    if (gen != generation || c == null) {
      return;
    }
    CompletableFuture<Void> pong;
    try {
      pong = c.ping();
    } catch (RuntimeException e) {
      pong = CompletableFuture.failedFuture(e);
    }
    Scheduler.Cancellable timeout =
        scheduler.schedule(
            heartbeatTimeout,
            () ->
                run(
                    () ->
                        lost(
                            gen,
                            new TimeoutException(
                                "No heartbeat answer within " + heartbeatTimeout))));
    heartbeatTimer = timeout;
    pong.whenComplete(
        (r, e) ->
            run(
                () -> {
                  if (gen != generation) {
                    return;
                  }
                  timeout.cancel();
                  if (e != null) {
                    lost(gen, unwrap(e));
                  } else {
                    scheduleHeartbeat(gen);
                  }
                }));
  }

  private void cancelHeartbeat() {
    Scheduler.Cancellable timer = heartbeatTimer;
    heartbeatTimer = null;
    if (timer != null) {
      timer.cancel();
    }
  }

  private void cancelReconnect() {
    Scheduler.Cancellable timer = reconnectTimer;
    reconnectTimer = null;
    if (timer != null) {
      timer.cancel();
    }
  }

  private void failWaiters(Throwable error) {
    List<CompletableFuture<Void>> waiters = List.copyOf(connectWaiters);
    connectWaiters.clear();
    waiters.forEach(w -> w.completeExceptionally(error));
  }

  // ---- document sync (executor thread) ----

  private void syncAll() {
    TransportConnection c = connection;
    List<String> ids = List.copyOf(patches.trackedDocs());
    sendPendingDeletes();
    if (c == null || ids.isEmpty()) {
      return;
    }
    List<String> toSubscribe = List.copyOf(subscribeFilter.apply(ids));
    int gen = generation;
    subscribe(c, toSubscribe)
        .whenComplete(
            (granted, e) -> {
              if (gen != generation) {
                return;
              }
              if (e != null) {
                emitError(e, null);
              }
              // Sync even when subscribing failed: the catch-up still brings the documents current.
              ids.forEach(this::syncDoc);
            });
  }

  /** Sends the deletions made while offline (or before a restart), after the documents' sync. */
  private void sendPendingDeletes() {
    for (String docId : patches.pendingDeletes()) {
      sendDelete(docId);
    }
  }

  private void onDeletedLocally(String docId) {
    forgetSyncState(docId);
    if (connection != null) {
      sendDelete(docId);
    }
  }

  private void sendDelete(String docId) {
    TransportConnection c = connection;
    if (c == null || !deletesInFlight.add(docId)) {
      return;
    }
    rpc.call(c, "deleteDoc", Json.NODES.stringNode(docId))
        .whenComplete(
            (r, e) -> {
              deletesInFlight.remove(docId);
              Throwable error = e == null ? null : unwrap(e);
              int code = error instanceof PatchbayException p ? p.code() : 0;
              if (error == null || code == 404 || code == 410) {
                patches.store().removeTombstone(docId);
                completeDeleteWaiters(docId, null);
              } else if (isClientError(code) && code != 408 && code != 429) {
                // Refused for good (e.g. not allowed): keeping the tombstone would retry forever.
                patches.store().removeTombstone(docId);
                emitError(error, docId);
                completeDeleteWaiters(docId, error);
              } else if (code != 503) {
                emitError(error, docId); // kept: the next connection sends it again
              }
            });
  }

  private void completeDeleteWaiters(String docId, @Nullable Throwable error) {
    List<CompletableFuture<Void>> waiters = deleteWaiters.remove(docId);
    if (waiters == null) {
      return;
    }
    for (CompletableFuture<Void> w : waiters) {
      if (error == null) {
        w.complete(null);
      } else {
        w.completeExceptionally(error);
      }
    }
  }

  private static boolean isClientError(int code) {
    return code >= 400 && code < 500;
  }

  private void onTracked(String docId) {
    TransportConnection c = connection;
    updateDocState(docId);
    if (c == null) {
      return;
    }
    int gen = generation;
    subscribe(c, List.copyOf(subscribeFilter.apply(List.of(docId))))
        .whenComplete(
            (granted, e) -> {
              if (gen == generation) {
                if (e != null) {
                  emitError(e, docId);
                }
                syncDoc(docId);
              }
            });
  }

  private void onUntracked(String docId) {
    TransportConnection c = connection;
    forgetSyncState(docId);
    if (c != null) {
      rpc.call(c, "unsubscribe", Json.array().add(docId))
          .whenComplete(
              (r, e) -> {
                if (e != null) {
                  emitError(unwrap(e), docId);
                }
              });
    }
  }

  private CompletableFuture<JsonNode> subscribe(TransportConnection c, List<String> ids) {
    if (ids.isEmpty()) {
      return CompletableFuture.completedFuture(Json.array());
    }
    ArrayNode idArray = Json.array();
    ids.forEach(idArray::add);
    return rpc.call(c, "subscribe", idArray);
  }

  private void onLocalChange(String docId) {
    updateDocState(docId);
    if (connection != null) {
      syncDoc(docId);
    }
  }

  private void onNotification(JsonRpcMessage.Notification n) {
    JsonNode params = n.params();
    JsonNode docIdNode = params == null ? null : params.get("docId");
    if (docIdNode == null || !docIdNode.isString()) {
      return;
    }
    String docId = docIdNode.stringValue();
    if (!patches.isTracked(docId)) {
      return;
    }
    if ("docDeleted".equals(n.method())) {
      remoteDeleted(docId);
      return;
    }
    if (!"changesCommitted".equals(n.method())) {
      return;
    }
    PatchesDoc doc = patches.doc(docId);
    try {
      List<Change> changes = changes(params.get("changes"));
      if (doc.applyServerChanges(changes) == PatchesDoc.ApplyOutcome.GAP) {
        syncDoc(docId); // the catch-up (or the flush's answer) brings the missing changes
      }
    } catch (RuntimeException e) {
      emitError(e, docId);
      syncDoc(docId);
    }
    updateDocState(docId);
  }

  /** Forgets a document another client deleted and hands its unsent changes to the listeners. */
  private void remoteDeleted(String docId) {
    List<Change> pending = patches.doc(docId).pendingChanges();
    forget(docId);
    remoteDeleteListeners.emit(l -> l.accept(docId, pending));
  }

  /** Drops every trace of a deleted document: tracking, stored data, sync state. */
  private void forget(String docId) {
    patches.forget(docId);
    forgetSyncState(docId);
  }

  private void forgetSyncState(String docId) {
    runs.remove(docId);
    statuses.remove(docId);
    if (docStates.containsKey(docId)) {
      Map<String, DocSyncState> replaced = new LinkedHashMap<>(docStates);
      replaced.remove(docId);
      Map<String, DocSyncState> published = Map.copyOf(replaced);
      docStates = published;
      docStateListeners.emit(l -> l.accept(published));
    }
    publishState();
  }

  private void syncDoc(String docId) {
    if (connection == null || !patches.isTracked(docId)) {
      return;
    }
    DocRun run = runs.computeIfAbsent(docId, id -> new DocRun());
    if (run.running) {
      run.again = true;
      return;
    }
    run.running = true;
    run.again = false;
    int gen = generation;
    setStatus(docId, DocSyncStatus.SYNCING);
    CompletableFuture<Void> work;
    try {
      work = syncOnce(patches.doc(docId));
    } catch (RuntimeException e) {
      work = CompletableFuture.failedFuture(e);
    }
    work.whenComplete(
        (v, e) ->
            onExecutor(
                () -> {
                  run.running = false;
                  if (gen != generation) {
                    return; // the connection changed; the next one resyncs everything
                  }
                  Throwable error = e == null ? null : unwrap(e);
                  if (error instanceof PatchbayException p
                      && p.code() == 410
                      && patches.isTracked(docId)) {
                    remoteDeleted(docId);
                    return;
                  }
                  if (error != null) {
                    setStatus(docId, DocSyncStatus.ERROR);
                    emitError(error, docId);
                  } else {
                    setStatus(docId, DocSyncStatus.SYNCED);
                  }
                  if (run.again) {
                    syncDoc(docId);
                  }
                }));
  }

  private CompletableFuture<Void> syncOnce(PatchesDoc doc) {
    if (doc.hasPending()) {
      return doc.algorithm() == Algorithm.LWW ? flushLww(doc) : flush(doc);
    }
    if (doc.committedRev() == 0) {
      return reload(doc);
    }
    return catchUp(doc);
  }

  /** Sends the pending changes, one base revision per pass, until none are left. */
  private CompletableFuture<Void> flush(PatchesDoc doc) {
    return flush(doc, false);
  }

  /**
   * One flush pass, and the next ones.
   *
   * @param reloaded whether the pass before was answered 409 and reloaded the document; a second
   *     409 in a row fails the flush (the document is marked {@code ERROR} and retried on the next
   *     edit or connection) instead of reloading forever
   */
  private CompletableFuture<Void> flush(PatchesDoc doc, boolean reloaded) {
    TransportConnection c = connection;
    if (c == null) {
      return CompletableFuture.failedFuture(new PatchbayException(503, "Not connected"));
    }
    List<Change> toSend = ChangeBatching.pendingToSend(doc.pendingChanges());
    if (toSend.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    List<List<Change>> batches = ChangeBatching.breakChangesIntoBatches(toSend, batchOptions);
    if (batches.size() > 1 || batches.get(0).size() != toSend.size()) {
      List<Change> pieces = new ArrayList<>();
      batches.forEach(pieces::addAll);
      doc.replacePendingHead(toSend, pieces);
    }
    // Only the first batch goes now. Its answer rebases the rest of the queue over whatever the
    // server committed meanwhile, and the next pass sends the rest in that rebased form: a later
    // batch sent as split up front would be transformed by the server over foreign changes
    // without the frame of the earlier batches it was made after (found by the seeded client
    // fuzz: edits of a many-batch flush were lost or misplaced).
    return commit(c, doc, batches.get(0))
        .handle((v, e) -> e == null ? null : unwrap(e))
        .thenCompose(
            error -> {
              if (error == null) {
                return doc.hasPending() ? flush(doc, false) : done();
              }
              if (!reloaded && isDocConflict(error)) {
                LOG.warn(
                    "The server refused the base revision of {}'s pending changes ({}); reloading"
                        + " it and resending them on the server's head",
                    doc.id(),
                    error.getMessage());
                return reloadAfterConflict(c, doc)
                    .thenCompose(v -> doc.hasPending() ? flush(doc, true) : done());
              }
              return CompletableFuture.failedFuture(error);
            });
  }

  /**
   * Whether the server refused a commit's base revision for the whole document (409 with {@code
   * data.scope = "doc"}): ahead of the server's head, or a continuation of an upload that did not
   * create the document. The Patches client reloads, rebases and resends (patches.md §2.3).
   */
  private static boolean isDocConflict(Throwable error) {
    if (!(error instanceof PatchbayException p) || p.code() != 409 || p.data() == null) {
      return false;
    }
    JsonNode scope = p.data().get("scope");
    return scope != null && scope.isString() && "doc".equals(scope.stringValue());
  }

  /**
   * Loads the server's snapshot over the document whatever its revision and moves the pending
   * changes onto its head ({@link PatchesDoc#resetToSnapshot}), so the next pass resends them all.
   */
  private CompletableFuture<Void> reloadAfterConflict(TransportConnection c, PatchesDoc doc) {
    return rpc.call(c, "getDoc", Json.NODES.stringNode(doc.id()))
        .thenAccept(
            snapshot ->
                doc.resetToSnapshot(
                    snapshot.get("state"),
                    snapshot.path("rev").asLong(0),
                    changes(snapshot.get("changes"))));
  }

  private CompletableFuture<Void> commit(
      TransportConnection c, PatchesDoc doc, List<Change> batch) {
    ArrayNode array = Json.array();
    List<String> ids = new ArrayList<>(batch.size());
    for (Change change : batch) {
      array.add(change.toJson());
      ids.add(change.id());
    }
    return quarantineRejected(
            doc, ids, rpc.call(c, "commitChanges", Json.NODES.stringNode(doc.id()), array))
        .thenCompose(
            result -> {
              if (result == null) {
                return done(); // rejected and quarantined; the flush goes on with the rest
              }
              JsonNode reload = result.get("docReloadRequired");
              if (reload != null && reload.asBoolean(false)) {
                doc.dropPending(ids);
                return reload(doc);
              }
              CompletableFuture<Void> applied =
                  doc.applyServerChanges(changes(result.get("changes")))
                          == PatchesDoc.ApplyOutcome.GAP
                      ? catchUp(doc)
                      : done();
              // Sent changes missing from the answer were transformed away by the server.
              return applied.thenRun(() -> doc.dropPending(ids));
            });
  }

  /**
   * Sends the sending change of a last-write-wins document (built from the consolidated pending ops
   * when none is in flight), applies the answer, and goes on while edits arrived meanwhile.
   */
  private CompletableFuture<Void> flushLww(PatchesDoc doc) {
    TransportConnection c = connection;
    if (c == null) {
      return CompletableFuture.failedFuture(new PatchbayException(503, "Not connected"));
    }
    Change sending = doc.lwwSendingChange();
    if (sending == null) {
      return done();
    }
    return quarantineRejected(
            doc,
            List.of(sending.id()),
            rpc.call(
                c,
                "commitChanges",
                Json.NODES.stringNode(doc.id()),
                Json.array().add(sending.toJson())))
        .thenCompose(
            result -> {
              if (result != null) {
                doc.lwwCommitted(sending.id(), changes(result.get("changes")));
              }
              return doc.hasPending() ? flushLww(doc) : done();
            });
  }

  /**
   * Passes a commit's answer on, or, when the server rejected the sent changes for good, moves them
   * to the quarantine, reports the error and answers {@code null}, so the flush goes on with the
   * rest. Rejected for good: code 400 or 413 (invalid, or too large to store); when the error's
   * data names one sent change ({@code changeId}) only that one goes, otherwise all sent ones.
   * Other errors (connection, 5xx, 409, 410, 429, auth) pass on: the flush handles 409 {@code
   * scope: doc} ({@link #isDocConflict}), {@code syncDoc} 410; the rest fail the flush.
   */
  private CompletableFuture<@Nullable JsonNode> quarantineRejected(
      PatchesDoc doc, List<String> sentIds, CompletableFuture<JsonNode> answer) {
    return answer.handle(
        (result, e) -> {
          if (e == null) {
            return result;
          }
          Throwable error = unwrap(e);
          if (!(error instanceof PatchbayException p) || (p.code() != 400 && p.code() != 413)) {
            throw e instanceof CompletionException ce ? ce : new CompletionException(error);
          }
          JsonNode named = p.data() == null ? null : p.data().get("changeId");
          List<String> rejected =
              named != null && named.isString() && sentIds.contains(named.stringValue())
                  ? List.of(named.stringValue())
                  : sentIds;
          List<QuarantinedChange> moved = doc.quarantine(rejected, p);
          LOG.warn(
              "The server rejected {} change(s) of {} for good; quarantined: {}",
              moved.size(),
              doc.id(),
              p.getMessage());
          emitError(p, doc.id());
          return null;
        });
  }

  private CompletableFuture<Void> catchUp(PatchesDoc doc) {
    TransportConnection c = connection;
    if (c == null) {
      return CompletableFuture.failedFuture(new PatchbayException(503, "Not connected"));
    }
    return rpc.call(
            c,
            "getChangesSince",
            Json.NODES.stringNode(doc.id()),
            Json.NODES.numberNode(doc.committedRev()))
        .thenCompose(
            result -> {
              if (doc.applyServerChanges(changes(result)) == PatchesDoc.ApplyOutcome.GAP) {
                return reload(doc);
              }
              return done();
            });
  }

  private CompletableFuture<Void> reload(PatchesDoc doc) {
    TransportConnection c = connection;
    if (c == null) {
      return CompletableFuture.failedFuture(new PatchbayException(503, "Not connected"));
    }
    return rpc.call(c, "getDoc", Json.NODES.stringNode(doc.id()))
        .thenCompose(
            snapshot -> {
              long rev = snapshot.path("rev").asLong(0);
              List<Change> changes = changes(snapshot.get("changes"));
              long snapshotRev = changes.isEmpty() ? rev : changes.get(changes.size() - 1).rev();
              long known = doc.committedRev();
              if (known > 0 && snapshotRev <= known) {
                // Stale: changes arrived while the request was out. Loading it would rebase the
                // pending changes over changes they were already rebased over (found by the
                // seeded client fuzz: edits made right after loading were lost).
                return done();
              }
              if (known > 0 && rev <= known) {
                // The snapshot's changes cover everything after our revision: apply them as a
                // catch-up, which skips the ones we have.
                return doc.applyServerChanges(changes) == PatchesDoc.ApplyOutcome.GAP
                    ? catchUp(doc)
                    : done();
              }
              doc.loadSnapshot(snapshot.get("state"), rev, changes);
              return done();
            });
  }

  private static CompletableFuture<Void> done() {
    return CompletableFuture.completedFuture(null);
  }

  private static List<Change> changes(@Nullable JsonNode array) {
    if (array == null || !array.isArray()) {
      throw new PatchbayException(502, "The server answered without a changes array");
    }
    List<Change> result = new ArrayList<>(array.size());
    for (JsonNode node : array) {
      result.add(Change.fromJson(node));
    }
    return result;
  }

  // ---- state publishing (executor thread) ----

  private void onExecutor(Runnable task) {
    run(task);
  }

  /**
   * Hands {@code task} to the protocol thread. After {@link #close()} the thread is gone and late
   * transport callbacks are dropped here rather than thrown on the transport's thread.
   */
  private void run(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      LOG.debug("Dropping work after close");
    }
  }

  private void setStatus(String docId, DocSyncStatus status) {
    if (!patches.isTracked(docId)) {
      forgetSyncState(docId); // untracked or deleted while its sync was in flight
      return;
    }
    statuses.put(docId, status);
    updateDocState(docId);
    publishState();
  }

  private void resetDocStatuses() {
    runs.clear();
    statuses.replaceAll((id, s) -> DocSyncStatus.UNSYNCED);
    for (String id : List.copyOf(statuses.keySet())) {
      updateDocState(id);
    }
  }

  private void updateDocState(String docId) {
    if (!patches.isTracked(docId)) {
      return;
    }
    PatchesDoc doc = patches.doc(docId);
    DocSyncState next =
        new DocSyncState(
            doc.committedRev(),
            doc.hasPending(),
            statuses.getOrDefault(docId, DocSyncStatus.UNSYNCED));
    Map<String, DocSyncState> current = docStates;
    if (next.equals(current.get(docId))) {
      return;
    }
    Map<String, DocSyncState> replaced = new LinkedHashMap<>(current);
    replaced.put(docId, next);
    Map<String, DocSyncState> published = Map.copyOf(replaced);
    docStates = published;
    docStateListeners.emit(l -> l.accept(published));
  }

  private void publishState() {
    boolean syncing = statuses.containsValue(DocSyncStatus.SYNCING);
    SyncState next = new SyncState(true, connection != null, syncing);
    if (next.equals(state)) {
      return;
    }
    state = next;
    stateListeners.emit(l -> l.accept(next));
  }

  private void setConnectionState(ConnectionState next) {
    ConnectionState previous = connectionState;
    if (previous == next) {
      return;
    }
    connectionState = next;
    connectionListeners.emit(l -> l.accept(previous, next));
  }

  private void emitError(Throwable error, @Nullable String docId) {
    LOG.debug("Sync error{}: {}", docId == null ? "" : " on " + docId, error.toString());
    errorListeners.emit(l -> l.accept(error, docId));
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Configures a {@link PatchesSync}; every setting has a default. */
  public static final class Builder {
    private final Patches patches;
    private @Nullable Supplier<URI> uri;
    private @Nullable Transport transport;
    private @Nullable Scheduler scheduler;
    private @Nullable Executor executor;
    private ReconnectPolicy reconnectPolicy = ReconnectPolicy.DEFAULT;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration heartbeatInterval = Duration.ofSeconds(30);
    private Duration heartbeatTimeout = Duration.ofSeconds(5);
    private long maxPayloadBytes = BatchOptions.DEFAULT_MAX_PAYLOAD_BYTES;
    private long maxStorageBytes;
    private UnaryOperator<List<String>> subscribeFilter = ids -> ids;
    private Supplier<@Nullable String> token = () -> null;
    private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();

    private Builder(Patches patches) {
      this.patches = Objects.requireNonNull(patches, "patches");
    }

    /** Sets when to reconnect; default {@link ReconnectPolicy#DEFAULT}. */
    public Builder reconnectPolicy(ReconnectPolicy policy) {
      this.reconnectPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Sets how long opening a connection may take; default 10 s. */
    public Builder connectTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("connectTimeout must be positive, was " + timeout);
      }
      this.connectTimeout = timeout;
      return this;
    }

    /**
     * Sets the heartbeat: a ping after every {@code interval} on an open connection, and a
     * reconnect when its answer does not arrive within {@code timeout}. Default 30 s and 5 s; an
     * interval of zero turns the heartbeat off.
     */
    public Builder heartbeat(Duration interval, Duration timeout) {
      if (interval.isNegative()) {
        throw new IllegalArgumentException("heartbeat interval must be >= 0, was " + interval);
      }
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("heartbeat timeout must be positive, was " + timeout);
      }
      this.heartbeatInterval = interval;
      this.heartbeatTimeout = timeout;
      return this;
    }

    /** Sets the largest {@code commitChanges} batch in JSON bytes; default 1,000,000. */
    public Builder maxPayloadBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxPayloadBytes must be > 0, was " + bytes);
      }
      this.maxPayloadBytes = bytes;
      return this;
    }

    /**
     * Sets where the access token comes from. It is asked anew before every connection attempt, so
     * a reconnect after expiry uses a fresh token, and handed to the transport as the header {@code
     * Authorization: Bearer <token>} of the attempt's {@link ConnectRequest} (the default transport
     * sends it with the WebSocket handshake). {@code null} from the supplier sends none. A supplier
     * that throws fails that attempt: the exception goes to {@link #onError} and the next attempt
     * follows the {@link ReconnectPolicy}. It runs on the protocol thread, so it should answer from
     * a cache rather than block on the network.
     */
    public Builder token(Supplier<@Nullable String> source) {
      this.token = Objects.requireNonNull(source, "source");
      return this;
    }

    /**
     * Sets a per-change size budget in JSON bytes: larger pending changes are split into several
     * before sending (text by characters, objects by their text fields), for servers whose store
     * limits the size of one change. Default 0: no budget.
     */
    public Builder maxStorageBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("maxStorageBytes must be >= 0, was " + bytes);
      }
      this.maxStorageBytes = bytes;
      return this;
    }

    /**
     * Sets which tracked documents are subscribed to: the filter gets the ids about to be
     * subscribed and returns those to subscribe (e.g. none of the children of a subscribed parent,
     * when the server sends their changes with the parent's). Unsubscribed documents are still
     * synced on every connection and when edited, but get no live changes. Default: all.
     */
    public Builder subscribeFilter(UnaryOperator<List<String>> filter) {
      this.subscribeFilter = Objects.requireNonNull(filter, "filter");
      return this;
    }

    /**
     * Sets the transport that opens connections, in place of the JDK WebSocket; it gets the address
     * the builder was made with in every {@link ConnectRequest}. For tests and other socket
     * implementations.
     */
    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /** Sets the timer for reconnects and timeouts; default one daemon thread. For tests. */
    public Builder scheduler(Scheduler timer) {
      this.scheduler = Objects.requireNonNull(timer, "timer");
      return this;
    }

    /**
     * Sets the executor all protocol work runs on; it must run tasks one at a time in order.
     * Default one daemon thread. For tests.
     */
    public Builder executor(Executor serialExecutor) {
      this.executor = Objects.requireNonNull(serialExecutor, "serialExecutor");
      return this;
    }

    /** Sets the source of the reconnect jitter, numbers in [0, 1). For tests. */
    public Builder random(DoubleSupplier source) {
      this.random = Objects.requireNonNull(source, "source");
      return this;
    }

    /** Returns the configured coordinator, not yet connected. */
    public PatchesSync build() {
      return new PatchesSync(this);
    }
  }
}
