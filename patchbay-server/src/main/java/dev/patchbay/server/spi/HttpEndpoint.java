package dev.patchbay.server.spi;

import java.util.concurrent.CompletionStage;

/**
 * Serves the HTTP requests under a path prefix (the collections' {@code /sync/...} routes). The
 * transport calls {@link #handle} on an I/O thread: an implementation must not block and must not
 * throw; it hands blocking work to its own executor and completes the stage from there. Requests of
 * one connection are answered in order.
 */
public interface HttpEndpoint {

  /**
   * Handles one request.
   *
   * @return a stage completing with the answer; a stage that fails is answered 500
   */
  CompletionStage<HttpReply> handle(HttpCall call);
}
