/**
 * Where other code plugs into the client: the client store ({@link
 * dev.patchbay.client.spi.ClientStore}), the transport ({@link dev.patchbay.client.spi.Transport})
 * and the timer ({@link dev.patchbay.client.spi.Scheduler}).
 */
@NullMarked
package dev.patchbay.client.spi;

import org.jspecify.annotations.NullMarked;
