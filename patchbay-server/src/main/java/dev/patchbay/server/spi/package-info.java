/**
 * The storage SPI of the sync server: what the engine needs from a store, and the contract every
 * implementation keeps (in-memory, SQLite, PostgreSQL).
 *
 * <p>{@link dev.patchbay.server.spi.DocStore} is the whole store; it is split into the roles the
 * engine uses: the OT change log ({@link dev.patchbay.server.spi.ChangeStore}), versions ({@link
 * dev.patchbay.server.spi.VersionStore}), last-write-wins documents ({@link
 * dev.patchbay.server.spi.LwwStore}) and tombstones ({@link
 * dev.patchbay.server.spi.TombstoneStore}). Reads are synchronous and return what is durable;
 * writes return a future that completes only once the write is durable. The values exchanged are
 * immutable records; {@code JsonNode} trees given to or returned by a store are treated as
 * immutable and must not be mutated.
 */
@NullMarked
package dev.patchbay.server.spi;

import org.jspecify.annotations.NullMarked;
