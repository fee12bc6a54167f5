/** See {@link dev.patchbay.core}. */
@NullMarked
package dev.patchbay.core.text;

import org.jspecify.annotations.NullMarked;
