package dev.patchbay.server.transport;

import java.time.Duration;

/** What the status page and the health check show. Supplied fresh for every request. */
public record StatusPage(String version, Duration uptime, int documents, int connections) {

  /** Renders the small HTML status page served at {@code /}. */
  String html() {
    long s = uptime.toSeconds();
    String up =
        String.format("%dd %02d:%02d:%02d", s / 86_400, (s / 3_600) % 24, (s / 60) % 60, s % 60);
    return "<!doctype html><html><head><meta charset=\"utf-8\"><title>Patchbay</title>"
        + "<style>body{font:15px system-ui,sans-serif;margin:2em}td{padding:.2em 1em .2em 0}</style>"
        + "</head><body><h1>Patchbay</h1><table>"
        + row("Version", version)
        + row("Uptime", up)
        + row("Documents loaded", Integer.toString(documents))
        + row("Connections", Integer.toString(connections))
        + "</table><p>WebSocket endpoint: <code>/ws</code> (Patches JSON-RPC). Health: "
        + "<code>/healthz</code>.</p></body></html>";
  }

  private static String row(String name, String value) {
    return "<tr><td>" + name + "</td><td>" + escape(value) + "</td></tr>";
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
