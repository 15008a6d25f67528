-- The founder's dashboard counts the threads needing a response through migration 38's index of the messages that can
-- need one. It then tested each entry's sender (and Reply-To) against the no-reply pattern (founder.FounderMail.NO_REPLY),
-- a case-insensitive regular expression: at a million messages, 0.35 s of the count's 1.0 s. Whether a sender is a
-- no-reply address does not depend on the organization, so the test moves into the index's condition, evaluated once
-- as a message is stored; the count keeps only the organization's own domain to test (0.4 s with the DISTINCT below,
-- docs/benchmarks.md). Reply-To is then not needed in the index. Building it reads every message once: 4.3 s at a
-- million on the benchmark's machine (17 s inside one transaction), during which new mail waits.
-- Keep the condition the same as FounderMail.NEEDS_RESPONSE's first lines, or the count reads the whole table again
-- (FounderMailTest checks that the count is read from this index).
DROP INDEX email_message_needs;
CREATE INDEX email_message_needs ON email_message (org_id, thread_id, created_at) INCLUDE (sender)
    WHERE direction = 'inbound' AND folder = 'inbox' AND deleted_at IS NULL AND NOT spam AND NOT auto_reply
        AND NOT bulk AND NOT answered AND quarantine_reason IS NULL
        AND sender IS NOT NULL AND NOT (split_part(sender, '@', 1) ~* '^(no[-_.]?reply|do[-_.]?not[-_.]?reply)([-_.+].*)?$'
            AND (reply_to IS NULL OR split_part(reply_to, '@', 1) ~* '^(no[-_.]?reply|do[-_.]?not[-_.]?reply)([-_.+].*)?$'));
