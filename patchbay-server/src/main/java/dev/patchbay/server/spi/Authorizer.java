package dev.patchbay.server.spi;

/**
 * Decides per document what an authenticated {@link Identity} may do. The Patches dialect asks
 * before every call: {@code subscribe} silently leaves out the documents that may not be read,
 * other reads answer 403 {@code READ_FORBIDDEN:<docId>}, writes answer 403 {@code
 * WRITE_FORBIDDEN:<docId>}.
 *
 * <p>Called on I/O threads for every request: implementations must be fast, thread-safe and must
 * not block.
 */
public interface Authorizer {

  /** Returns whether {@code identity} may read document {@code docId}. */
  boolean canRead(Identity identity, String docId);

  /** Returns whether {@code identity} may change or delete document {@code docId}. */
  boolean canWrite(Identity identity, String docId);

  /**
   * Returns the default authorizer: the rights the credential carried, {@link Identity#access()}.
   */
  static Authorizer byIdentity() {
    return IdentityAuthorizer.INSTANCE;
  }
}
