/** Internal to the server: not an API. See {@link dev.patchbay.server.PatchbayServer}. */
@NullMarked
package dev.patchbay.server.patches;

import org.jspecify.annotations.NullMarked;
