package dev.patchbay.server.collections;

import dev.patchbay.server.metrics.PatchbayMetrics;
import dev.patchbay.server.spi.Authenticator;
import dev.patchbay.server.spi.Authorizer;
import dev.patchbay.server.spi.CollectionStore;
import dev.patchbay.server.spi.HttpEndpoint;
import dev.patchbay.server.spi.MessageHandler;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collections on a Patchbay server: the collection engine over a {@link CollectionStore} and its
 * three fronts, the SyncLayer HTTP contract ({@link #httpEndpoint()}, served under {@code /sync/}),
 * the SyncLayer WebSocket envelope ({@link #syncLayerHandler()}, {@code /sync/ws}) and the
 * Paperlyte notes dialect ({@link #notesHandler()}, {@code /notes/ws}). All three share one engine
 * and one subscription hub, so a write through any of them reaches subscribers of both dialects.
 *
 * <p>Thread-safe. {@link #close()} lets queued writes finish, then stops the executors; the store
 * is not closed (it belongs to the caller).
 */
public final class CollectionService implements AutoCloseable {

  /**
   * Settings of the collection engine.
   *
   * @param rules settings {@code <collection pattern>=<lww|server-wins|reject>}; first match wins,
   *     {@code lww} otherwise
   * @param shards the number of collection executors
   * @param maxRecordBytes the largest record (its data as JSON) a write may store
   * @param authTimeout how long a WebSocket that offered no token has to send its {@code auth}
   * @param changeIdRetention how long applied change ids are remembered for deduplication
   * @param tombstoneRetention how long tombstones are kept before the hourly purge removes them
   *     ({@link Duration#ZERO}: forever)
   */
  public record Settings(
      List<String> rules,
      int shards,
      int maxRecordBytes,
      Duration authTimeout,
      Duration changeIdRetention,
      Duration tombstoneRetention) {
    /** Validates the settings and copies the rules. */
    public Settings {
      rules = List.copyOf(rules);
      CollectionRules.parse(rules);
      if (shards < 1) {
        throw new IllegalArgumentException("shards must be at least 1");
      }
      if (maxRecordBytes < 1024) {
        throw new IllegalArgumentException("max-record-bytes must be at least 1024");
      }
      Objects.requireNonNull(authTimeout, "authTimeout");
      Objects.requireNonNull(changeIdRetention, "changeIdRetention");
      if (tombstoneRetention.isNegative()) {
        throw new IllegalArgumentException("tombstone retention must not be negative");
      }
    }
  }

  private static final Logger log = LoggerFactory.getLogger(CollectionService.class);

  private final CollectionStore store;
  private final LongSupplier clock;
  private final CollectionEngine engine;
  private final ScheduledThreadPoolExecutor timers;
  private final SyncHttpEndpoint http;
  private final SyncLayerHandler syncLayer;
  private final NotesHandler notes;

  /**
   * Creates the service; {@code authenticator} checks every HTTP request's Bearer token and every
   * WebSocket's {@code auth} message, {@code authorizer} every read and write.
   */
  public CollectionService(
      CollectionStore store,
      Settings settings,
      Authenticator authenticator,
      Authorizer authorizer,
      LongSupplier clock) {
    this(store, settings, authenticator, authorizer, clock, null);
  }

  /**
   * Creates the service and counts every write's outcome in {@code metrics} ({@code
   * patchbay_collection_writes_total{result}}) when given.
   */
  public CollectionService(
      CollectionStore store,
      Settings settings,
      Authenticator authenticator,
      Authorizer authorizer,
      LongSupplier clock,
      @Nullable PatchbayMetrics metrics) {
    this.store = store;
    this.clock = clock;
    CollectionHub hub = new CollectionHub(clock);
    this.engine =
        new CollectionEngine(
            store,
            CollectionRules.parse(settings.rules()),
            new CollectionEngine.Settings(
                settings.shards(),
                10_000,
                settings.maxRecordBytes(),
                settings.changeIdRetention().toMillis()),
            hub,
            clock,
            metrics == null ? result -> {} : metrics::collectionWrite);
    this.timers =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "patchbay-collection-timer-0");
              t.setDaemon(true);
              return t;
            });
    timers.setRemoveOnCancelPolicy(true);
    this.http = new SyncHttpEndpoint(engine, authenticator, authorizer);
    this.syncLayer =
        new SyncLayerHandler(
            engine, hub, authenticator, authorizer, timers, clock, settings.authTimeout());
    this.notes =
        new NotesHandler(
            engine, hub, authenticator, authorizer, timers, clock, settings.authTimeout());
    long retention = settings.tombstoneRetention().toMillis();
    if (retention > 0) {
      timers.scheduleWithFixedDelay(
          () -> {
            try {
              int removed =
                  purgeTombstones(clock.getAsLong() - retention).get(10, TimeUnit.MINUTES);
              if (removed > 0) {
                log.info("event=purge-tombstones removed={}", removed);
              }
            } catch (Exception e) {
              // Logged and tried again at the next period; a failed purge loses nothing.
              log.warn("tombstone purge failed: {}", e.toString());
            }
          },
          1,
          60,
          TimeUnit.MINUTES);
    }
  }

  /**
   * Removes, in every collection, the tombstones whose timestamp is before {@code deletedBefore}
   * (epoch milliseconds). Each collection's purge runs in its mailbox, between writes. Clients
   * whose cursor is older than a purged tombstone are told to pull everything again (HTTP 410
   * {@code CURSOR_EXPIRED}, a {@code sync} with {@code reset}, {@code sync_required}). Runs hourly
   * with the configured retention; call it to purge now. Blocks reading the collection names, so
   * never call it on an event loop.
   *
   * @return a future completed with the number of tombstones removed
   */
  public CompletableFuture<Integer> purgeTombstones(long deletedBefore) {
    CompletableFuture<Integer> total = CompletableFuture.completedFuture(0);
    for (String collection : store.collectionNames()) {
      CompletableFuture<Integer> one =
          engine.read(collection, st -> st.purgeTombstones(collection, deletedBefore).join());
      total = total.thenCombine(one, Integer::sum);
    }
    return total;
  }

  /** Returns the handler of the {@code /sync/} HTTP routes. */
  public HttpEndpoint httpEndpoint() {
    return http;
  }

  /** Returns the handler of SyncLayer-envelope WebSocket connections ({@code /sync/ws}). */
  public MessageHandler syncLayerHandler() {
    return syncLayer;
  }

  /** Returns the handler of Paperlyte notes WebSocket connections ({@code /notes/ws}). */
  public MessageHandler notesHandler() {
    return notes;
  }

  /** Returns the conflict rule of a collection, by the configured patterns. */
  public ConflictRule ruleFor(String collection) {
    return engine.ruleFor(collection);
  }

  /** Finishes queued writes and stops the executors. Idempotent. */
  @Override
  public void close() {
    timers.shutdownNow();
    engine.close();
    try {
      timers.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
