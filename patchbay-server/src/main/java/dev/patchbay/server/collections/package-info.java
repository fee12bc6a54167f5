/**
 * Collections of records synced across devices: the SyncLayer-style HTTP contract ({@code
 * /sync/{collection}}), the SyncLayer WebSocket envelope ({@code /sync/ws}) and the Paperlyte notes
 * dialect ({@code /notes/ws}), over one collection engine. A record is a last-write-wins document
 * inside a named collection; every write bumps its version and takes the next position of the
 * collection's change feed. {@link dev.patchbay.server.collections.CollectionService} wires it all;
 * the rest of the package is internal. See {@code docs/collections.md}.
 */
@NullMarked
package dev.patchbay.server.collections;

import org.jspecify.annotations.NullMarked;
