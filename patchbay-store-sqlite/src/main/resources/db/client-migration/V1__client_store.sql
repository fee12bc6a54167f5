-- Patchbay client store, first schema (a file of its own, apart from the server's schema).
-- JSON is stored as text in its wire form.

-- The documents the sync coordinator keeps in sync.
CREATE TABLE tracked_docs (
  doc_id TEXT NOT NULL PRIMARY KEY
) STRICT, WITHOUT ROWID;

-- Per document: the committed state (NULL when there is none yet) and its revision.
CREATE TABLE docs (
  doc_id        TEXT    NOT NULL PRIMARY KEY,
  state         TEXT,
  committed_rev INTEGER NOT NULL CHECK (committed_rev >= 0)
) STRICT, WITHOUT ROWID;

-- The pending queue, oldest first by seq; deleting a document's row deletes its queue.
CREATE TABLE pending_changes (
  doc_id TEXT    NOT NULL REFERENCES docs (doc_id) ON DELETE CASCADE,
  seq    INTEGER NOT NULL CHECK (seq > 0),
  body   TEXT    NOT NULL,
  PRIMARY KEY (doc_id, seq)
) STRICT, WITHOUT ROWID;
