-- Phrases through an index. A GIN index over tsvectors keeps no word positions, so a phrase used to be checked in
-- every message that has all its words: "claim time" tested 25,611 of 100,000 messages (reading and decompressing
-- each one's full search document) to find the 82 that have the phrase, 0.3-0.6 s. This index holds each message's
-- pairs of adjacent words, hashed: a phrase's pairs narrow it to the messages that have those words next to each
-- other (86 candidates for "claim time"), and the phrase itself is then checked on those alone (2.5 ms).
--
-- search_pairs() reads the pairs from the search document's own positions, so it agrees with what the phrase
-- operator (<->) tests: a message that matches phraseto_tsquery(text) has every adjacent pair of
-- to_tsvector(text) (the same parser, stop words leave the same gaps). Each word is hashed twice (seed 0 as the first
-- of a pair, seed 1 as the second) and the pair kept to 20 bits: 2^20 keys hold the index at 80 MB per 100,000
-- messages here (the full 31 bits: 109 MB) and let through about one message in 10,000 per pair by collision, which the
-- phrase check then drops. hashtextextended is the hash PostgreSQL keeps stable across versions for hash partitioning;
-- if it ever changed, REINDEX INDEX email_message_pairs rebuilds the index with the new one.
--
-- Cost: about 0.2 ms of PostgreSQL CPU per message stored (computing the pairs of a 2 kB body), which is why the
-- function is declared expensive: the planner then never tests it row by row in a walk, it goes through the index.
CREATE FUNCTION search_pairs(doc tsvector) RETURNS int[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
    WITH p AS (SELECT hashtextextended(u.lexeme, 0) AS first, hashtextextended(u.lexeme, 1) AS second, x.pos
               FROM unnest(doc) u, unnest(u.positions) x(pos))
    SELECT coalesce(array_agg(((a.first # b.second) & 1048575)::int), '{}')
    FROM p a JOIN p b ON b.pos = a.pos + 1
$$;

-- An existing mailbox is indexed here: about 35 s per 100,000 messages, during which new mail waits.
CREATE INDEX email_message_pairs ON email_message USING gin (search_pairs(search_doc));

-- No statistics for the expression: ANALYZE would compute the pairs of its whole sample (30,000 messages, 6 s) every
-- time it runs. Without them the planner guesses a pair is on one message in 200, a narrow condition, which is what
-- a phrase is.
ALTER INDEX email_message_pairs ALTER COLUMN 1 SET STATISTICS 0;
