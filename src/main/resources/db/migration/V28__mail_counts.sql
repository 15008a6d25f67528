-- The sidebar's folder and label counts, kept as they change instead of counted at every page (which joined every
-- labelled message: 250 ms at 100,000 messages, and a second within one mailbox of the switcher). A change adds
-- signed rows (+1 where a message now counts, -1 where it counted before) in the same transaction as the change
-- itself, so the counts are never ahead of or behind the mail; reading sums a few rows per group. Rows are only ever
-- added, never updated, so two transactions changing the same group never wait for each other or deadlock on it;
-- mailbox.CountCompactor folds each organization's rows into one per group now and then.
--
-- mailbox_id 0 holds the whole organization's counts; another the counts of one synced mailbox, as the web UI's
-- switcher shows it (store.MailboxScope): the messages with a place in that mailbox on the server, and the mail sent
-- from its address. label_id 0 holds the folder counts of every live message; label_id > 0 the counts of that
-- label's live messages. All keep what the sidebar's views test (folder, direction, seen, flagged); readers of label
-- counts leave out spam and trash.
CREATE TABLE mail_count (
    org_id     BIGINT  NOT NULL,
    mailbox_id BIGINT  NOT NULL,
    label_id   BIGINT  NOT NULL,
    folder     TEXT    NOT NULL,
    direction  TEXT    NOT NULL,
    seen       BOOLEAN NOT NULL,
    flagged    BOOLEAN NOT NULL,
    n          BIGINT  NOT NULL
);
CREATE INDEX mail_count_org ON mail_count (org_id, mailbox_id, label_id);

-- The mailboxes a message counts in: the whole organization (0), each mailbox it has a place in, and the mailbox
-- whose address sent it. UNION: two places in one mailbox (INBOX and Archive) count once.
CREATE FUNCTION mail_count_mailboxes(message UUID, org BIGINT, direction TEXT, sender TEXT) RETURNS SETOF BIGINT
    LANGUAGE sql STABLE AS $$
    SELECT 0::bigint
    UNION SELECT l.mailbox_id FROM message_location l WHERE l.message_id = message
    UNION SELECT b.id FROM mailbox b
          WHERE direction = 'outbound' AND b.org_id = org AND lower(b.username) = lower(sender)
$$;

-- A message's labels, and 0 for the folder counts.
CREATE FUNCTION mail_count_labels(message UUID) RETURNS SETOF BIGINT LANGUAGE sql STABLE AS $$
    SELECT 0::bigint UNION ALL SELECT label_id FROM email_message_label WHERE message_id = message
$$;

INSERT INTO mail_count (org_id, mailbox_id, label_id, folder, direction, seen, flagged, n)
SELECT m.org_id, b.id, l.id, m.folder, m.direction, m.seen, m.flagged, count(*)
FROM email_message m, mail_count_mailboxes(m.id, m.org_id, m.direction, m.sender) b(id), mail_count_labels(m.id) l(id)
WHERE m.deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5, 6, 7;

-- New messages: a grouped insert per statement (a batch of 500 adds a handful of rows). A new message has no labels
-- and no places yet; they come with their own rows below. Outgoing mail counts in the mailbox of its address.
CREATE FUNCTION mail_count_messages_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO mail_count (org_id, mailbox_id, label_id, folder, direction, seen, flagged, n)
    SELECT i.org_id, 0, 0, i.folder, i.direction, i.seen, i.flagged, count(*) FROM inserted i
    WHERE i.deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5, 6, 7
    UNION ALL
    SELECT i.org_id, b.id, 0, i.folder, i.direction, i.seen, i.flagged, count(*)
    FROM inserted i JOIN mailbox b ON b.org_id = i.org_id AND lower(b.username) = lower(i.sender)
    WHERE i.deleted_at IS NULL AND i.direction = 'outbound' GROUP BY 1, 2, 3, 4, 5, 6, 7;
    RETURN NULL;
END
$$;
CREATE TRIGGER mail_count_messages_inserted AFTER INSERT ON email_message
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION mail_count_messages_inserted();

-- A message that moved, was read, starred, deleted or restored: out of its old group, into its new one, for the
-- folder counts and each of its labels, in the organization and each mailbox it counts in. The WHEN clause is tested
-- without calling the function, so the updates that change none of these (a delivery outcome, a search document)
-- cost nothing here.
CREATE FUNCTION mail_count_message_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO mail_count (org_id, mailbox_id, label_id, folder, direction, seen, flagged, n)
    SELECT OLD.org_id, b, l, OLD.folder, OLD.direction, OLD.seen, OLD.flagged, -1
    FROM mail_count_mailboxes(OLD.id, OLD.org_id, OLD.direction, OLD.sender) b, mail_count_labels(OLD.id) l
    WHERE OLD.deleted_at IS NULL
    UNION ALL
    SELECT NEW.org_id, b, l, NEW.folder, NEW.direction, NEW.seen, NEW.flagged, 1
    FROM mail_count_mailboxes(NEW.id, NEW.org_id, NEW.direction, NEW.sender) b, mail_count_labels(NEW.id) l
    WHERE NEW.deleted_at IS NULL;
    RETURN NULL;
END
$$;
CREATE TRIGGER mail_count_message_changed AFTER UPDATE ON email_message FOR EACH ROW
    WHEN ((OLD.folder, OLD.direction, OLD.seen, OLD.flagged, OLD.deleted_at IS NULL, OLD.org_id, lower(OLD.sender))
          IS DISTINCT FROM
          (NEW.folder, NEW.direction, NEW.seen, NEW.flagged, NEW.deleted_at IS NULL, NEW.org_id, lower(NEW.sender)))
    EXECUTE FUNCTION mail_count_message_changed();
-- Postroom never deletes a message row (it marks it deleted); a row deleted by hand still leaves the counts right.
-- BEFORE, so its labels are still there to be counted out (its places are gone already: they refer to it).
CREATE FUNCTION mail_count_message_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO mail_count (org_id, mailbox_id, label_id, folder, direction, seen, flagged, n)
    SELECT OLD.org_id, b, l, OLD.folder, OLD.direction, OLD.seen, OLD.flagged, -1
    FROM mail_count_mailboxes(OLD.id, OLD.org_id, OLD.direction, OLD.sender) b, mail_count_labels(OLD.id) l
    WHERE OLD.deleted_at IS NULL;
    RETURN OLD;
END
$$;
CREATE TRIGGER mail_count_message_deleted BEFORE DELETE ON email_message FOR EACH ROW
    EXECUTE FUNCTION mail_count_message_deleted();

-- A label put on or taken off: counted with its message's current group, wherever the message counts. The message
-- rows are locked before they are read, so a concurrent change to the same message (read, moved, a new place) is
-- either seen here or sees this label: without the lock each could miss the other and the counts would drift.
CREATE FUNCTION mail_count_labels_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM 1 FROM email_message WHERE id IN (SELECT message_id FROM changed) ORDER BY id FOR SHARE;
        INSERT INTO mail_count (org_id, mailbox_id, label_id, folder, direction, seen, flagged, n)
        SELECT m.org_id, b, c.label_id, m.folder, m.direction, m.seen, m.flagged, count(*)
        FROM changed c JOIN email_message m ON m.id = c.message_id,
             mail_count_mailboxes(m.id, m.org_id, m.direction, m.sender) b
        WHERE m.deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5, 6, 7;
    ELSE
        PERFORM 1 FROM email_message WHERE id IN (SELECT message_id FROM gone) ORDER BY id FOR SHARE;
        INSERT INTO mail_count (org_id, mailbox_id, label_id, folder, direction, seen, flagged, n)
        SELECT m.org_id, b, g.label_id, m.folder, m.direction, m.seen, m.flagged, -count(*)
        FROM gone g JOIN email_message m ON m.id = g.message_id,
             mail_count_mailboxes(m.id, m.org_id, m.direction, m.sender) b
        WHERE m.deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5, 6, 7;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER mail_count_labels_added AFTER INSERT ON email_message_label
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION mail_count_labels_changed();
CREATE TRIGGER mail_count_labels_removed AFTER DELETE ON email_message_label
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION mail_count_labels_changed();

-- A message's first place in a mailbox brings it into that mailbox's counts; its last place gone takes it out (unless
-- the mailbox's address sent it). The message rows are locked for update first: two places of one message added or
-- removed at once (INBOX and Archive synced side by side) must not both count as the first, or both miss the last.
CREATE FUNCTION mail_count_places_changed() RETURNS trigger LANGUAGE plpgsql AS $$
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
          AND NOT EXISTS (SELECT 1 FROM message_location o WHERE o.message_id = p.message_id
                          AND o.mailbox_id = p.mailbox_id)
          AND NOT EXISTS (SELECT 1 FROM mailbox b WHERE b.id = p.mailbox_id AND m.direction = 'outbound'
                          AND lower(b.username) = lower(m.sender))
        GROUP BY 1, 2, 3, 4, 5, 6, 7;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER mail_count_places_added AFTER INSERT ON message_location
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION mail_count_places_changed();
CREATE TRIGGER mail_count_places_removed AFTER DELETE ON message_location
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION mail_count_places_changed();

-- A mailbox added: the mail already sent from its address counts in it at once. A mailbox removed: its counts go
-- (its places are removed with it first, by the foreign key's cascade, whose trigger sorts before this one).
CREATE FUNCTION mail_count_mailbox_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO mail_count (org_id, mailbox_id, label_id, folder, direction, seen, flagged, n)
        SELECT m.org_id, NEW.id, l, m.folder, m.direction, m.seen, m.flagged, count(*)
        FROM email_message m, mail_count_labels(m.id) l
        WHERE m.org_id = NEW.org_id AND m.direction = 'outbound' AND lower(m.sender) = lower(NEW.username)
          AND m.deleted_at IS NULL
        GROUP BY 1, 2, 3, 4, 5, 6, 7;
    ELSE
        DELETE FROM mail_count WHERE mailbox_id = OLD.id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER mail_count_mailbox_added AFTER INSERT ON mailbox FOR EACH ROW
    EXECUTE FUNCTION mail_count_mailbox_changed();
CREATE TRIGGER mail_count_mailbox_removed AFTER DELETE ON mailbox FOR EACH ROW
    EXECUTE FUNCTION mail_count_mailbox_changed();
