-- The change id of the write that produced each record's state (null when the write carried none):
-- pulls return it, so a device whose push answer was lost recognises its own write.
ALTER TABLE collection_records ADD COLUMN change_id TEXT;
