package dev.patchbay.collections.client;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code watch} listeners of a client, called on one thread ({@code patchbay-collwatch-N}),
 * never under the store lock. Changes are coalesced per collection: however many arrive while a
 * delivery is queued, the listeners run once more with the state at that time, so the queue holds
 * at most one task per collection plus one per new listener.
 */
final class Watchers {
  private static final Logger log = LoggerFactory.getLogger(Watchers.class);

  private record Watch(Supplier<List<ObjectNode>> query, Consumer<List<ObjectNode>> listener) {}

  private final ExecutorService thread;
  private final Map<String, List<Watch>> byCollection = new ConcurrentHashMap<>();
  private final Set<String> queued = ConcurrentHashMap.newKeySet();

  Watchers(ExecutorService thread) {
    this.thread = thread;
  }

  Subscription watch(
      String collection, Supplier<List<ObjectNode>> query, Consumer<List<ObjectNode>> listener) {
    Watch w = new Watch(query, listener);
    List<Watch> list = byCollection.computeIfAbsent(collection, c -> new CopyOnWriteArrayList<>());
    list.add(w);
    submit(() -> deliver(w)); // the current state at once
    return () -> list.remove(w);
  }

  /** Tells the listeners of {@code collection} that it changed; cheap when there are none. */
  void changed(String collection) {
    List<Watch> list = byCollection.get(collection);
    if (list == null || list.isEmpty() || !queued.add(collection)) {
      return;
    }
    boolean accepted =
        submit(
            () -> {
              queued.remove(collection); // a change from now on queues another delivery
              for (Watch w : list) {
                deliver(w);
              }
            });
    if (!accepted) {
      queued.remove(collection); // let the next change try again
    }
  }

  private boolean submit(Runnable task) {
    try {
      thread.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      // Closing, or the bounded queue is full of event deliveries.
      return false;
    }
  }

  private static void deliver(Watch w) {
    List<ObjectNode> state;
    try {
      state = w.query().get();
    } catch (RuntimeException e) {
      log.warn("watch: reading the records failed: {}", e.toString());
      return;
    }
    try {
      w.listener().accept(state);
    } catch (RuntimeException e) {
      // A failing listener must not end its stream nor affect the others.
      log.warn("watch listener failed: {}", e.toString(), e);
    }
  }
}
