/** See {@link dev.patchbay.core}. */
@NullMarked
package dev.patchbay.core.ot;

import org.jspecify.annotations.NullMarked;
