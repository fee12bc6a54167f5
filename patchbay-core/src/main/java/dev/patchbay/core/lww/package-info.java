/** See {@link dev.patchbay.core}. */
@NullMarked
package dev.patchbay.core.lww;

import org.jspecify.annotations.NullMarked;
