-- Patchbay server store, first schema.
-- Every table is keyed by document first, so a document's rows are one index range and deleting a
-- document is a handful of range deletes. JSON is stored as text in its wire form.

-- The OT change log. The primary key is the (doc, rev) uniqueness rule, the unique index the
-- (doc, change id) rule; both hold atomically with every insert.
CREATE TABLE changes (
  doc_id    TEXT    NOT NULL,
  rev       INTEGER NOT NULL CHECK (rev > 0),
  change_id TEXT    NOT NULL,
  body      TEXT    NOT NULL,
  PRIMARY KEY (doc_id, rev)
) STRICT;

CREATE UNIQUE INDEX changes_by_change_id ON changes (doc_id, change_id);

-- Versions: the metadata in its wire form, plus copies of the members listings sort and filter by.
CREATE TABLE versions (
  doc_id     TEXT    NOT NULL,
  version_id TEXT    NOT NULL,
  origin     TEXT    NOT NULL CHECK (origin IN ('main', 'offline-branch', 'branch')),
  group_id   TEXT,
  started_at INTEGER NOT NULL,
  start_rev  INTEGER NOT NULL,
  end_rev    INTEGER NOT NULL,
  metadata   TEXT    NOT NULL,
  PRIMARY KEY (doc_id, version_id)
) STRICT;

CREATE INDEX versions_by_started_at ON versions (doc_id, started_at);
CREATE INDEX versions_by_start_rev ON versions (doc_id, start_rev);
CREATE INDEX versions_by_end_rev ON versions (doc_id, end_rev);
CREATE INDEX versions_by_origin_end_rev ON versions (doc_id, origin, end_rev);

-- Version states live apart from the metadata so listings never page through large states.
CREATE TABLE version_states (
  doc_id     TEXT NOT NULL,
  version_id TEXT NOT NULL,
  state      TEXT NOT NULL,
  PRIMARY KEY (doc_id, version_id),
  FOREIGN KEY (doc_id, version_id) REFERENCES versions (doc_id, version_id) ON DELETE CASCADE
) STRICT;

-- Last-write-wins documents: the revision counter and the optional snapshot.
CREATE TABLE lww_docs (
  doc_id       TEXT    NOT NULL PRIMARY KEY,
  rev          INTEGER NOT NULL,
  snapshot     TEXT,
  snapshot_rev INTEGER
) STRICT;

-- One row per path: the winning op in its wire form, stamped with the revision that wrote it.
CREATE TABLE lww_ops (
  doc_id TEXT    NOT NULL REFERENCES lww_docs (doc_id) ON DELETE CASCADE,
  path   TEXT    NOT NULL,
  rev    INTEGER NOT NULL,
  ts     INTEGER,
  op     TEXT    NOT NULL,
  PRIMARY KEY (doc_id, path)
) STRICT;

CREATE INDEX lww_ops_by_rev ON lww_ops (doc_id, rev);

-- Committed LWW change ids, remembered until they expire, to drop retried changes.
CREATE TABLE lww_seen_ids (
  doc_id     TEXT    NOT NULL REFERENCES lww_docs (doc_id) ON DELETE CASCADE,
  change_id  TEXT    NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (doc_id, change_id)
) WITHOUT ROWID, STRICT;

CREATE INDEX lww_seen_ids_by_expiry ON lww_seen_ids (doc_id, expires_at);

CREATE TABLE tombstones (
  doc_id               TEXT    NOT NULL PRIMARY KEY,
  deleted_at           INTEGER NOT NULL,
  last_rev             INTEGER NOT NULL,
  deleted_by_client_id TEXT,
  expires_at           INTEGER
) STRICT;
