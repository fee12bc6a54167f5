-- Patchbay client store, second schema: the change in flight of last-write-wins documents, local
-- tombstones of deletions the server has not confirmed, and quarantined changes.

-- The sending change (JSON) of a last-write-wins document; NULL when none is in flight.
ALTER TABLE docs ADD COLUMN sending TEXT;

-- Documents deleted locally whose deletion is still to be sent to the server.
CREATE TABLE tombstones (
  doc_id TEXT NOT NULL PRIMARY KEY
) STRICT, WITHOUT ROWID;

-- Changes the server rejected for good, oldest first by seq; kept until the application discards
-- them, also after their document is deleted.
CREATE TABLE quarantined_changes (
  seq            INTEGER PRIMARY KEY,
  doc_id         TEXT    NOT NULL,
  change_id      TEXT    NOT NULL,
  body           TEXT    NOT NULL,
  code           INTEGER NOT NULL,
  message        TEXT    NOT NULL,
  quarantined_at INTEGER NOT NULL
) STRICT;

CREATE INDEX quarantined_changes_by_doc ON quarantined_changes (doc_id, change_id);
