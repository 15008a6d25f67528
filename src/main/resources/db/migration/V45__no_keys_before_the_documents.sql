-- A message stored before its search documents (a queued send, whose words, subject and phrase pairs the search
-- indexer writes within a second: migration 27) gets no month keys until they are written.
--
-- Why: the keys' index expression is computed whenever a row is written, its words or not. A queued send's row was
-- given the keys of its names (their trigrams through pg_trgm) when it was inserted and again, with its words, when the
-- indexer wrote its documents a moment later: the same work twice for every message sent. Counted by
-- bench/db/store_cost.sh (PostgreSQL's instructions per message, a batch of 500 without the text indexed, as
-- bench/outbound's phase (e) sends it): 3.88 M -> 3.57 M.
--
-- What a search sees: a message waiting for its documents was found by part of a name (from:, to:) and by nothing
-- else; now it is found by nothing until they are written, as the search already says ("N messages are not searchable
-- yet"). Rows with words or a subject keep exactly migration 33's keys (search.SearchKeysTest), so the index is not
-- rebuilt: a waiting row's entries go when the indexer rewrites it. pg_trgm stays optional, as in migration 35.
CREATE OR REPLACE FUNCTION search_keys_install() RETURNS VOID LANGUAGE plpgsql AS
$install$
DECLARE
    trgm TEXT := (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm');
    here TEXT := quote_ident(current_schema());
BEGIN
    -- The trigrams of a lower-case text that a LIKE '%text%' needs: each three letters or digits within one word.
    EXECUTE format($f$
        CREATE OR REPLACE FUNCTION %s.search_name_trigrams(names TEXT) RETURNS TEXT[]
            LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS
        $$ BEGIN RETURN %s; END $$ $f$, here, CASE WHEN trgm IS NULL THEN $$'{}'::text[]$$
            ELSE format($$ARRAY(SELECT t FROM unnest(%s.show_trgm(names)) t
                                WHERE length(t) = 3 AND position(' ' IN t) = 0)$$, trgm) END);
    -- None while the documents are not written (both NULL: only a row waiting for the indexer); else the month (YYMM)
    -- once, then its words (':'), its subject's words ('^') and its names' trigrams ('~').
    EXECUTE format($f$
        CREATE OR REPLACE FUNCTION %1$s.search_keys(ts TIMESTAMPTZ, words TSVECTOR, subject TSVECTOR, names TEXT)
            RETURNS TEXT[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE COST 10000 SET search_path = pg_catalog AS
        $$
        DECLARE
            yymm TEXT;
            trigrams TEXT[];
        BEGIN
            IF words IS NULL AND subject IS NULL THEN
                RETURN NULL;
            END IF;
            yymm := to_char(ts AT TIME ZONE 'UTC', 'YYMM');
            trigrams := %1$s.search_name_trigrams(names);
            RETURN string_to_array(concat_ws(' ',
                CASE WHEN length(words) > 0
                    THEN yymm || ':' || array_to_string(tsvector_to_array(words), ' ' || yymm || ':') END,
                CASE WHEN length(subject) > 0
                    THEN yymm || '^' || array_to_string(tsvector_to_array(subject), ' ' || yymm || '^') END,
                CASE WHEN cardinality(trigrams) > 0
                    THEN yymm || '~' || array_to_string(trigrams, ' ' || yymm || '~') END),
                ' ');
        END
        $$ $f$, here);
END
$install$;

SELECT search_keys_install();
