package dev.patchbay.server.collections;

import dev.patchbay.core.PatchbayException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Wire timestamps. Clients send ISO-8601 with or without a zone (Dart's {@code toIso8601String} has
 * none; it is taken as UTC) or epoch milliseconds; the server answers ISO-8601 UTC with
 * milliseconds, {@code 2024-01-01T10:00:00.000Z}.
 */
final class Timestamps {
  private static final DateTimeFormatter OUT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private Timestamps() {}

  /** Formats epoch milliseconds. */
  static String format(long millis) {
    return OUT.format(Instant.ofEpochMilli(millis));
  }

  /**
   * Parses a timestamp node: a string (ISO-8601, zone optional) or a number (epoch milliseconds).
   *
   * @return the epoch milliseconds, or {@code null} for a missing or JSON null node
   * @throws PatchbayException 400 naming {@code field} when it is neither
   */
  static @Nullable Long parse(@Nullable JsonNode node, String field) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return node.longValue();
    }
    if (node.isString()) {
      return parse(node.stringValue(), field);
    }
    throw new PatchbayException(400, field + " must be an ISO-8601 string or epoch milliseconds");
  }

  /** Parses an ISO-8601 string, zone optional (UTC when absent). */
  static long parse(String text, String field) {
    String t = text.strip();
    try {
      if (t.endsWith("Z") || t.endsWith("z")) {
        return Instant.parse(t.substring(0, t.length() - 1) + "Z").toEpochMilli();
      }
      if (t.length() > 10 && (t.lastIndexOf('+') > 10 || t.lastIndexOf('-') > 10)) {
        return OffsetDateTime.parse(t).toInstant().toEpochMilli();
      }
      return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new PatchbayException(400, field + " is not an ISO-8601 timestamp");
    }
  }
}
