/**
 * Store implementations that ship with the server. {@link dev.patchbay.server.store.DocStores}
 * creates them; the classes behind it are package-private.
 */
@NullMarked
package dev.patchbay.server.store;

import org.jspecify.annotations.NullMarked;
