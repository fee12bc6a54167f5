package dev.patchbay.store.sqlite;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.ot.Change;
import dev.patchbay.core.patch.PatchOp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Small helpers shared by the SQLite-specific tests. */
final class Fixtures {
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  private Fixtures() {}

  /** Returns a committed change with one op. */
  static Change change(String id, long rev) {
    return new Change(
        id,
        rev - 1,
        rev,
        List.of(PatchOp.replace("/r" + rev, Json.number(rev))),
        1_799_000_000_000L + rev,
        1_800_000_000_000L + rev,
        null,
        null,
        Map.of());
  }

  /** Waits for a future, failing on timeout; returns its value. */
  static <T> T await(CompletableFuture<T> future) throws Exception {
    try {
      return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("future did not complete within " + TIMEOUT, e);
    }
  }

  /** Waits for a future that must fail; returns the failure. */
  static Throwable failure(CompletableFuture<?> future) throws Exception {
    try {
      future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected the future to fail, but it succeeded");
  }
}
