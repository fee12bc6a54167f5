/** See {@link dev.patchbay.core}. */
@NullMarked
package dev.patchbay.core.json;

import org.jspecify.annotations.NullMarked;
