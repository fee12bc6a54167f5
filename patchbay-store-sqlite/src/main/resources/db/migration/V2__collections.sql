-- Record collections (SyncLayer / Paperlyte style): per collection the latest state of every record,
-- tombstones included, ordered by the collection's change feed sequence.

-- The newest sequence number of each collection (writes only ever raise it), and the highest
-- sequence number of a purged tombstone (cursors below it may have missed deletes).
CREATE TABLE collection_heads (
  collection     TEXT    NOT NULL PRIMARY KEY,
  last_seq       INTEGER NOT NULL CHECK (last_seq > 0),
  purged_through INTEGER NOT NULL DEFAULT 0
) STRICT;

-- One row per record: its latest state. The unique seq index is the change feed.
CREATE TABLE collection_records (
  collection TEXT    NOT NULL,
  record_id  TEXT    NOT NULL,
  seq        INTEGER NOT NULL CHECK (seq > 0),
  version    INTEGER NOT NULL CHECK (version > 0),
  updated_at INTEGER NOT NULL,
  deleted    INTEGER NOT NULL CHECK (deleted IN (0, 1)),
  updated_by TEXT,
  data       TEXT    NOT NULL,
  PRIMARY KEY (collection, record_id)
) STRICT;

CREATE UNIQUE INDEX collection_records_by_seq ON collection_records (collection, seq);

-- Tombstones by age, for the purge.
CREATE INDEX collection_records_tombstones ON collection_records (collection, updated_at)
  WHERE deleted = 1;

-- Applied change ids, remembered until they expire, so a change sent twice applies once.
CREATE TABLE collection_seen_ids (
  collection TEXT    NOT NULL,
  change_id  TEXT    NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (collection, change_id)
) WITHOUT ROWID, STRICT;

CREATE INDEX collection_seen_ids_by_expiry ON collection_seen_ids (collection, expires_at);
