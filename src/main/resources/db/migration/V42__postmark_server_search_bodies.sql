-- Whether the text of the mail a Postmark server sends is indexed for search. Postmark itself finds an application's
-- sent mail by recipient, subject, tag and metadata, never by its text; Postroom indexes every word of it, and that
-- document is most of PostgreSQL's instructions per message sent through the Postmark API (bench/db/store_cost.sh:
-- 7.4 M per batch message with its text indexed, 3.9 M without; docs/benchmarks.md, session 27). A server may now do
-- without: its mail is then found in Postroom's search by subject, people and attachment names (and by recipient,
-- tag, status and dates through Postmark's GET /messages/outbound), not by its words. On by default, for every server
-- old and new: a clerk who looks for a patient's statement by the name in its text finds it
-- (R__search_document.sql reads the choice from the message's meta, postmark.search_body).
ALTER TABLE postmark_server ADD COLUMN search_bodies BOOLEAN NOT NULL DEFAULT true;
