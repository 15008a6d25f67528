-- The sidebar's label counts join every labelled message to its message's folder and seen flag. From the table that
-- meant reading every message row (with its inline search words, 261 MB at 100,000 messages: 266 ms); from this
-- index, a few bytes per message read in id order (150 ms).
CREATE INDEX email_message_label_counts ON email_message (org_id, id) INCLUDE (folder, seen) WHERE deleted_at IS NULL;
