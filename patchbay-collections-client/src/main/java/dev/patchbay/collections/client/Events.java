package dev.patchbay.collections.client;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event listeners, called in publication order on the watch thread. Publishing never blocks the
 * caller: when listeners fall so far behind that the thread's bounded queue is full, further events
 * are dropped (logged once) rather than stalling sync or local writes.
 */
final class Events {
  private static final Logger log = LoggerFactory.getLogger(Events.class);

  private final Executor thread;
  private final List<Consumer<SyncEvent>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean overflowLogged = new AtomicBoolean();

  Events(Executor thread) {
    this.thread = thread;
  }

  Subscription listen(Consumer<SyncEvent> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  boolean hasListeners() {
    return !listeners.isEmpty();
  }

  void publish(SyncEvent event) {
    if (listeners.isEmpty()) {
      return;
    }
    try {
      thread.execute(
          () -> {
            for (Consumer<SyncEvent> l : listeners) {
              try {
                l.accept(event);
              } catch (RuntimeException e) {
                log.warn("event listener failed: {}", e.toString(), e);
              }
            }
          });
    } catch (RejectedExecutionException e) {
      if (overflowLogged.compareAndSet(false, true)) {
        log.warn("event listeners are too slow: events are being dropped");
      }
    }
  }
}
