/**
 * The Patchbay Java client: {@link dev.patchbay.client.Patches} opens documents and keeps their
 * committed state and pending changes in a client store, {@link dev.patchbay.client.PatchesDoc} is
 * one document (local edits apply at once and queue for the server), and {@link
 * dev.patchbay.client.PatchesSync} keeps the documents in sync with a Patches-protocol server.
 */
@NullMarked
package dev.patchbay.client;

import org.jspecify.annotations.NullMarked;
