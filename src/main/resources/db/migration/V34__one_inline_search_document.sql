-- One search document per message, in the row. Since migration 6 a message kept two: the full document (words with
-- their positions and weights, for phrases and ranking) in search_doc, which PostgreSQL moved out to the TOAST table
-- (pglz cannot compress a tsvector: its first kilobyte is word offsets), and a stripped copy in search_words, inline,
-- for the filters. The two held the same words twice: 5.1 kB per message on the generated billing-office mail (3.0 kB
-- document in TOAST + 2.0 kB list in the row) of the 25.2 kB PostgreSQL kept per message at 100,000, against the
-- Maildir's 15.6 kB (issue 23: at most 1.5x).
--
-- From here on search_words holds the full document (R__search_document.sql writes it there and leaves search_doc
-- NULL), still inline (STORAGE MAIN): a filter reads it from the row as before, and a phrase or a ranking no longer
-- fetches a second copy from TOAST (70 µs a message from disk). The lexemes are the same, so the month keys' index
-- (V32, V33: over search_words' lexemes) and search_words' statistics are unchanged. Rows written before keep both
-- columns (rewriting a million rows here would rewrite every index entry too); the code reads the full document as
-- coalesce(search_doc, search_words) (search.SearchSql.DOCUMENT), the pairs' index below included.
DROP INDEX email_message_pairs;
SET LOCAL maintenance_work_mem = '512MB'; -- for this migration's transaction only
-- The phrase pairs (V11), from whichever column holds the full document: 58 s per 100,000 messages, 11 minutes per
-- 1,000,000 on the development machine (the first start after the upgrade waits for it).
CREATE INDEX email_message_pairs ON email_message USING gin (search_pairs(coalesce(search_doc, search_words)))
    WITH (gin_pending_list_limit = 512);
-- No statistics for the pairs (V11).
ALTER INDEX email_message_pairs ALTER COLUMN 1 SET STATISTICS 0;

-- The fill factor stays at migration 25's 70, although with the document inline most pages of received mail now hold
-- a single row (6.2 kB of table per message at 100,000; 5.5 kB at 80). Filled to 80%, fewer sent messages' delivery
-- outcomes fit in place (replayed on 2,000 sent messages of 2 kB: 34-48% instead of 60%), and an outcome that does
-- not writes all the row's index entries again, its search keys and word pairs included: PostgreSQL spent 0.6 ms more
-- per sent message (2,000 sends: 7.5-7.9 CPU-s at 80, 6.3-6.7 at 70; bench/outbound's phase (c) 0.4-0.9 ms more).
