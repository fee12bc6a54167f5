/**
 * The collections client: local-first records (SyncLayer-style) kept in a SQLite file, changes
 * queued in a durable outbox and pushed over HTTP, remote changes pulled by cursor with tombstones,
 * and conflicts settled by a {@link dev.patchbay.collections.client.ConflictStrategy}. Start with
 * {@link dev.patchbay.collections.client.CollectionsClient#builder()}.
 */
@NullMarked
package dev.patchbay.collections.client;

import org.jspecify.annotations.NullMarked;
