/** Implementation classes of the client. Not API: they may change in any release. */
@NullMarked
package dev.patchbay.client.internal;

import org.jspecify.annotations.NullMarked;
