/**
 * The SQLite store: the embedded default behind the server's storage SPI. {@link
 * dev.patchbay.store.sqlite.SqliteStores} configures and opens it; everything else here is
 * package-private.
 *
 * <p>One database file in WAL mode under a data directory, its schema kept by Flyway migrations
 * ({@code db/migration}). Writes go through one bounded queue to one writer thread that commits
 * every queued write in one transaction (group commit), so durability costs one fsync per batch,
 * not per write. Reads run on a small pool of read connections, concurrently with the writer.
 */
@NullMarked
package dev.patchbay.store.sqlite;

import org.jspecify.annotations.NullMarked;
