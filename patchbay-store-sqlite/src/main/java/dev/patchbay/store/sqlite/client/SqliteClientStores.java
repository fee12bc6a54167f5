package dev.patchbay.store.sqlite.client;

import dev.patchbay.client.spi.ClientStore;
import dev.patchbay.core.PatchbayException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Opens durable client stores on SQLite.
 *
 * <pre>{@code
 * Patches patches = Patches.create(SqliteClientStores.open(Path.of("client-data")));
 * }</pre>
 *
 * <p>The store keeps one file, {@value #DEFAULT_FILE_NAME} by default, in the given directory
 * (created if missing), and migrates its schema on open. Every method is one SQLite transaction,
 * committed with {@code synchronous=FULL} before it returns, so an edit the client accepted
 * survives a crash of the process or the machine. One process should open a file at a time; close
 * the store (or {@code Patches.close()}) to release it.
 */
public final class SqliteClientStores {
  /** The file name {@link #open(Path)} uses. */
  public static final String DEFAULT_FILE_NAME = "patchbay-client.db";

  private SqliteClientStores() {}

  /**
   * Opens (creating if needed) the store {@value #DEFAULT_FILE_NAME} in {@code directory}.
   *
   * @throws PatchbayException with code 500 when the directory or the database cannot be opened or
   *     migrated
   */
  public static ClientStore open(Path directory) {
    return open(directory, DEFAULT_FILE_NAME);
  }

  /**
   * Opens (creating if needed) the store {@code fileName} in {@code directory}, for several clients
   * sharing a directory.
   *
   * @throws IllegalArgumentException when {@code fileName} is not a plain file name
   * @throws PatchbayException with code 500 when the directory or the database cannot be opened or
   *     migrated
   */
  public static ClientStore open(Path directory, String fileName) {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(fileName, "fileName");
    if (fileName.isEmpty() || fileName.contains("/") || fileName.contains("\\")) {
      throw new IllegalArgumentException("fileName must be a plain file name: " + fileName);
    }
    return SqliteClientStore.open(directory.resolve(fileName));
  }
}
