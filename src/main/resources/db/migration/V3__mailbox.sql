-- The mailbox: Gmail-like views, full-text search, legal holds, retention and the audit log.

-- Which system view a message shows in. Labels are separate (many-to-many); a message is in exactly one view.
ALTER TABLE email_message
    ADD COLUMN folder           TEXT NOT NULL DEFAULT 'inbox'
        CHECK (folder IN ('inbox', 'archive', 'spam', 'trash', 'sent', 'drafts')),
    ADD COLUMN bulk             BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN attachment_names TEXT NOT NULL DEFAULT '',
    ADD COLUMN folder_before    TEXT, -- where a trashed or spam-marked message goes back to on restore
    ADD COLUMN deleted_at       TIMESTAMPTZ,
    ADD COLUMN search_doc       tsvector,
    -- subject: searches its own small document and index, instead of rechecking the subject part of every
    -- candidate's full document (a word common in bodies but rare in subjects made that read thousands of rows).
    ADD COLUMN subject_doc      tsvector;

UPDATE email_message SET folder = CASE
        WHEN direction = 'outbound' THEN 'sent'
        WHEN spam THEN 'spam'
        WHEN status = 'archived' THEN 'archive'
        ELSE 'inbox' END,
    bulk = coalesce((meta ->> 'bulk')::boolean, false);

UPDATE email_message m SET attachment_names = a.names
FROM (SELECT message_id, string_agg(filename, ' ') AS names FROM email_attachment WHERE filename IS NOT NULL
      GROUP BY message_id) a
WHERE a.message_id = m.id;

-- The text search configuration (SEARCH_LANGUAGE). One row; Postroom sets it at start and reindexes when it changes.
CREATE TABLE search_config (
    id        BOOLEAN  PRIMARY KEY DEFAULT true CHECK (id),
    language  regconfig NOT NULL DEFAULT 'english'
);
INSERT INTO search_config DEFAULT VALUES;

-- STABLE, so a query's plainto_tsquery(current_search_config(), ...) is computed once and can drive the GIN index.
CREATE FUNCTION current_search_config() RETURNS regconfig LANGUAGE sql STABLE AS $$
    SELECT language FROM search_config
$$;

-- The search document: subject (A), people and attachment file names (B), body (D). Addresses are indexed whole and
-- split at '@' and '.', so "alice" finds alice@example.com. HTML is indexed as is: the parser drops tags. The body is
-- capped so that one huge message cannot exceed a tsvector's 1 MB limit.
CREATE FUNCTION email_message_search_doc() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    cfg    regconfig := current_search_config();
    people TEXT;
BEGIN
    people := concat_ws(' ', NEW.sender, array_to_string(NEW.recipients, ' '), array_to_string(NEW.cc, ' '),
                        NEW.meta ->> 'from_name');
    -- Text that is not HTML has its angle brackets blanked first: PostgreSQL's parser reads "<script>" in a plain
    -- text as the start of a script element and would skip everything after it.
    NEW.subject_doc := to_tsvector(cfg, translate(coalesce(NEW.subject, ''), '<>', '  '));
    NEW.search_doc :=
        setweight(NEW.subject_doc, 'A') ||
        setweight(to_tsvector('simple', translate(people, '<>', '  ') || ' ' || translate(people, '@._-+<>', '       ')), 'B') ||
        setweight(to_tsvector(cfg, translate(NEW.attachment_names, '<>', '  ') || ' '
                                   || translate(NEW.attachment_names, '._-<>', '     ')), 'B') ||
        setweight(to_tsvector(cfg, CASE WHEN NEW.body_plain <> '' THEN translate(left(NEW.body_plain, 200000), '<>', '  ')
                                        ELSE left(NEW.body_html, 200000) END), 'D');
    RETURN NEW;
END
$$;

CREATE TRIGGER email_message_search_doc
    BEFORE INSERT OR UPDATE OF subject, body_plain, body_html, sender, recipients, cc, attachment_names, search_doc
    ON email_message FOR EACH ROW EXECUTE FUNCTION email_message_search_doc();

UPDATE email_message SET search_doc = NULL;

CREATE INDEX email_message_search ON email_message USING gin (search_doc);
CREATE INDEX email_message_subject_search ON email_message USING gin (subject_doc);
-- The sidebar's counts per folder come from this index alone (an index-only scan of a few bytes per message), not
-- from the table, whose rows carry the bodies.
CREATE INDEX email_message_counts ON email_message (org_id, folder, direction, seen, flagged) WHERE deleted_at IS NULL;
-- The views: newest first within one folder.
CREATE INDEX email_message_folder ON email_message (org_id, folder, created_at DESC) WHERE deleted_at IS NULL;

-- Threads carry what a conversation list shows, kept current as messages arrive or change.
CREATE INDEX email_thread_org_created ON email_thread (org_id, created_at DESC);

-- Legal holds: while one is active on a message or its thread, the message cannot be deleted.
CREATE TABLE legal_hold (
    id           BIGSERIAL PRIMARY KEY,
    org_id       BIGINT      NOT NULL REFERENCES organization (id),
    scope_type   TEXT        NOT NULL CHECK (scope_type IN ('email_message', 'email_thread')),
    scope_id     UUID        NOT NULL,
    reason       TEXT        NOT NULL,
    created_by   BIGINT      REFERENCES app_user (id),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    released_at  TIMESTAMPTZ,
    released_by  BIGINT      REFERENCES app_user (id)
);
CREATE INDEX legal_hold_active ON legal_hold (org_id, scope_id) WHERE released_at IS NULL;

-- Retention per classification: a message younger than retain_days cannot be deleted.
CREATE TABLE retention_policy (
    org_id          BIGINT      NOT NULL REFERENCES organization (id),
    classification  TEXT        NOT NULL,
    retain_days     INT         NOT NULL CHECK (retain_days >= 0),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, classification)
);

-- Who did what to which mail, and when. Append-only.
CREATE TABLE audit_event (
    id           BIGSERIAL PRIMARY KEY,
    org_id       BIGINT      NOT NULL REFERENCES organization (id),
    actor_id     BIGINT      REFERENCES app_user (id),
    actor_email  TEXT,
    action       TEXT        NOT NULL,
    target_type  TEXT        NOT NULL,
    target_id    TEXT        NOT NULL,
    details      JSONB       NOT NULL DEFAULT '{}',
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX audit_event_org ON audit_event (org_id, id DESC);
CREATE INDEX audit_event_target ON audit_event (org_id, target_id);

-- Changes made in Postroom to mail that lives on an IMAP server, written back by a worker so Mailu's webmail agrees.
-- Durable: a change made while the server is down is written when it is back.
CREATE TABLE imap_writeback (
    id           BIGSERIAL PRIMARY KEY,
    mailbox_id   BIGINT      NOT NULL REFERENCES mailbox (id) ON DELETE CASCADE,
    folder       TEXT        NOT NULL,
    uidvalidity  BIGINT      NOT NULL,
    uid          BIGINT      NOT NULL,
    action       TEXT        NOT NULL CHECK (action IN ('add_flag', 'remove_flag', 'move')),
    argument     TEXT        NOT NULL,
    attempts     INT         NOT NULL DEFAULT 0,
    next_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_error   TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX imap_writeback_due ON imap_writeback (mailbox_id, next_at);
