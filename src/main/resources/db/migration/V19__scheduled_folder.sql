-- Mail scheduled for later waits in its own folder, Scheduled, and moves to Sent once the server took it: Sent shows
-- only what was sent.
ALTER TABLE email_message DROP CONSTRAINT email_message_folder_check;
ALTER TABLE email_message ADD CONSTRAINT email_message_folder_check
    CHECK (folder IN ('inbox', 'archive', 'spam', 'trash', 'sent', 'drafts', 'scheduled'));

-- Mail already waiting for a later time (more than five minutes ahead, never tried) moves there now.
UPDATE email_message m SET folder = 'scheduled'
FROM outbox o
WHERE o.message_id = m.id AND m.folder = 'sent' AND m.status = 'queued' AND o.attempts = 0
  AND o.next_attempt_at > now() + interval '5 minutes';
