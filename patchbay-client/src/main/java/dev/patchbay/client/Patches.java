package dev.patchbay.client;

import dev.patchbay.client.spi.ClientStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The client's document registry: opens documents, remembers which ones are tracked (kept in sync
 * by a {@link PatchesSync}) and holds the {@link ClientStore} their committed state and pending
 * changes live in. One instance per application (or per user); thread-safe.
 *
 * <p>Each document is {@link Algorithm#OT} unless its id matches one of the last-write-wins
 * patterns given to {@link Builder#lww} (the same globs as the server's {@code --lww}).
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
  private final List<Pattern> lwwPatterns;
  private final Map<String, PatchesDoc> docs = new ConcurrentHashMap<>();
  private final Listeners<Consumer<PatchesDoc>> localChangeListeners = new Listeners<>();
  private final Listeners<Consumer<String>> trackListeners = new Listeners<>();
  private final Listeners<Consumer<String>> untrackListeners = new Listeners<>();
  private final Listeners<Consumer<String>> deleteListeners = new Listeners<>();

  private Patches(ClientStore store, Clock clock, List<String> lwwGlobs) {
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.lwwPatterns = lwwGlobs.stream().map(Patches::glob).toList();
  }

  /** Returns a builder over {@code store}: system clock, every document OT. */
  public static Builder builder(ClientStore store) {
    return new Builder(store);
  }

  /** Returns a registry over {@code store}, stamping changes with the system clock. */
  public static Patches create(ClientStore store) {
    return new Patches(store, Clock.systemUTC(), List.of());
  }

  /**
   * Returns a registry over {@code store}, stamping changes' {@code createdAt} with {@code clock}.
   */
  public static Patches create(ClientStore store, Clock clock) {
    return new Patches(store, clock, List.of());
  }

  /**
   * Returns the algorithm of {@code docId}: {@link Algorithm#LWW} when the id matches a
   * last-write-wins pattern, else {@link Algorithm#OT}.
   */
  public Algorithm algorithmOf(String docId) {
    for (Pattern p : lwwPatterns) {
      if (p.matcher(docId).matches()) {
        return Algorithm.LWW;
      }
    }
    return Algorithm.OT;
  }

  /**
   * Deletes a document locally at once (closed, untracked, its state and unsent changes removed)
   * and leaves a tombstone in the store, so a {@link PatchesSync} deletes it on the server now or
   * on its next connection, also after a restart. Quarantined changes of the document stay.
   */
  public void deleteDoc(String docId) {
    Objects.requireNonNull(docId, "docId");
    store.addTombstone(docId);
    PatchesDoc doc = docs.remove(docId);
    if (doc != null) {
      doc.close();
    }
    deleteListeners.emit(l -> l.accept(docId));
  }

  /** Returns the ids of documents deleted locally whose deletion the server has not confirmed. */
  public Set<String> pendingDeletes() {
    return store.tombstones();
  }

  /**
   * Returns the changes the server rejected for good, oldest first (see {@link QuarantinedChange}).
   * They stay until discarded.
   */
  public List<QuarantinedChange> quarantinedChanges() {
    return store.quarantinedChanges();
  }

  /** Returns the quarantined changes of {@code docId}, oldest first. */
  public List<QuarantinedChange> quarantinedChanges(String docId) {
    List<QuarantinedChange> result = new ArrayList<>();
    for (QuarantinedChange q : store.quarantinedChanges()) {
      if (q.docId().equals(docId)) {
        result.add(q);
      }
    }
    return List.copyOf(result);
  }

  /**
   * Discards a quarantined change for good.
   *
   * @return whether it was quarantined
   */
  public boolean discardQuarantinedChange(String docId, String changeId) {
    return store.discardQuarantined(docId, changeId);
  }

  /**
   * Opens a document and tracks it, so a {@link PatchesSync} subscribes to it and keeps it in sync.
   * Opening an open document returns the same instance. Its state starts from what the store holds.
   * An id deleted with {@link #deleteDoc} starts empty; if the server has deleted it meanwhile, the
   * server refuses its changes and the sync reports it as deleted remotely.
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
        id ->
            new PatchesDoc(
                id,
                algorithmOf(id),
                store,
                clock,
                d -> localChangeListeners.emit(l -> l.accept(d))));
  }

  /** Forgets a deleted document: closed, untracked, and removed from the store. */
  void forget(String docId) {
    PatchesDoc doc = docs.remove(docId);
    if (doc != null) {
      doc.close();
    }
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

  Subscription onDelete(Consumer<String> listener) {
    return deleteListeners.add(listener);
  }

  private static Pattern glob(String glob) {
    Objects.requireNonNull(glob, "pattern");
    if (glob.isEmpty()) {
      throw new IllegalArgumentException("An LWW pattern must not be empty");
    }
    List<String> parts = List.of(glob.split("\\*", -1));
    return Pattern.compile(
        String.join(".*", parts.stream().map(Pattern::quote).toList()), Pattern.DOTALL);
  }

  /** Configures a {@link Patches}. */
  public static final class Builder {
    private final ClientStore store;
    private Clock clock = Clock.systemUTC();
    private final List<String> lww = new ArrayList<>();

    private Builder(ClientStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * Sets the clock that stamps changes ({@code createdAt}) and last-write-wins ops ({@code ts});
     * default the system clock.
     */
    public Builder clock(Clock source) {
      this.clock = Objects.requireNonNull(source, "source");
      return this;
    }

    /**
     * Adds last-write-wins patterns: ids matching one are {@link Algorithm#LWW} documents. A
     * pattern is a glob where {@code *} matches any run of characters, {@code /} included (e.g.
     * {@code settings/*}), exactly as the server's {@code --lww}; give the client the same patterns
     * as the server.
     */
    public Builder lww(String... patterns) {
      for (String p : patterns) {
        glob(p); // fails here, not at build
        lww.add(p);
      }
      return this;
    }

    /** Returns the registry. */
    public Patches build() {
      return new Patches(store, clock, lww);
    }
  }
}
