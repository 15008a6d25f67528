-- How each synced folder is doing, for health, the dashboard, GET /api/email/mailboxes and the founder's alerts:
-- last_sync_at is the last successful sync; failing_since and failures count the failed attempts since then; the
-- founder is mailed once when a folder starts failing (alerted_at set) and once when it recovers (cleared).
ALTER TABLE mailbox_folder
    ADD COLUMN failing_since TIMESTAMPTZ,
    ADD COLUMN failures      INT NOT NULL DEFAULT 0,
    ADD COLUMN last_error_at TIMESTAMPTZ,
    ADD COLUMN alerted_at    TIMESTAMPTZ;
