-- A delivery outcome (status queued -> sent) is the one update every sent message gets. PostgreSQL updates a row in
-- place ("HOT", no new entry in any index) only when no indexed column changes and the page has room. Before this
-- migration the outcome changed two indexed columns (status, in the drafts index's predicate, and updated_at, its
-- key), so each delivery added a new entry to all eleven indexes of email_message, four of them GIN over the search
-- words: the largest single cost of sending a message (docs/benchmarks.md, outbound, session 14).
-- Drafts are recognised by their folder instead (a draft is always in 'drafts', and the mirror's query says so), a
-- successful delivery keeps updated_at (the outcome updates it only when the mail failed), and pages keep room for
-- the in-place update: the new version of a row must fit on its page, and a message row is 1-3 kB (its text, search
-- document and words inline), so a tenth free let only two thirds of the updates happen in place; 30% lets nearly all.
DROP INDEX email_message_drafts;
CREATE INDEX email_message_drafts ON email_message (updated_at) WHERE folder = 'drafts' AND deleted_at IS NULL;
ALTER TABLE email_message SET (fillfactor = 70);
