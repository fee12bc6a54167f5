package dev.patchbay.server.collections;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.server.spi.AuthResult;
import dev.patchbay.server.spi.Authenticator;
import dev.patchbay.server.spi.Authorizer;
import dev.patchbay.server.spi.Connection;
import dev.patchbay.server.spi.Credentials;
import dev.patchbay.server.spi.Identity;
import dev.patchbay.server.spi.MessageHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the two collection WebSocket dialects share: sessions, and authentication by the token of
 * the upgrade ({@code ?token=} or a {@code token-<TOKEN>} subprotocol) or by a first {@code auth}
 * message. A connection that offered no token must authenticate within the auth timeout; one whose
 * token was refused gets an {@code AUTH_FAILED} error and is closed with 1008. Messages that arrive
 * while an asynchronous authenticator decides wait (at most 64 of them) and run after.
 */
abstract class WsDialect implements MessageHandler {
  private static final Logger log = LoggerFactory.getLogger(WsDialect.class);
  static final int CLOSE_POLICY = 1008;
  private static final int MAX_WAITING = 64;

  /** One connection's state. Guarded by itself. */
  static final class Session {
    final Connection connection;
    @Nullable Identity identity;
    boolean authenticating;
    final ArrayDeque<String> waiting = new ArrayDeque<>();
    final Set<String> subscriptions = ConcurrentHashMap.newKeySet();
    @Nullable ScheduledFuture<?> timer;

    Session(Connection connection) {
      this.connection = connection;
    }
  }

  final CollectionEngine engine;
  final CollectionHub hub;
  final Authenticator authenticator;
  final Authorizer authorizer;
  final ScheduledExecutorService timers;
  final LongSupplier clock;
  private final Duration authTimeout;
  final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();

  WsDialect(
      CollectionEngine engine,
      CollectionHub hub,
      Authenticator authenticator,
      Authorizer authorizer,
      ScheduledExecutorService timers,
      LongSupplier clock,
      Duration authTimeout) {
    this.engine = engine;
    this.hub = hub;
    this.authenticator = authenticator;
    this.authorizer = authorizer;
    this.timers = timers;
    this.clock = clock;
    this.authTimeout = authTimeout;
  }

  /** Sends the dialect's error message. */
  abstract void sendError(
      Connection c, String code, String message, @Nullable String collection, @Nullable String id);

  /** Called once the session is authenticated (by the upgrade or a message). */
  abstract void authenticated(Session s, Identity identity, boolean byMessage);

  /** Handles one message of an authenticated session. */
  abstract void handle(Session s, Identity identity, ObjectNode message, String type);

  /** Returns the token of an {@code auth} message, or {@code null} when it carries none. */
  abstract @Nullable String authToken(ObjectNode message);

  /** Checks the dialect's envelope; returns the type or throws 400 with the reason. */
  abstract String validateEnvelope(ObjectNode message);

  @Override
  public void onOpen(Connection connection) {
    Session s = new Session(connection);
    sessions.put(connection.id(), s);
    AuthResult upgrade = connection.upgradeAuth();
    if (upgrade instanceof AuthResult.Accepted accepted) {
      accept(s, accepted.identity(), false);
    } else if (upgrade instanceof AuthResult.Rejected rejected) {
      refuse(connection, rejected.reason());
    } else {
      schedule(
          s,
          authTimeout,
          () -> {
            synchronized (s) {
              if (s.identity != null) {
                return;
              }
            }
            refuse(connection, "authentication timed out");
          });
    }
  }

  private void refuse(Connection c, String reason) {
    sendError(c, "AUTH_FAILED", reason, null, null);
    c.close(CLOSE_POLICY, "authentication failed");
  }

  private void accept(Session s, Identity identity, boolean byMessage) {
    synchronized (s) {
      s.identity = identity;
      s.authenticating = false;
      ScheduledFuture<?> t = s.timer;
      if (t != null) {
        t.cancel(false);
      }
      s.timer = null;
    }
    Instant expiresAt = identity.expiresAt();
    if (expiresAt != null) {
      schedule(
          s,
          Duration.between(Instant.now(), expiresAt),
          () -> s.connection.close(Identity.CLOSE_TOKEN_EXPIRED, "token expired"));
    }
    authenticated(s, identity, byMessage);
  }

  private void schedule(Session s, Duration delay, Runnable task) {
    try {
      ScheduledFuture<?> f =
          timers.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
      synchronized (s) {
        s.timer = f;
      }
    } catch (RejectedExecutionException shuttingDown) {
      // The server is stopping; the connection goes with it.
    }
  }

  @Override
  public void onMessage(Connection connection, String text) {
    Session s = sessions.get(connection.id());
    if (s == null) {
      return;
    }
    Identity identity;
    synchronized (s) {
      if (s.authenticating) {
        if (s.waiting.size() >= MAX_WAITING) {
          sendError(connection, "RATE_LIMIT_EXCEEDED", "waiting for authentication", null, null);
        } else {
          s.waiting.add(text);
        }
        return;
      }
      identity = s.identity;
    }
    ObjectNode message;
    String type;
    try {
      JsonNode node = Json.parse(text);
      if (!(node instanceof ObjectNode o)) {
        throw new PatchbayException(400, "a message is a JSON object");
      }
      message = o;
      type = validateEnvelope(o);
    } catch (JacksonException | IllegalArgumentException e) {
      sendError(connection, "INVALID_MESSAGE", "malformed JSON", null, null);
      return;
    } catch (PatchbayException e) {
      sendError(connection, "INVALID_MESSAGE", e.getMessage(), null, null);
      return;
    }
    if (identity == null) {
      if (!type.equals("auth")) {
        refuse(connection, "authenticate first");
        return;
      }
      authenticateByMessage(s, message);
      return;
    }
    try {
      handle(s, identity, message, type);
    } catch (PatchbayException e) {
      sendError(connection, code(e), e.getMessage(), null, null);
    } catch (RuntimeException e) {
      log.warn("collection message failed: conn={} {}", connection.id(), e.toString());
      sendError(connection, "SERVER_ERROR", "internal error", null, null);
    }
  }

  private void authenticateByMessage(Session s, ObjectNode message) {
    String token = authToken(message);
    if (token == null || token.isEmpty()) {
      refuse(s.connection, "missing token");
      return;
    }
    synchronized (s) {
      s.authenticating = true;
    }
    try {
      authenticator
          .authenticate(new Credentials(token, s.connection.id()))
          .whenComplete(
              (result, error) -> {
                if (error == null && result instanceof AuthResult.Accepted accepted) {
                  accept(s, accepted.identity(), true);
                  drainWaiting(s);
                } else {
                  synchronized (s) {
                    s.waiting.clear();
                  }
                  refuse(
                      s.connection,
                      result instanceof AuthResult.Rejected r ? r.reason() : "invalid token");
                }
              });
    } catch (RuntimeException e) {
      refuse(s.connection, "authentication failed");
    }
  }

  private void drainWaiting(Session s) {
    while (true) {
      String next;
      synchronized (s) {
        next = s.waiting.poll();
      }
      if (next == null) {
        return;
      }
      onMessage(s.connection, next);
    }
  }

  @Override
  public void onClose(Connection connection) {
    Session s = sessions.remove(connection.id());
    if (s == null) {
      return;
    }
    synchronized (s) {
      if (s.timer != null) {
        s.timer.cancel(false);
      }
    }
    for (String collection : s.subscriptions) {
      hub.unsubscribe(collection, subscriber(s));
    }
  }

  abstract CollectionHub.Subscriber subscriber(Session s);

  /** The wire code of a failure. */
  static String code(Throwable error) {
    Throwable e = error;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof PatchbayException p) {
      return switch (p.code()) {
        case 400, 413 -> "INVALID_MESSAGE";
        case 403 -> "UNAUTHORIZED";
        case 404 -> "RECORD_NOT_FOUND";
        case 429 -> "RATE_LIMIT_EXCEEDED";
        default -> "SERVER_ERROR";
      };
    }
    return "SERVER_ERROR";
  }

  static String message(Throwable error) {
    Throwable e = error;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof PatchbayException p && p.code() < 500) {
      return p.getMessage();
    }
    return e instanceof PatchbayException p && p.code() == 503 ? "server busy" : "internal error";
  }

  static @Nullable String text(ObjectNode o, String field) {
    JsonNode n = o.get(field);
    return n != null && n.isString() ? n.stringValue() : null;
  }
}
