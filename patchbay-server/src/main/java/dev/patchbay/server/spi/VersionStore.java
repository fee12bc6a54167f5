package dev.patchbay.server.spi;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Versions of a document: snapshots of its state plus the grouping of its history. Cold loads start
 * from the newest {@link VersionOrigin#MAIN main} version at or below the head ({@link
 * #latestMainVersion}), so creating versions is what bounds the replay of the change log.
 */
public interface VersionStore {

  /**
   * Stores a version with the document state at its {@code endRev}.
   *
   * <p>The future fails with a 409 {@link dev.patchbay.core.PatchbayException} when the document
   * already has a version with that id; nothing is written then.
   *
   * @param docId the document
   * @param version the version's metadata
   * @param state the document state at {@code version.endRev()} (a JSON null for an empty doc)
   * @return a future completed once the version is durable
   */
  CompletableFuture<Void> createVersion(String docId, VersionMetadata version, JsonNode state);

  /**
   * Lists versions of a document as the query orders, filters and limits them.
   *
   * @param docId the document
   * @param query order, cursors, filters and limit
   * @return the versions, possibly empty; an unmodifiable list
   */
  List<VersionMetadata> listVersions(String docId, VersionQuery query);

  /**
   * Returns a version's metadata.
   *
   * @param docId the document
   * @param versionId the version
   * @return the metadata, or {@code null} when the document has no such version
   */
  @Nullable VersionMetadata loadVersion(String docId, String versionId);

  /**
   * Returns the state stored with a version.
   *
   * @param docId the document
   * @param versionId the version
   * @return the state at the version's {@code endRev}, or {@code null} when there is no such
   *     version
   */
  @Nullable JsonNode loadVersionState(String docId, String versionId);

  /**
   * Applies an update to a version's editable metadata ({@link VersionMetadata#apply}).
   *
   * @param docId the document
   * @param versionId the version
   * @param update the new name, offline flag and extra members
   * @return a future completed with {@code true} once the update is durable, or with {@code false}
   *     when there is no such version
   */
  CompletableFuture<Boolean> updateVersion(String docId, String versionId, VersionUpdate update);

  /**
   * Returns the newest main version whose {@code endRev} is at or below {@code rev}: the snapshot a
   * cold load of the document at {@code rev} starts from. Among versions with the same {@code
   * endRev} the one with the greatest id wins.
   *
   * @param docId the document
   * @param rev the revision to load, {@link Long#MAX_VALUE} for the head
   * @return the version, or {@code null} when there is none
   */
  @Nullable VersionMetadata latestMainVersion(String docId, long rev);
}
