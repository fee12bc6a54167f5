package dev.patchbay.collections.client;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Encryption at rest of stored JSON (records, outbox payloads, kept conflicts): AES-256-GCM with a
 * random 12-byte IV per value, stored as {@code e1:} + base64(IV ‖ ciphertext ‖ 16-byte tag). The
 * associated data binds each value to its row (collection, record id, column), so a value copied to
 * another row fails to decrypt instead of showing up there.
 */
final class AtRest {
  private static final String PREFIX = "e1:";
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final @Nullable SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  private AtRest(byte @Nullable [] key) {
    this.key = key == null ? null : new SecretKeySpec(key, "AES");
  }

  static AtRest plain() {
    return new AtRest(null);
  }

  static AtRest aesGcm(byte[] key) {
    if (key.length != 32) {
      throw new IllegalArgumentException("the encryption key must be 32 bytes, not " + key.length);
    }
    return new AtRest(key.clone());
  }

  /** Encrypts when a key is set; the text as is otherwise. */
  String seal(String json, String aad) {
    if (key == null) {
      return json;
    }
    try {
      byte[] iv = new byte[IV_BYTES];
      random.nextBytes(iv);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
      c.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
      byte[] ct = c.doFinal(json.getBytes(StandardCharsets.UTF_8));
      byte[] out = Arrays.copyOf(iv, IV_BYTES + ct.length);
      System.arraycopy(ct, 0, out, IV_BYTES, ct.length);
      return PREFIX + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new EncryptionException("encryption failed: " + e.getMessage(), e);
    }
  }

  /** Decrypts a sealed value; a plain value is returned as is only when no key is set. */
  String open(String stored, String aad) {
    if (!stored.startsWith(PREFIX)) {
      // Plain JSON (no key, or written before a key was configured: sealed on its next write).
      return stored;
    }
    if (key == null) {
      throw new EncryptionException(
          "the collections store is encrypted: configure the encryption key");
    }
    try {
      byte[] all = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
      if (all.length < IV_BYTES + TAG_BITS / 8) {
        throw new EncryptionException("a stored value is truncated");
      }
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(
          Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, Arrays.copyOf(all, IV_BYTES)));
      c.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
      byte[] plain = c.doFinal(all, IV_BYTES, all.length - IV_BYTES);
      return new String(plain, StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new EncryptionException(
          "a stored value cannot be decrypted (wrong key or changed file)", e);
    }
  }

  @Override
  public String toString() {
    return key == null ? "AtRest[plain]" : "AtRest[AES-256-GCM]"; // never the key
  }
}
