-- Messages stored without their search documents (a large group of outgoing mail, accepted at once) wait here for
-- search.SearchIndexer, which writes them within seconds; the search page says how many are waiting. The index holds
-- only those rows, so finding and counting them stays cheap at any size. A row that was written with no document
-- before migration 27 (an empty body made the whole document NULL) is indexed once by the same worker.
CREATE INDEX email_message_search_pending ON email_message (org_id, id) WHERE search_words IS NULL;
