package dev.patchbay.server.collections;

import dev.patchbay.core.PatchbayException;
import java.util.regex.Pattern;

/** What collection names and record ids may be. */
final class Names {
  /** A path segment and a doc-id prefix: no slash, no space, nothing to escape. */
  private static final Pattern COLLECTION = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

  static final int MAX_RECORD_ID = 256;

  private Names() {}

  static boolean isCollection(String name) {
    return COLLECTION.matcher(name).matches();
  }

  static String requireCollection(String name) {
    if (!isCollection(name)) {
      throw new PatchbayException(
          400, "collection must be 1 to 128 letters, digits, '_', '.' or '-'");
    }
    return name;
  }

  static boolean isRecordId(String id) {
    if (id.isEmpty() || id.length() > MAX_RECORD_ID) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char ch = id.charAt(i);
      if (ch < 0x20 || ch == 0x7f || ch == '/') {
        return false;
      }
    }
    return true;
  }

  static String requireRecordId(String id) {
    if (!isRecordId(id)) {
      throw new PatchbayException(
          400, "recordId must be 1 to 256 characters without '/' or control characters");
    }
    return id;
  }

  /** The document id access rules see for a record. */
  static String docId(String collection, String recordId) {
    return collection + "/" + recordId;
  }

  /** The document id access rules see for the whole collection (reads, subscriptions). */
  static String collectionDocId(String collection) {
    return collection + "/*";
  }
}
