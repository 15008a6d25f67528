-- has:attachment with a word walks the newest messages that have attachments (a tenth of the mail) instead of the
-- newest of all mail, testing the word on each: on 100,000 messages 73 ms became 36 ms.
CREATE INDEX email_message_attached ON email_message (org_id, created_at DESC) WHERE has_attachments AND deleted_at IS NULL;
