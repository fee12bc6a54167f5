package dev.patchbay.server.auth;

import dev.patchbay.server.spi.AuthResult;
import dev.patchbay.server.spi.Authenticator;
import dev.patchbay.server.spi.Credentials;
import dev.patchbay.server.spi.DocAccess;
import dev.patchbay.server.spi.Identity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Static tokens from a file (see {@link Authenticators#tokenFile(Path)}). Only SHA-256 digests of
 * the tokens are kept in memory, and lookups go by digest, so comparing does not leak a token's
 * prefix through timing.
 */
final class TokenFileAuthenticator implements Authenticator {
  private static final int MIN_TOKEN_CHARS = 16;

  private final Map<String, Identity> byDigest;

  private TokenFileAuthenticator(Map<String, Identity> byDigest) {
    this.byDigest = Map.copyOf(byDigest);
  }

  static TokenFileAuthenticator load(Path file) {
    String text = new String(Authenticators.read(file, "token-file"), StandardCharsets.UTF_8);
    Map<String, Identity> tokens = new HashMap<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = "token-file line " + (i + 1) + ": ";
      String[] fields = line.split("\\s+");
      String token = fields[0];
      if (token.length() < MIN_TOKEN_CHARS) {
        throw Authenticators.invalid(where + "a token must be at least 16 characters");
      }
      List<String> read = new ArrayList<>();
      List<String> write = new ArrayList<>();
      String subject = "token-line-" + (i + 1);
      for (int f = 1; f < fields.length; f++) {
        String field = fields[f];
        if (field.startsWith("read=")) {
          read.addAll(patterns(field.substring(5)));
        } else if (field.startsWith("write=")) {
          write.addAll(patterns(field.substring(6)));
        } else if (field.startsWith("sub=") && field.length() > 4) {
          subject = field.substring(4);
        } else {
          // The field is not echoed: a mistyped line may hold a second token.
          throw Authenticators.invalid(
              where + "field " + (f + 1) + " is not read=, write= or sub=");
        }
      }
      DocAccess access = new DocAccess(read, write);
      if (access.isEmpty()) {
        throw Authenticators.invalid(where + "the token grants no rights (add read= or write=)");
      }
      if (tokens.put(digest(token), new Identity(subject, Map.of(), access, null)) != null) {
        throw Authenticators.invalid(where + "the same token appears twice");
      }
    }
    return new TokenFileAuthenticator(tokens);
  }

  private static List<String> patterns(String list) {
    List<String> out = new ArrayList<>();
    for (String p : list.split(",")) {
      if (!p.isEmpty()) {
        out.add(p);
      }
    }
    return out;
  }

  @Override
  public CompletionStage<AuthResult> authenticate(Credentials credentials) {
    String token = credentials.token();
    if (token == null) {
      return CompletableFuture.completedFuture(AuthResult.unauthorized("missing token"));
    }
    Identity identity = byDigest.get(digest(token));
    return CompletableFuture.completedFuture(
        identity == null ? AuthResult.unauthorized("invalid token") : AuthResult.accept(identity));
  }

  private static String digest(String token) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
