package dev.patchbay.server.collections;

import dev.patchbay.server.spi.Connection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Who is subscribed to which collection, in which dialect, and the fan-out of committed writes:
 * each change is encoded at most once per dialect and the same bytes go to every subscriber except
 * the connection the write came from. Subscriptions of both dialects share one map, so a note
 * written through either reaches subscribers of both.
 */
final class CollectionHub implements CollectionEngine.Listener {
  enum Dialect {
    SYNCLAYER,
    NOTES
  }

  record Subscriber(Connection connection, Dialect dialect) {}

  private final ConcurrentHashMap<String, Set<Subscriber>> subscribers = new ConcurrentHashMap<>();
  private final LongSupplier clock;

  CollectionHub(LongSupplier clock) {
    this.clock = clock;
  }

  void subscribe(String collection, Subscriber s) {
    subscribers.computeIfAbsent(collection, c -> ConcurrentHashMap.newKeySet()).add(s);
  }

  boolean unsubscribe(String collection, Subscriber s) {
    Set<Subscriber> set = subscribers.get(collection);
    boolean removed = set != null && set.remove(s);
    if (set != null && set.isEmpty()) {
      subscribers.computeIfPresent(collection, (c, v) -> v.isEmpty() ? null : v);
    }
    return removed;
  }

  @Override
  public void committed(String collection, List<CollectionEngine.Committed> changes) {
    Set<Subscriber> set = subscribers.get(collection);
    if (set == null || set.isEmpty()) {
      return;
    }
    long now = clock.getAsLong();
    for (CollectionEngine.Committed change : changes) {
      byte[] syncLayer = null;
      byte[] notes = null;
      String origin = change.request().originId();
      for (Subscriber s : set) {
        Connection c = s.connection();
        if (c.id().equals(origin)) {
          continue; // never echo a write to its sender
        }
        if (s.dialect() == Dialect.SYNCLAYER) {
          if (syncLayer == null) {
            syncLayer =
                Wire.bytes(
                    Wire.syncLayerChange(change.record(), false, change.request().changeId()));
          }
          c.send(syncLayer);
        } else {
          if (notes == null) {
            notes = Wire.bytes(Wire.notesChange(change.record(), false, now));
          }
          c.send(notes);
        }
      }
    }
  }
}
