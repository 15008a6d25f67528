-- Parts of names (from:, to:, cc:, filename:) keyed by month, in the month keys' index (V32), which replaces the
-- trigram index of names (V29). A search shows the newest matches first, and the trigram index held every message
-- with a trigram: at 1,000,000 messages "filename:pdf" read the 66,617 messages with "pdf" and "from:garcia" + a word
-- the 55,483 with the rarest trigram of "garcia" before the date could narrow anything (70-120 ms, most of it
-- building the bitmap of those rows). Keyed by month ('2611~pdf'), a search reads the newest months first, and a
-- name's trigrams and the query's words narrow together in one scan of one index.
--
-- The keys: 'YYMM' (the month, as V32's), '~', and a trigram of the message's names (email_message_names, lower case)
-- as pg_trgm's show_trgm gives them. Only trigrams of three letters or digits within a word are kept: those a LIKE
-- '%value%' needs (search.SearchSql asks for the same trigrams of the value, search_name_trigrams below). The padded
-- ones (a word's start and end, "  g", "ia ") cannot be asked for, as the value may be part of a longer word, and those
-- with a character of more than one byte are kept by pg_trgm as a hash, which could hide a padded one: a value then
-- narrows through its other trigrams, or not at all, and the field itself is checked either way. As with the words'
-- keys, a key only narrows: every search still checks the field (lower(sender) LIKE ..., and so on).
--
-- pg_trgm is optional (V29): without it, search_name_trigrams gives none and Postroom matches whole words of names, as
-- before. search_keys_install() (re)creates both functions for the extensions the database has: after installing
-- pg_trgm later, docs/deploy.md runs it and rebuilds the index.
DROP INDEX IF EXISTS email_message_names;
DROP INDEX email_message_keys;
DROP FUNCTION search_keys(TIMESTAMPTZ, TSVECTOR, TSVECTOR);

CREATE FUNCTION search_keys_install() RETURNS VOID LANGUAGE plpgsql AS
$install$
DECLARE
    trgm TEXT := (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm');
    here TEXT := quote_ident(current_schema());
BEGIN
    -- The trigrams of a lower-case text that a LIKE '%text%' needs: each three letters or digits within one word
    -- (a hashed one prints as '0x' and six hex digits). unnest and a filter cost ~17 µs a message (26 trigrams of 47
    -- kept, on average); regular expressions over the joined array took 75 µs. Everything it names outside pg_catalog
    -- (which is always searched) has its schema, so it works with autovacuum's empty search path (see V32).
    EXECUTE format($f$
        CREATE OR REPLACE FUNCTION %s.search_name_trigrams(names TEXT) RETURNS TEXT[]
            LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS
        $$ SELECT %s $$ $f$, here, CASE WHEN trgm IS NULL THEN $$'{}'::text[]$$
            ELSE format($$ARRAY(SELECT t FROM unnest(%s.show_trgm(names)) t
                                WHERE length(t) = 3 AND position(' ' IN t) = 0)$$, trgm) END);
    -- As V32's, with the names' trigrams. search_path is fixed (autovacuum runs with an empty one, see V32), so the
    -- trigram function is named with its schema.
    EXECUTE format($f$
        CREATE OR REPLACE FUNCTION %1$s.search_keys(ts TIMESTAMPTZ, words TSVECTOR, subject TSVECTOR, names TEXT)
            RETURNS TEXT[] LANGUAGE sql IMMUTABLE PARALLEL SAFE COST 10000 SET search_path = pg_catalog AS
        $$
            SELECT string_to_array(concat_ws(' ',
                CASE WHEN length(words) > 0 THEN to_char(ts AT TIME ZONE 'UTC', 'YYMM') || ':'
                    || array_to_string(tsvector_to_array(words), ' ' || to_char(ts AT TIME ZONE 'UTC', 'YYMM') || ':')
                END,
                CASE WHEN length(subject) > 0 THEN to_char(ts AT TIME ZONE 'UTC', 'YYMM') || '^'
                    || array_to_string(tsvector_to_array(subject), ' ' || to_char(ts AT TIME ZONE 'UTC', 'YYMM') || '^')
                END,
                (SELECT to_char(ts AT TIME ZONE 'UTC', 'YYMM') || '~'
                    || array_to_string(t, ' ' || to_char(ts AT TIME ZONE 'UTC', 'YYMM') || '~')
                 FROM %1$s.search_name_trigrams(names) t WHERE cardinality(t) > 0)),
                ' ')
        $$ $f$, here);
END
$install$;

SELECT search_keys_install();

SET LOCAL maintenance_work_mem = '512MB'; -- for this migration's transaction only
-- A pending list of 512 kB, not V32's 256 kB: every time the list is full, GIN merges it into the index, and a new
-- message's keys are all of one month (this month's), so each merge rewrites the same long posting lists again.
-- Storing 10,000 messages of one month took PostgreSQL 6.8-8.7 CPU-s through this index at 256 kB, 5.1 at 512 kB,
-- 4.2-4.8 at 1 MB, 3.5-4.2 at 4 MB (psql, the backend's CPU, with the merges). A search reads the pending list
-- whole, about 50 µs a page (V32): at most 64 pages here, 3 ms.
CREATE INDEX email_message_keys ON email_message USING gin (search_keys(created_at, search_words, subject_doc,
    email_message_names(sender, meta ->> 'from_name', recipients, cc, attachment_names)))
    WITH (gin_pending_list_limit = 512);
-- No statistics for the keys (V32).
ALTER INDEX email_message_keys ALTER COLUMN 1 SET STATISTICS 0;

-- The same bound for the phrase pairs' index (V11), which had the default 4 MB: a phrase search read up to 512 pages
-- of pending pairs (16 ms) while mail arrives. Storing costs about the same either way (5.0-5.2 CPU-s at 4 MB,
-- 5.3-5.5 at 256 kB for the same 10,000 messages).
ALTER INDEX email_message_pairs SET (gin_pending_list_limit = 512);
