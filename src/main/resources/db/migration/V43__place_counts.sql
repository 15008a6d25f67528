-- GET /api/email/mailboxes' messages_stored, each synced folder's count of the places Postroom has stored for it,
-- kept as places come and go instead of counted at every call (0.34 s for a folder of a million messages: issue 23,
-- counts flat). As with the sidebar's counts (migration 28), a change adds a signed row per folder in its own
-- transaction and never updates one, so two syncs never wait for each other on a count; mailbox.CountCompactor folds
-- the rows into one per folder now and then. Reading sums a few rows.
LOCK TABLE message_location IN SHARE MODE; -- no place added or removed between the count below and the triggers

CREATE TABLE place_count (
    mailbox_id BIGINT NOT NULL,
    folder     TEXT   NOT NULL,
    n          BIGINT NOT NULL
);
CREATE INDEX place_count_folder ON place_count (mailbox_id, folder);

INSERT INTO place_count (mailbox_id, folder, n)
SELECT mailbox_id, folder, count(*) FROM message_location GROUP BY 1, 2;

-- Places added or removed: one row per folder and statement (a sync batch of 200 places adds one). The places of a
-- mailbox being removed go by the foreign key's cascade, whose triggers run after the mailbox's own (below): by then
-- the mailbox is gone, and its places are not counted out of a count that no longer exists.
CREATE FUNCTION place_count_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO place_count (mailbox_id, folder, n) SELECT mailbox_id, folder, count(*) FROM added GROUP BY 1, 2;
    ELSE
        INSERT INTO place_count (mailbox_id, folder, n) SELECT r.mailbox_id, r.folder, -count(*) FROM removed r
        WHERE EXISTS (SELECT 1 FROM mailbox b WHERE b.id = r.mailbox_id) GROUP BY 1, 2;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER place_count_added AFTER INSERT ON message_location
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION place_count_changed();
CREATE TRIGGER place_count_removed AFTER DELETE ON message_location
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION place_count_changed();

-- A place moved to another folder (Postroom moved the message on the server and kept its place). Row by row with a
-- WHEN clause: a statement trigger on UPDATE would also run for every flag change the sync mirrors, which moves
-- nothing.
CREATE FUNCTION place_count_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO place_count (mailbox_id, folder, n) VALUES (OLD.mailbox_id, OLD.folder, -1),
                                                           (NEW.mailbox_id, NEW.folder, 1);
    RETURN NULL;
END
$$;
CREATE TRIGGER place_count_moved AFTER UPDATE ON message_location FOR EACH ROW
    WHEN (OLD.mailbox_id <> NEW.mailbox_id OR OLD.folder <> NEW.folder) EXECUTE FUNCTION place_count_moved();

-- A mailbox removed: its counts go.
CREATE FUNCTION place_count_mailbox_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM place_count WHERE mailbox_id = OLD.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER place_count_mailbox_removed AFTER DELETE ON mailbox FOR EACH ROW
    EXECUTE FUNCTION place_count_mailbox_removed();
