/** Where other code plugs into the server: connections, message handlers and stores. */
@NullMarked
package dev.patchbay.server.spi;

import org.jspecify.annotations.NullMarked;
