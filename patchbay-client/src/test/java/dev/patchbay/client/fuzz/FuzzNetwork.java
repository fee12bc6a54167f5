package dev.patchbay.client.fuzz;

import dev.patchbay.client.spi.Transport;
import dev.patchbay.client.spi.TransportConnection;
import dev.patchbay.client.spi.TransportListener;
import dev.patchbay.core.json.Json;
import dev.patchbay.server.spi.Connection;
import dev.patchbay.server.spi.MessageHandler;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * In-memory sockets between fuzz clients and the server's message handler, in the style of tldraw's
 * test socket pair: every connection has an explicit message queue per direction, and nothing moves
 * until the driver delivers a message. Messages about different documents may be delivered out of
 * order (the server works on documents in parallel shards, so neither direction orders them);
 * everything else keeps the socket's order.
 */
final class FuzzNetwork {
  private final MessageHandler handler;
  private final List<Link> links = new ArrayList<>();
  private final Map<Integer, Boolean> reachable = new HashMap<>();
  private int connections;

  /** One message in flight: its text and what the driver needs to know about it. */
  record Message(String text, String method, @Nullable String docId, @Nullable Long id) {
    boolean isRequest() {
      return id != null && !method.isEmpty();
    }

    String describe() {
      return (method.isEmpty() ? "answer" : method)
          + (id == null ? "" : " #" + id)
          + (docId == null ? "" : " " + docId);
    }
  }

  FuzzNetwork(MessageHandler handler) {
    this.handler = handler;
  }

  /** Returns a transport for client {@code client}; it connects only while the client is online. */
  Transport transport(int client) {
    reachable.putIfAbsent(client, true);
    return (request, listener) -> connect(client, listener);
  }

  void setReachable(int client, boolean online) {
    reachable.put(client, online);
  }

  boolean isReachable(int client) {
    return reachable.getOrDefault(client, true);
  }

  private CompletableFuture<TransportConnection> connect(int client, TransportListener listener) {
    if (!isReachable(client)) {
      return CompletableFuture.failedFuture(new ConnectException("client " + client + " offline"));
    }
    Link link = new Link(client, ++connections, listener);
    links.add(link);
    handler.onOpen(link.server);
    return CompletableFuture.completedFuture(link.client);
  }

  /** Returns the open links, oldest first. */
  List<Link> openLinks() {
    List<Link> open = new ArrayList<>();
    for (Link l : links) {
      if (l.open) {
        open.add(l);
      }
    }
    return open;
  }

  /** Returns the open link of {@code client}, or {@code null}. */
  @Nullable Link linkOf(int client) {
    for (Link l : links) {
      if (l.open && l.clientIndex == client) {
        return l;
      }
    }
    return null;
  }

  /** Returns whether any message is in flight. */
  boolean idle() {
    for (Link l : links) {
      if (l.open && (!l.toServer.isEmpty() || !l.toClient.isEmpty())) {
        return false;
      }
    }
    return true;
  }

  /** One connection: a server-side {@link Connection}, a client-side one, and two queues. */
  final class Link {
    final int clientIndex;
    final int number;
    final TransportListener listener;
    final List<Message> toServer = new ArrayList<>();
    final List<Message> toClient = new ArrayList<>();
    final Map<Long, String> requestDocs = new HashMap<>();
    boolean open = true;

    final Connection server =
        new Connection() {
          @Override
          public String id() {
            return "c" + clientIndex + "-" + number;
          }

          @Override
          public void send(String text) {
            if (open) {
              toClient.add(inbound(text));
            }
          }

          @Override
          public void send(byte[] utf8Text) {
            send(new String(utf8Text, StandardCharsets.UTF_8));
          }

          @Override
          public boolean isWritable() {
            return true;
          }

          @Override
          public void close(int code, String reason) {
            drop(code, reason);
          }

          @Override
          public boolean isOpen() {
            return open;
          }
        };

    final TransportConnection client =
        new TransportConnection() {
          @Override
          public boolean send(String text) {
            if (!open) {
              return false;
            }
            toServer.add(outbound(text));
            return true;
          }

          @Override
          public void close() {
            if (open) {
              open = false;
              discard();
              handler.onClose(server);
            }
          }
        };

    Link(int clientIndex, int number, TransportListener listener) {
      this.clientIndex = clientIndex;
      this.number = number;
      this.listener = listener;
    }

    private Message outbound(String text) {
      JsonNode tree = Json.MAPPER.readTree(text);
      String method = tree.path("method").asString("");
      JsonNode first = tree.path("params").path(0);
      String docId = first.isString() ? first.stringValue() : null;
      Long id = tree.path("id").isIntegralNumber() ? tree.path("id").longValue() : null;
      if (id != null) {
        requestDocs.put(id, docId);
      }
      return new Message(text, method, docId, id);
    }

    private Message inbound(String text) {
      JsonNode tree = Json.MAPPER.readTree(text);
      String method = tree.path("method").asString("");
      Long id = tree.path("id").isIntegralNumber() ? tree.path("id").longValue() : null;
      String docId;
      if (id != null) {
        docId = requestDocs.get(id);
      } else {
        JsonNode d = tree.path("params").path("docId");
        docId = d.isString() ? d.stringValue() : null;
      }
      return new Message(text, method, docId, id);
    }

    /**
     * Returns the indexes of the messages in {@code queue} that may be delivered next: the head,
     * and every later message about a document no earlier message is about (and that no earlier
     * message about all documents, such as {@code subscribe}, precedes).
     */
    List<Integer> deliverable(List<Message> queue) {
      List<Integer> result = new ArrayList<>();
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (int i = 0; i < queue.size(); i++) {
        Message m = queue.get(i);
        if (i == 0) {
          result.add(0);
        } else if (m.docId() != null && !seen.contains(m.docId())) {
          result.add(i);
        }
        if (m.docId() == null) {
          break;
        }
        seen.add(m.docId());
      }
      return result;
    }

    /** Delivers message {@code index} of the client-to-server queue to the server. */
    Message deliverToServer(int index) {
      Message m = toServer.remove(index);
      handler.onMessage(server, m.text());
      return m;
    }

    /** Delivers message {@code index} of the server-to-client queue to the client. */
    Message deliverToClient(int index) {
      Message m = toClient.remove(index);
      listener.onText(m.text());
      return m;
    }

    /** The network drops the connection: both ends hear of it, messages in flight are lost. */
    void drop(int code, String reason) {
      if (!open) {
        return;
      }
      open = false;
      discard();
      handler.onClose(server);
      listener.onClosed(code, reason);
    }

    private void discard() {
      toServer.clear();
      toClient.clear();
    }

    @Override
    public String toString() {
      return server.id();
    }
  }
}
