package dev.patchbay.client.spi;

import java.net.URI;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What one connection attempt opens: the server's address and the headers of the opening handshake.
 * {@code PatchesSync} builds a new one before every attempt, asking its address and token suppliers
 * each time, so a reconnect after a token expired carries a fresh one.
 *
 * @param uri the server's address; {@code null} when the coordinator was given a transport and no
 *     address (the transport knows where to connect)
 * @param headers the handshake headers, e.g. {@code Authorization: Bearer <token>}; copied, so the
 *     record is immutable
 */
public record ConnectRequest(@Nullable URI uri, Map<String, String> headers) {

  /** Validates and copies the headers. */
  public ConnectRequest {
    headers = Map.copyOf(Objects.requireNonNull(headers, "headers"));
  }
}
