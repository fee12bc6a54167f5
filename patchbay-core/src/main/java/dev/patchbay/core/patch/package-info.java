/** See {@link dev.patchbay.core}. */
@NullMarked
package dev.patchbay.core.patch;

import org.jspecify.annotations.NullMarked;
