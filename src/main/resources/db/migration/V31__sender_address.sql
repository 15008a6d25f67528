-- from: a whole address (search.SearchSql) is that sender, read newest first from this index. Through the names'
-- trigram index it read every trigram of the address, and those of ".example", "@" and the like are in nearly every
-- message: at 1,000,000 messages the index scan alone took 250 ms before the matches were sorted by date, and the
-- shape was the slowest of the twenty at p95 (260-450 ms). Part of an address still goes through the trigrams.
CREATE INDEX email_message_sender ON email_message (org_id, lower(sender), created_at, id);

-- Statistics for the new expression now, not at autovacuum's next ANALYZE (migration 29 showed what a guess costs).
ANALYZE email_message;
