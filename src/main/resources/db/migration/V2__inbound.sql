-- Inbound mail: the mailboxes Postroom syncs, where each message lives on the server, the raw bytes, attachments,
-- labels, bounces and the suppression list.

-- A mailbox Postroom syncs over IMAP. 'env' rows mirror IMAP_* (or the sandbox) and are refreshed at every start;
-- their password stays in the environment. 'api' rows are added by an admin; their password is encrypted with a key
-- derived from POSTROOM_SECRET_KEY (AES-GCM).
CREATE TABLE mailbox (
    id             BIGSERIAL PRIMARY KEY,
    org_id         BIGINT      NOT NULL REFERENCES organization (id),
    source         TEXT        NOT NULL CHECK (source IN ('env', 'api')),
    host           TEXT        NOT NULL,
    port           INT         NOT NULL,
    tls            TEXT        NOT NULL CHECK (tls IN ('implicit', 'starttls', 'none')),
    username       TEXT        NOT NULL,
    password_enc   BYTEA,
    folders        TEXT[]      NOT NULL,
    enabled        BOOLEAN     NOT NULL DEFAULT true,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- The configured mailbox is one row per account, whatever port or host it moves to (its UIDVALIDITY tells whether
-- it is still the same store); added mailboxes are unique per server account.
CREATE UNIQUE INDEX mailbox_env_account ON mailbox (org_id, username) WHERE source = 'env';
CREATE UNIQUE INDEX mailbox_api_account ON mailbox (host, port, username) WHERE source = 'api';

-- Sync state per (mailbox, folder): the server's UIDVALIDITY and the highest UID stored. It advances in the same
-- transaction as the messages it covers, so a crash never skips or repeats a message. The lease keeps two instances
-- (or two threads) from syncing one folder at once; unique keys below make a second insert a no-op anyway.
CREATE TABLE mailbox_folder (
    mailbox_id     BIGINT      NOT NULL REFERENCES mailbox (id) ON DELETE CASCADE,
    folder         TEXT        NOT NULL,
    uidvalidity    BIGINT,
    last_uid       BIGINT      NOT NULL DEFAULT 0,
    lease_owner    TEXT,
    lease_until    TIMESTAMPTZ,
    last_sync_at   TIMESTAMPTZ,
    last_error     TEXT,
    messages_total BIGINT      NOT NULL DEFAULT 0,
    PRIMARY KEY (mailbox_id, folder)
);

ALTER TABLE email_message
    ADD COLUMN content_key       TEXT,
    ADD COLUMN sent_date         TIMESTAMPTZ,
    ADD COLUMN raw_size          BIGINT,
    ADD COLUMN has_attachments   BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN auto_reply        BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN spam              BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN quarantine_reason TEXT,
    ADD COLUMN seen              BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN flagged           BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN answered          BOOLEAN NOT NULL DEFAULT false;

-- One inbound message per content key: Message-ID plus a hash of its content (see inbound.ContentKey). A message
-- fetched again (after a crash, a UIDVALIDITY change, from a second mailbox, or from a Postmark retry) finds its row.
CREATE UNIQUE INDEX email_message_inbound_key ON email_message (org_id, content_key) WHERE content_key IS NOT NULL;
CREATE INDEX email_message_quarantined ON email_message (org_id, created_at DESC) WHERE quarantine_reason IS NOT NULL;

-- Where a message is on a server. The primary key is the server's identity of a message, so storing it twice is
-- impossible.
CREATE TABLE message_location (
    mailbox_id   BIGINT      NOT NULL REFERENCES mailbox (id) ON DELETE CASCADE,
    folder       TEXT        NOT NULL,
    uidvalidity  BIGINT      NOT NULL,
    uid          BIGINT      NOT NULL,
    message_id   UUID        NOT NULL REFERENCES email_message (id),
    flags        TEXT[]      NOT NULL DEFAULT '{}',
    PRIMARY KEY (mailbox_id, folder, uidvalidity, uid)
);
CREATE INDEX message_location_message ON message_location (message_id);

-- The raw RFC 822 bytes, verbatim, in chunks so that a 50 MB message is written and read without holding it whole.
CREATE TABLE message_raw (
    message_id  UUID  NOT NULL REFERENCES email_message (id),
    seq         INT   NOT NULL,
    data        BYTEA NOT NULL,
    PRIMARY KEY (message_id, seq)
);
-- Stored as is: attachments are mostly compressed or base64 of compressed data, and trying to compress every
-- megabyte costs more CPU than the disk it saves.
ALTER TABLE message_raw ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TABLE email_attachment (
    id            UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    message_id    UUID        NOT NULL REFERENCES email_message (id),
    org_id        BIGINT      NOT NULL REFERENCES organization (id),
    part_path     TEXT        NOT NULL, -- e.g. "1.2": where the part is in the raw message, to serve it from there
    filename      TEXT,
    content_type  TEXT        NOT NULL,
    size_bytes    BIGINT      NOT NULL,
    sha256        TEXT        NOT NULL,
    content_id    TEXT,
    inline        BOOLEAN     NOT NULL DEFAULT false,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX email_attachment_message ON email_attachment (message_id);

-- Threading by subject looks up recent threads by normalized subject.
CREATE INDEX email_thread_subject ON email_thread (org_id, normalized_subject, last_message_at DESC);

CREATE TABLE email_label (
    id          BIGSERIAL PRIMARY KEY,
    org_id      BIGINT      NOT NULL REFERENCES organization (id),
    name        TEXT        NOT NULL,
    slug        TEXT        NOT NULL,
    color       TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (org_id, slug)
);

CREATE TABLE email_message_label (
    message_id  UUID   NOT NULL REFERENCES email_message (id),
    label_id    BIGINT NOT NULL REFERENCES email_label (id) ON DELETE CASCADE,
    PRIMARY KEY (message_id, label_id)
);
CREATE INDEX email_message_label_label ON email_message_label (label_id);

-- Bounces matched to the outbound message and recipient they report on.
CREATE TABLE bounce (
    id                BIGSERIAL PRIMARY KEY,
    org_id            BIGINT      NOT NULL REFERENCES organization (id),
    outbound_message  UUID        REFERENCES email_message (id),
    recipient         TEXT        NOT NULL,
    hard              BOOLEAN     NOT NULL,
    status_code       TEXT,
    diagnostic        TEXT,
    source            TEXT        NOT NULL, -- 'dsn', 'heuristic', 'postmark'
    report_message    UUID        REFERENCES email_message (id),
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX bounce_outbound ON bounce (outbound_message);
CREATE UNIQUE INDEX bounce_report_once ON bounce (report_message, recipient) WHERE report_message IS NOT NULL;

-- Addresses the sending core refuses (422) after a hard bounce or a spam complaint, until an admin removes them.
CREATE TABLE suppression (
    org_id      BIGINT      NOT NULL REFERENCES organization (id),
    address     TEXT        NOT NULL CHECK (address = lower(address)),
    reason      TEXT        NOT NULL,
    source      TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, address)
);
