-- The words of each message keyed by its month, in one index that replaces the index of its words and the index of its
-- subject's words. A search shows the newest matches first, and a word's list in a plain full-text index holds every
-- message that has it: at 1,000,000 messages a search for a word in a fifth of the mail read 270,000 entries before
-- the date could narrow anything, and the newest 200,000 messages narrowed through the date index cost 155 ms by
-- themselves. Keyed by month ('2611:claim' for "claim" in a message of November 2026), each list holds one month's
-- messages, so a search reads the newest months first (search.MailSearch) and the older ones only when it needs them;
-- a search over all the mail asks for the word in every month the organization has mail in, which reads what the
-- plain index read.
--
-- The keys: 'YYMM' (the month of created_at in UTC), then ':' and a lexeme of search_words, or '^' and a lexeme of the
-- subject (subject:). The month is fixed-width, so the separator tells the two apart whatever a lexeme holds. Two
-- digits of year repeat every century: a key then also matches the same month of another century, which the
-- search's own checks (search_words @@ ..., subject_doc @@ ..., the dates) drop. The keys only narrow; every search
-- still tests the message's words, so a key can never make a message match that does not.
--
-- Built with PostgreSQL's own array and string functions (a message's few hundred keys in about 0.1 ms; the same
-- keys through unnest and array_agg took 0.6 ms). A lexeme never holds a space (the parser splits on them), so a space
-- separates the keys. Two things matter:
-- - search_path is fixed: autovacuum, pg_dump and pg_restore run with an empty search path, and a function of an index
--   expression that names another function unqualified fails there; autovacuum's ANALYZE then failed on the messages
--   table every time, and its statistics stayed those of the empty table (every search planned as if a word were on
--   one message).
-- - It is declared expensive and is not inlined (to_char is only STABLE, because some of its patterns depend on the
--   locale; 'YYMM' does not, so declaring the function IMMUTABLE, as an index expression must be, is right, and it
--   also keeps PostgreSQL from inlining it): the keys are for the index, and a plan that tested them on each message it
--   walked paid 0.1 ms per message; at this cost PostgreSQL reads them from the index instead.
CREATE FUNCTION search_keys(ts TIMESTAMPTZ, words TSVECTOR, subject TSVECTOR) RETURNS TEXT[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE COST 10000 SET search_path = pg_catalog AS
$$
    SELECT string_to_array(concat_ws(' ',
        CASE WHEN length(words) > 0 THEN to_char(ts AT TIME ZONE 'UTC', 'YYMM') || ':'
            || array_to_string(tsvector_to_array(words), ' ' || to_char(ts AT TIME ZONE 'UTC', 'YYMM') || ':') END,
        CASE WHEN length(subject) > 0 THEN to_char(ts AT TIME ZONE 'UTC', 'YYMM') || '^'
            || array_to_string(tsvector_to_array(subject), ' ' || to_char(ts AT TIME ZONE 'UTC', 'YYMM') || '^') END),
        ' ')
$$;

SET LOCAL maintenance_work_mem = '512MB'; -- for this migration's transaction only
-- A small pending list: GIN adds new entries to an unsorted list first and sorts them into the index later, and every
-- search reads that whole list. At the default 4 MB (316 pages after a sync), each search through the keys spent 16 ms
-- in it; at 256 kB at most about 1 ms, and the list is merged into the index more often.
CREATE INDEX email_message_keys ON email_message USING gin (search_keys(created_at, search_words, subject_doc))
    WITH (gin_pending_list_limit = 256);
DROP INDEX email_message_words;
DROP INDEX email_message_subject_search;
-- No statistics for the keys: ANALYZE would build the keys of its whole sample (30,000 messages, 2.6 s) every time it
-- runs, and during a sync it runs every few thousand messages (it raised PostgreSQL's CPU per stored message by half).
-- Whether a word is in most messages is read from search_words' own statistics instead (search.MailSearch asks
-- PostgreSQL's plan without the keys), and without statistics PostgreSQL takes a key condition for a narrow one, which
-- is what the keys of a few months are.
ALTER INDEX email_message_keys ALTER COLUMN 1 SET STATISTICS 0;
