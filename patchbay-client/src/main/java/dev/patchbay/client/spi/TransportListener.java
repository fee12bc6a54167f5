package dev.patchbay.client.spi;

/**
 * Receives what a {@link TransportConnection} delivers. Calls for one connection never overlap and
 * arrive in order; after {@link #onClosed} or {@link #onError} no further call arrives. A listener
 * must not block: the client hands the work to its own thread.
 */
public interface TransportListener {

  /** Called with one complete text message. */
  void onText(String text);

  /** Called once when the connection closed, with the close code and reason. */
  void onClosed(int code, String reason);

  /** Called once when the connection failed. */
  void onError(Throwable error);
}
