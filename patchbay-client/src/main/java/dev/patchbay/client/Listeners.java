package dev.patchbay.client;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A list of listeners that a throwing listener cannot break: each call is isolated and a failure is
 * logged, so the remaining listeners still run.
 */
final class Listeners<L> {
  private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

  private final CopyOnWriteArrayList<L> listeners = new CopyOnWriteArrayList<>();

  Subscription add(L listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  void emit(Consumer<L> call) {
    for (L listener : listeners) {
      try {
        call.accept(listener);
      } catch (RuntimeException | Error e) {
        if (e instanceof VirtualMachineError) {
          throw e;
        }
        LOG.warn("A Patchbay client listener threw; the others still run", e);
      }
    }
  }
}
