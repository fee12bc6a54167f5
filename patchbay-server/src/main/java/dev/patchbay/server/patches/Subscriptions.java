package dev.patchbay.server.patches;

import dev.patchbay.server.spi.Connection;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which connections follow which documents. Thread-safe: subscribes arrive on I/O threads, fan-out
 * reads on document threads. Each side is a concurrent set, so neither blocks the other.
 */
final class Subscriptions {
  private final ConcurrentHashMap<String, Set<Connection>> byDoc = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Connection, Set<String>> byConnection = new ConcurrentHashMap<>();

  void add(Connection c, String docId) {
    byDoc.computeIfAbsent(docId, k -> ConcurrentHashMap.newKeySet()).add(c);
    byConnection.computeIfAbsent(c, k -> ConcurrentHashMap.newKeySet()).add(docId);
  }

  void remove(Connection c, String docId) {
    byDoc.computeIfPresent(docId, (k, set) -> set.remove(c) && set.isEmpty() ? null : set);
    Set<String> docs = byConnection.get(c);
    if (docs != null) {
      docs.remove(docId);
    }
  }

  void removeAll(Connection c) {
    Set<String> docs = byConnection.remove(c);
    if (docs != null) {
      for (String docId : docs) {
        byDoc.computeIfPresent(docId, (k, set) -> set.remove(c) && set.isEmpty() ? null : set);
      }
    }
  }

  Collection<Connection> subscribers(String docId) {
    Set<Connection> set = byDoc.get(docId);
    return set == null ? List.of() : set;
  }
}
