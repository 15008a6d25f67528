-- The founder's dashboard counts the threads whose newest mail needs a response (founder.FounderMail): every inbound
-- message in the inbox that is not spam, bulk, an auto-reply, answered or quarantined, without a later reply in its
-- thread. Without an index that holds exactly those messages the count read the whole messages' table: 5-9 s at a
-- million (docs/benchmarks.md). With these two it is an index-only merge anti-join: 1.1 s.
-- Neither holds a column a delivery outcome or a read/starred mark changes (status, seen, flagged, updated_at), so
-- those updates stay in place (migrations 25 and 37): a reply's status is checked on its row, as replies are few.
-- Each costs a received or sent message about 0.2% more of PostgreSQL's work (bench/db/store_cost.sh).
CREATE INDEX email_message_needs ON email_message (org_id, thread_id, created_at) INCLUDE (sender, reply_to)
    WHERE direction = 'inbound' AND folder = 'inbox' AND deleted_at IS NULL AND NOT spam AND NOT auto_reply
        AND NOT bulk AND NOT answered AND quarantine_reason IS NULL;
CREATE INDEX email_message_replies ON email_message (thread_id, created_at)
    WHERE direction = 'outbound' AND deleted_at IS NULL;
