package dev.patchbay.collections.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's after-commit tasks: what reports stored state runs only once it is durable. */
class LocalStoreTest {
  @TempDir Path tmp;

  @Test
  void afterCommit_insideATransaction_runsOnceTheOutermostCommits() {
    List<String> log = new ArrayList<>();
    try (LocalStore store = LocalStore.open(tmp)) {
      store.transaction(
          () -> {
            store.afterCommit(() -> log.add("outer"));
            store.transaction(
                () -> {
                  store.afterCommit(() -> log.add("inner"));
                  return null;
                });
            log.add("still in the transaction");
            return null;
          });
      assertThat(log).containsExactly("still in the transaction", "outer", "inner");
    }
  }

  @Test
  void afterCommit_transactionRolledBack_neverRuns() {
    List<String> log = new ArrayList<>();
    try (LocalStore store = LocalStore.open(tmp)) {
      assertThatThrownBy(
              () ->
                  store.transaction(
                      () -> {
                        store.afterCommit(() -> log.add("rolled back"));
                        throw new IllegalStateException("boom");
                      }))
          .hasMessage("boom");
      store.transaction(() -> null);
      assertThat(log).isEmpty();
    }
  }

  @Test
  void afterCommit_outsideATransaction_runsAtOnce() {
    List<String> log = new ArrayList<>();
    try (LocalStore store = LocalStore.open(tmp)) {
      store.afterCommit(() -> log.add("now"));
      assertThat(log).containsExactly("now");
    }
  }
}
