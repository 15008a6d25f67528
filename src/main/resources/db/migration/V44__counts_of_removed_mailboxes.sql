-- A synced mailbox removed could leave rows in the sidebar's kept counts (migration 28) under its id: its places go by
-- the foreign key's cascade, whose triggers run after the mailbox's own trigger has deleted its counts, so each place
-- counted its message out of a count that no longer existed (negative rows that no one reads and that every fold
-- keeps, since they do not sum to nothing). Found by MailCountsTest once it removed a mailbox that had places. The
-- places of a mailbox that is gone are no longer counted out, and the rows left so far go.
CREATE OR REPLACE FUNCTION mail_count_places_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM 1 FROM email_message WHERE id IN (SELECT message_id FROM changed) ORDER BY id FOR NO KEY UPDATE;
        INSERT INTO mail_count (org_id, mailbox_id, label_id, folder, direction, seen, flagged, n)
        SELECT m.org_id, p.mailbox_id, l, m.folder, m.direction, m.seen, m.flagged, count(*)
        FROM (SELECT DISTINCT message_id, mailbox_id FROM changed) p JOIN email_message m ON m.id = p.message_id,
             mail_count_labels(m.id) l
        WHERE m.deleted_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM message_location o WHERE o.message_id = p.message_id
                          AND o.mailbox_id = p.mailbox_id AND NOT EXISTS (SELECT 1 FROM changed c
                              WHERE c.mailbox_id = o.mailbox_id AND c.folder = o.folder
                              AND c.uidvalidity = o.uidvalidity AND c.uid = o.uid))
          AND NOT EXISTS (SELECT 1 FROM mailbox b WHERE b.id = p.mailbox_id AND m.direction = 'outbound'
                          AND lower(b.username) = lower(m.sender))
        GROUP BY 1, 2, 3, 4, 5, 6, 7;
    ELSE
        PERFORM 1 FROM email_message WHERE id IN (SELECT message_id FROM gone) ORDER BY id FOR NO KEY UPDATE;
        INSERT INTO mail_count (org_id, mailbox_id, label_id, folder, direction, seen, flagged, n)
        SELECT m.org_id, p.mailbox_id, l, m.folder, m.direction, m.seen, m.flagged, -count(*)
        FROM (SELECT DISTINCT message_id, mailbox_id FROM gone) p JOIN email_message m ON m.id = p.message_id,
             mail_count_labels(m.id) l
        WHERE m.deleted_at IS NULL
          AND EXISTS (SELECT 1 FROM mailbox b WHERE b.id = p.mailbox_id)
          AND NOT EXISTS (SELECT 1 FROM message_location o WHERE o.message_id = p.message_id
                          AND o.mailbox_id = p.mailbox_id)
          AND NOT EXISTS (SELECT 1 FROM mailbox b WHERE b.id = p.mailbox_id AND m.direction = 'outbound'
                          AND lower(b.username) = lower(m.sender))
        GROUP BY 1, 2, 3, 4, 5, 6, 7;
    END IF;
    RETURN NULL;
END
$$;

DELETE FROM mail_count c WHERE c.mailbox_id <> 0 AND NOT EXISTS (SELECT 1 FROM mailbox b WHERE b.id = c.mailbox_id);
