/**
 * Patchbay core: the pure algorithms that the server and the client share. Nothing here does I/O;
 * every function takes immutable values and returns new ones.
 *
 * <ul>
 *   <li>{@link dev.patchbay.core.json} JSON helpers (equality by value, copies, the mapper);
 *   <li>{@link dev.patchbay.core.patch} JSON Pointer and JSON Patch with the Patches extensions:
 *       apply, transform, invert, compose;
 *   <li>{@link dev.patchbay.core.text} the rich-text Delta behind the {@code @txt} op;
 *   <li>{@link dev.patchbay.core.ot} the change model and the OT sync walks (server commit
 *       transform, client rebase, batching);
 *   <li>{@link dev.patchbay.core.lww} last-write-wins consolidation;
 *   <li>{@link dev.patchbay.core.rpc} JSON-RPC 2.0 envelopes and their codec.
 * </ul>
 */
@NullMarked
package dev.patchbay.core;

import org.jspecify.annotations.NullMarked;
