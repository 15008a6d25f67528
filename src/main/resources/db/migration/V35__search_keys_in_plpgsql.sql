-- The month keys' functions (V33) in PL/pgSQL instead of SQL, with the same keys for every message, so the index
-- (email_message_keys) stays as it is: nothing is rebuilt.
--
-- Why: an SQL function that PostgreSQL cannot inline (these have a sub-select, and search_keys a fixed search_path)
-- is parsed and planned again for every statement that calls it, and the trigram function that search_keys calls was
-- parsed and planned again for every message, as its caller's plan is started afresh on each call. A PL/pgSQL function
-- keeps its plans for the connection's life. Counted by bench/db/store_cost.sh (PostgreSQL's instructions per stored
-- message, under callgrind): a sent message stored alone 9.11 M -> 8.13 M, received mail in INSERTs of 200 rows
-- 12.07 M -> 11.81 M; the keys of the 10,500 messages of a replay computed in one statement in 37 µs a message
-- instead of 70.
--
-- What stays from V32 and V33: search_keys keeps its fixed search_path (autovacuum, pg_dump and pg_restore run with an
-- empty one; the fixed path cost nothing measurable here), everything outside pg_catalog is named with its schema, and
-- both stay IMMUTABLE (and so never inlined) with search_keys declared expensive. pg_trgm stays optional:
-- search_keys_install() creates both for the extensions the database has, and docs/deploy.md still runs it after
-- installing pg_trgm later. search.SearchKeysTest checks that both give the keys V33's gave.
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
    -- The month (YYMM) once, then its words (':'), its subject's words ('^') and its names' trigrams ('~').
    EXECUTE format($f$
        CREATE OR REPLACE FUNCTION %1$s.search_keys(ts TIMESTAMPTZ, words TSVECTOR, subject TSVECTOR, names TEXT)
            RETURNS TEXT[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE COST 10000 SET search_path = pg_catalog AS
        $$
        DECLARE
            yymm TEXT := to_char(ts AT TIME ZONE 'UTC', 'YYMM');
            trigrams TEXT[] := %1$s.search_name_trigrams(names);
        BEGIN
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
