/** See {@link dev.patchbay.core}. */
@NullMarked
package dev.patchbay.core.rpc;

import org.jspecify.annotations.NullMarked;
