/**
 * The durable client store: the client's offline default behind {@link
 * dev.patchbay.client.spi.ClientStore}. {@link dev.patchbay.store.sqlite.client.SqliteClientStores}
 * opens it; everything else here is package-private.
 *
 * <p>One SQLite file in WAL mode, its schema kept by its own Flyway migrations ({@code
 * db/client-migration}, apart from the server's {@code db/migration}), so tracked documents,
 * committed state and pending changes survive a restart of the process.
 */
@NullMarked
package dev.patchbay.store.sqlite.client;

import org.jspecify.annotations.NullMarked;
