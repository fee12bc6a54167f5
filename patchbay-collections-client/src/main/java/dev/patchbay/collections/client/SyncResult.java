package dev.patchbay.collections.client;

import java.time.Instant;

/**
 * What one sync run did.
 *
 * @param pushed operations the server accepted (applied or already applied)
 * @param pulled remote records applied locally
 * @param conflicts conflicts detected and settled
 * @param failed operations refused by the server in this run
 * @param pending operations still in the outbox afterwards (any status)
 * @param completedAt when the run finished
 */
public record SyncResult(
    int pushed, int pulled, int conflicts, int failed, int pending, Instant completedAt) {}
