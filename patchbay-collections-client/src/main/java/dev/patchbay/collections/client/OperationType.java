package dev.patchbay.collections.client;

/** The kind of a queued change, and the request that pushes it. */
public enum OperationType {
  /** A new record: {@code POST /sync/{c}} with the whole record. */
  INSERT,
  /** A whole-record replacement ({@code save} of an existing record): {@code POST /sync/{c}}. */
  UPDATE,
  /** A field-level change ({@code update}): {@code PATCH /sync/{c}/{id}} with only the fields. */
  PATCH,
  /** A soft delete: {@code DELETE /sync/{c}/{id}}. */
  DELETE
}
