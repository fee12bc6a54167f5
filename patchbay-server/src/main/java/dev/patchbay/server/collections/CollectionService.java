package dev.patchbay.server.collections;

import dev.patchbay.server.spi.Authenticator;
import dev.patchbay.server.spi.Authorizer;
import dev.patchbay.server.spi.CollectionStore;
import dev.patchbay.server.spi.HttpEndpoint;
import dev.patchbay.server.spi.MessageHandler;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

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
   */
  public record Settings(
      List<String> rules,
      int shards,
      int maxRecordBytes,
      Duration authTimeout,
      Duration changeIdRetention) {
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
    }
  }

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
            clock);
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
