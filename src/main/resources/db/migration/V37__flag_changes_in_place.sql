-- Marking mail read, starred or answered (a reader in the UI, or the flags another client set on the IMAP server)
-- changes seen, flagged or answered and updated_at. PostgreSQL makes such an update in place ("HOT": no new entry in
-- any index) only when no indexed column changes (migration 25 did this for delivery outcomes). Three indexes stood in
-- the way, so every such update also wrote the message's search keys and phrase pairs again, about 550 GIN entries:
-- 2.5 ms a message at a million (docs/benchmarks.md), and GIN indexes that grew with every click until vacuumed.
--
-- Two of them counted the sidebar's mail from the messages themselves (migrations 3 and 8); the kept counts of
-- migration 28 replaced them, and their last reader, the founder dashboard's unread count, reads the kept counts now.
DROP INDEX IF EXISTS email_message_counts;
DROP INDEX IF EXISTS email_message_label_counts;
-- The third finds the drafts to mirror to the IMAP server (mailbox.DraftMirror), keyed by updated_at. Keyed by the
-- creation time instead, which never changes, it still finds the few drafts; the mirror sorts them by their edits.
DROP INDEX IF EXISTS email_message_drafts;
CREATE INDEX email_message_drafts ON email_message (created_at) WHERE folder = 'drafts' AND deleted_at IS NULL;
