-- The copies for the IMAP Sent folder claimed, like the outbox's mail (migration 46), through indexes that hold only
-- the copies a claim may take.
--
-- Why: the copier's claim wanted pending copies never tried or whose lease had run out, in the order they were sent,
-- through an index of all pending copies by time: while the IMAP server was down, every claim (every two seconds)
-- read every copy already tried and waiting for its next turn. Now a claim reads copies never tried (the first index)
-- and copies whose lease has run out (the second), and nothing else (SentCopier).
CREATE INDEX outbox_sent_copy_fresh ON outbox (created_at) WHERE sent_copy = 'pending' AND lease_until IS NULL;
CREATE INDEX outbox_sent_copy_again ON outbox (lease_until) WHERE sent_copy = 'pending';
DROP INDEX outbox_sent_copy;
