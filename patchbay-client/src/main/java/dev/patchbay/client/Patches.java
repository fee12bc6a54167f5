package dev.patchbay.client;

import dev.patchbay.client.spi.ClientStore;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The client's document registry: opens documents, remembers which ones are tracked (kept in sync
 * by a {@link PatchesSync}) and holds the {@link ClientStore} their committed state and pending
 * changes live in. One instance per application (or per user); thread-safe.
 *
 * <pre>{@code
 * Patches patches = Patches.create(ClientStores.inMemory());
 * PatchesDoc doc = patches.openDoc("notes/1");
 * doc.change(p -> p.replace("/title", "Hello"));
 * }</pre>
 */
public final class Patches implements AutoCloseable {
  private final ClientStore store;
  private final Clock clock;
  private final Map<String, PatchesDoc> docs = new ConcurrentHashMap<>();
  private final Listeners<Consumer<PatchesDoc>> localChangeListeners = new Listeners<>();
  private final Listeners<Consumer<String>> trackListeners = new Listeners<>();
  private final Listeners<Consumer<String>> untrackListeners = new Listeners<>();

  private Patches(ClientStore store, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Returns a registry over {@code store}, stamping changes with the system clock. */
  public static Patches create(ClientStore store) {
    return new Patches(store, Clock.systemUTC());
  }

  /**
   * Returns a registry over {@code store}, stamping changes' {@code createdAt} with {@code clock}.
   */
  public static Patches create(ClientStore store, Clock clock) {
    return new Patches(store, clock);
  }

  /**
   * Opens a document and tracks it, so a {@link PatchesSync} subscribes to it and keeps it in sync.
   * Opening an open document returns the same instance. Its state starts from what the store holds.
   */
  public PatchesDoc openDoc(String docId) {
    Objects.requireNonNull(docId, "docId");
    if (docId.isEmpty()) {
      throw new IllegalArgumentException("docId must not be empty");
    }
    boolean newlyTracked = !store.isTracked(docId);
    if (newlyTracked) {
      store.trackDocs(List.of(docId));
    }
    PatchesDoc doc = doc(docId);
    if (newlyTracked) {
      trackListeners.emit(l -> l.accept(docId));
    }
    return doc;
  }

  /** Returns the open document {@code docId}, or {@code null} when it is not open. */
  public @Nullable PatchesDoc getOpenDoc(String docId) {
    return docs.get(docId);
  }

  /**
   * Stops tracking {@code docId}: it is no longer kept in sync. Its stored data and pending changes
   * stay in the store and are picked up when it is opened again.
   */
  public void untrackDoc(String docId) {
    store.untrackDocs(List.of(docId));
    docs.remove(docId);
    untrackListeners.emit(l -> l.accept(docId));
  }

  /** Returns the ids of the tracked documents. */
  public Set<String> trackedDocs() {
    return store.trackedDocs();
  }

  /** Returns whether {@code docId} is tracked. */
  public boolean isTracked(String docId) {
    return store.isTracked(docId);
  }

  /** Returns the store the documents live in. */
  public ClientStore store() {
    return store;
  }

  /** Closes the store. Open documents must not be used afterwards. */
  @Override
  public void close() {
    store.close();
  }

  /** Returns the document, loading it from the store if it is not open (used by the sync). */
  PatchesDoc doc(String docId) {
    return docs.computeIfAbsent(
        docId,
        id -> new PatchesDoc(id, store, clock, d -> localChangeListeners.emit(l -> l.accept(d))));
  }

  /** Forgets a deleted document: closed, untracked, and removed from the store. */
  void forget(String docId) {
    docs.remove(docId);
    store.deleteDoc(docId);
  }

  Subscription onLocalChange(Consumer<PatchesDoc> listener) {
    return localChangeListeners.add(listener);
  }

  Subscription onTrack(Consumer<String> listener) {
    return trackListeners.add(listener);
  }

  Subscription onUntrack(Consumer<String> listener) {
    return untrackListeners.add(listener);
  }
}
