-- The sidebar's folder and label counts, kept as they change instead of counted at every page (which joined every
-- labelled message: 170-240 ms at 100,000 messages). A change adds signed rows (+1 where a message now counts, -1
-- where it counted before) in the same transaction as the change itself, so the counts are never ahead of or behind
-- the mail; reading sums a few rows per group. Rows are only ever added, never updated, so two transactions changing
-- the same group never wait for each other or deadlock; mailbox.CountCompactor folds each organization's rows into
-- one per group now and then.
--
-- label_id 0 holds the folder counts of every live message; label_id > 0 the counts of that label's live messages.
-- Both keep what the sidebar's views test (folder, direction, seen, flagged); readers of label counts leave out spam
-- and trash.
CREATE TABLE mail_count (
    org_id     BIGINT  NOT NULL,
    label_id   BIGINT  NOT NULL,
    folder     TEXT    NOT NULL,
    direction  TEXT    NOT NULL,
    seen       BOOLEAN NOT NULL,
    flagged    BOOLEAN NOT NULL,
    n          BIGINT  NOT NULL
);
CREATE INDEX mail_count_org ON mail_count (org_id, label_id);

INSERT INTO mail_count (org_id, label_id, folder, direction, seen, flagged, n)
SELECT org_id, 0, folder, direction, seen, flagged, count(*) FROM email_message
WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO mail_count (org_id, label_id, folder, direction, seen, flagged, n)
SELECT m.org_id, ml.label_id, m.folder, m.direction, m.seen, m.flagged, count(*)
FROM email_message_label ml JOIN email_message m ON m.id = ml.message_id
WHERE m.deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5, 6;

-- New messages: one grouped insert per statement (a batch of 500 adds a handful of rows). A new message has no
-- labels yet; they come with their own rows below.
CREATE FUNCTION mail_count_messages_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO mail_count (org_id, label_id, folder, direction, seen, flagged, n)
    SELECT org_id, 0, folder, direction, seen, flagged, count(*) FROM inserted
    WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5, 6;
    RETURN NULL;
END
$$;
CREATE TRIGGER mail_count_messages_inserted AFTER INSERT ON email_message
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION mail_count_messages_inserted();

-- A message that moved, was read, starred, deleted or restored: out of its old group, into its new one, for the
-- folder counts and for each of its labels. The WHEN clause is tested without calling the function, so the updates
-- that change none of these (a delivery outcome, a search document) cost nothing here.
CREATE FUNCTION mail_count_message_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO mail_count (org_id, label_id, folder, direction, seen, flagged, n)
    SELECT OLD.org_id, l.label_id, OLD.folder, OLD.direction, OLD.seen, OLD.flagged, -1
    FROM (SELECT 0::bigint AS label_id UNION ALL SELECT label_id FROM email_message_label WHERE message_id = OLD.id) l
    WHERE OLD.deleted_at IS NULL
    UNION ALL
    SELECT NEW.org_id, l.label_id, NEW.folder, NEW.direction, NEW.seen, NEW.flagged, 1
    FROM (SELECT 0::bigint AS label_id UNION ALL SELECT label_id FROM email_message_label WHERE message_id = NEW.id) l
    WHERE NEW.deleted_at IS NULL;
    RETURN NULL;
END
$$;
CREATE TRIGGER mail_count_message_changed AFTER UPDATE ON email_message FOR EACH ROW
    WHEN ((OLD.folder, OLD.direction, OLD.seen, OLD.flagged, OLD.deleted_at IS NULL, OLD.org_id)
          IS DISTINCT FROM (NEW.folder, NEW.direction, NEW.seen, NEW.flagged, NEW.deleted_at IS NULL, NEW.org_id))
    EXECUTE FUNCTION mail_count_message_changed();
-- Postroom never deletes a message row (it marks it deleted); a row deleted by hand still leaves the counts right.
-- BEFORE, so its labels are still there to be counted out.
CREATE FUNCTION mail_count_message_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO mail_count (org_id, label_id, folder, direction, seen, flagged, n)
    SELECT OLD.org_id, l.label_id, OLD.folder, OLD.direction, OLD.seen, OLD.flagged, -1
    FROM (SELECT 0::bigint AS label_id UNION ALL SELECT label_id FROM email_message_label WHERE message_id = OLD.id) l
    WHERE OLD.deleted_at IS NULL;
    RETURN OLD;
END
$$;
CREATE TRIGGER mail_count_message_deleted BEFORE DELETE ON email_message FOR EACH ROW
    EXECUTE FUNCTION mail_count_message_deleted();

-- A label put on or taken off: counted with its message's current group. The message row is locked (FOR SHARE)
-- before it is read, so a concurrent change to the same message (read, moved) is either seen here or sees this
-- label: without the lock, each could miss the other and the label's unread count would drift.
CREATE FUNCTION mail_count_labels_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM 1 FROM email_message WHERE id IN (SELECT message_id FROM changed) ORDER BY id FOR SHARE;
        INSERT INTO mail_count (org_id, label_id, folder, direction, seen, flagged, n)
        SELECT m.org_id, c.label_id, m.folder, m.direction, m.seen, m.flagged, count(*)
        FROM changed c JOIN email_message m ON m.id = c.message_id
        WHERE m.deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5, 6;
    ELSE
        PERFORM 1 FROM email_message WHERE id IN (SELECT message_id FROM gone) ORDER BY id FOR SHARE;
        INSERT INTO mail_count (org_id, label_id, folder, direction, seen, flagged, n)
        SELECT m.org_id, g.label_id, m.folder, m.direction, m.seen, m.flagged, -count(*)
        FROM gone g JOIN email_message m ON m.id = g.message_id
        WHERE m.deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5, 6;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER mail_count_labels_added AFTER INSERT ON email_message_label
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION mail_count_labels_changed();
CREATE TRIGGER mail_count_labels_removed AFTER DELETE ON email_message_label
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION mail_count_labels_changed();
