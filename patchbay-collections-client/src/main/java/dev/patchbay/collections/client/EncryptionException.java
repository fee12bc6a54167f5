package dev.patchbay.collections.client;

import dev.patchbay.core.PatchbayException;

/**
 * A stored value could not be decrypted: a wrong key, or the file was changed outside the client.
 * Code 500.
 */
public final class EncryptionException extends PatchbayException {
  private static final long serialVersionUID = 1L;

  EncryptionException(String message, Throwable cause) {
    super(500, message, cause);
  }

  EncryptionException(String message) {
    super(500, message);
  }
}
