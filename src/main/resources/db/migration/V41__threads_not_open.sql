-- The original API's GET /api/email/threads?status_filter= lists the threads of one status, newest activity first.
-- Threads are created open and nothing but an API caller sets another status, so for any other status PostgreSQL
-- walked every thread of the organization newest first to find none (0.13-0.37 s at a million messages, 600,000
-- threads). This index holds only the threads that are not open: empty or nearly so, and never written for a new
-- thread (store.Threads.list names its condition).
CREATE INDEX email_thread_not_open ON email_thread (org_id, status, last_message_at DESC, id DESC)
    WHERE status <> 'open';
