-- Drafts mirrored to the IMAP Drafts folder: which draft's copy is there and as of which edit. No foreign key: when a
-- draft is sent, discarded or purged its row must outlive it until the IMAP copy has been removed.
CREATE TABLE draft_copy (
    message_id  UUID        PRIMARY KEY,
    copied_at   TIMESTAMPTZ NOT NULL,
    copied_edit TIMESTAMPTZ NOT NULL
);

-- The mirror looks for drafts edited since their last copy every few seconds; drafts are few among all mail.
CREATE INDEX email_message_drafts ON email_message (updated_at) WHERE status = 'draft' AND deleted_at IS NULL;
