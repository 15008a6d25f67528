-- Raw copies of received mail are kept compressed with zstd (store.RawChunks), each chunk a frame of its own. A chunk
-- that has a plain_size was compressed, and plain_size is its length before; a chunk without one is kept as it came
-- (every chunk written before this migration, and any chunk that compression would not have shrunk by a sixteenth).
-- At 100,000 generated billing-office messages the raw copies went from 15.7 KB to about 11 KB a message.
-- Existing rows are not rewritten: the column is added without touching them.
ALTER TABLE message_raw ADD COLUMN plain_size INT;
