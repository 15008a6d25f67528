-- email_message.status takes only mailbox.MessageStatus's values (MessageStatusTest keeps the two lists equal).
-- NOT VALID: rows written before are not re-checked at start (that would scan the whole table and stop an upgrade
-- on an unexpected old value); every row written from now on is.
ALTER TABLE email_message ADD CONSTRAINT email_message_status CHECK (status IN ('queued', 'sent', 'failed',
    'blocked', 'received', 'archived', 'deleted_pending', 'delivered', 'bounced', 'draft')) NOT VALID;
