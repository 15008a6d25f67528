-- Postroom foundation: tenants, users, tokens, the mail model and the durable outbox.

CREATE TABLE organization (
    id            BIGSERIAL PRIMARY KEY,
    name          TEXT        NOT NULL,
    email_domain  TEXT        NOT NULL UNIQUE CHECK (email_domain = lower(email_domain)),
    phone         TEXT,
    external_id   TEXT        UNIQUE, -- the platform's own id for this organization (JWT org claim)
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE app_user (
    id             BIGSERIAL PRIMARY KEY,
    org_id         BIGINT      NOT NULL REFERENCES organization (id),
    email          TEXT        NOT NULL UNIQUE CHECK (email = lower(email)),
    password_hash  TEXT,
    roles          TEXT[]      NOT NULL DEFAULT '{}',
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Bearer tokens: long-lived API tokens made by an admin, and session tokens from POST /api/auth/login.
-- Only the SHA-256 of the token is stored; the token itself is shown once.
CREATE TABLE api_token (
    id            BIGSERIAL PRIMARY KEY,
    org_id        BIGINT      NOT NULL REFERENCES organization (id),
    user_id       BIGINT      NOT NULL REFERENCES app_user (id),
    kind          TEXT        NOT NULL CHECK (kind IN ('api', 'session')),
    name          TEXT        NOT NULL,
    token_hash    BYTEA       NOT NULL UNIQUE,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at    TIMESTAMPTZ,
    last_used_at  TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ
);
CREATE INDEX api_token_user ON api_token (user_id);

CREATE TABLE email_thread (
    id                  UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id              BIGINT      NOT NULL REFERENCES organization (id),
    subject             TEXT        NOT NULL DEFAULT '',
    normalized_subject  TEXT        NOT NULL DEFAULT '',
    status              TEXT        NOT NULL DEFAULT 'open',
    last_message_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX email_thread_org_last ON email_thread (org_id, last_message_at DESC);

-- One row per message, inbound or outbound, in the shape of ORIGINAL-API.md's message object.
CREATE TABLE email_message (
    id              UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          BIGINT      NOT NULL REFERENCES organization (id),
    thread_id       UUID        NOT NULL REFERENCES email_thread (id),
    direction       TEXT        NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    status          TEXT        NOT NULL,
    classification  TEXT        NOT NULL DEFAULT 'ops',
    sender          TEXT,
    recipients      TEXT[]      NOT NULL DEFAULT '{}',
    cc              TEXT[]      NOT NULL DEFAULT '{}',
    bcc             TEXT[]      NOT NULL DEFAULT '{}',
    reply_to        TEXT,
    subject         TEXT        NOT NULL DEFAULT '',
    body_plain      TEXT        NOT NULL DEFAULT '',
    body_html       TEXT        NOT NULL DEFAULT '',
    message_id      TEXT,
    in_reply_to     TEXT,
    references_ids  TEXT[]      NOT NULL DEFAULT '{}',
    meta            JSONB       NOT NULL DEFAULT '{}',
    created_by      BIGINT      REFERENCES app_user (id),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX email_message_org_created ON email_message (org_id, created_at DESC);
CREATE INDEX email_message_thread ON email_message (thread_id, created_at);
CREATE INDEX email_message_message_id ON email_message (org_id, message_id);

-- The durable outbox: the exact MIME bytes to send and the delivery state. A row is written in the same
-- transaction as its email_message, so an accepted send is never lost.
CREATE TABLE outbox (
    message_id        UUID        PRIMARY KEY REFERENCES email_message (id),
    org_id            BIGINT      NOT NULL REFERENCES organization (id),
    envelope_from     TEXT        NOT NULL,
    pending_rcpts     TEXT[]      NOT NULL,
    accepted_rcpts    TEXT[]      NOT NULL DEFAULT '{}',
    failed_rcpts      TEXT[]      NOT NULL DEFAULT '{}',
    mime              BYTEA       NOT NULL,
    status            TEXT        NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts          INT         NOT NULL DEFAULT 0,
    next_attempt_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    give_up_at        TIMESTAMPTZ NOT NULL,
    lease_until       TIMESTAMPTZ,
    claimed_by        TEXT,
    last_error        TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at           TIMESTAMPTZ,
    sent_copy         TEXT        NOT NULL DEFAULT 'none' CHECK (sent_copy IN ('none', 'pending', 'done', 'failed')),
    sent_copy_tries   INT         NOT NULL DEFAULT 0
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status IN ('queued', 'sending');
CREATE INDEX outbox_sent_copy ON outbox (created_at) WHERE sent_copy = 'pending';

-- Every SMTP attempt, with the server's reply, and per recipient when the server answered per recipient.
CREATE TABLE delivery_attempt (
    id            BIGSERIAL PRIMARY KEY,
    message_id    UUID        NOT NULL REFERENCES outbox (message_id),
    attempt_no    INT         NOT NULL,
    started_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ NOT NULL,
    outcome       TEXT        NOT NULL CHECK (outcome IN ('sent', 'partial', 'deferred', 'failed')),
    smtp_code     INT,
    smtp_reply    TEXT,
    recipients    JSONB       NOT NULL DEFAULT '[]',
    worker        TEXT
);
CREATE INDEX delivery_attempt_message ON delivery_attempt (message_id, attempt_no);

-- Idempotency-Key: the first answer to a key is kept and replayed; the same key with another body is a 409.
CREATE TABLE idempotency_record (
    org_id         BIGINT      NOT NULL REFERENCES organization (id),
    route          TEXT        NOT NULL,
    idem_key       TEXT        NOT NULL,
    request_hash   BYTEA       NOT NULL,
    status_code    INT,
    response_body  TEXT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, route, idem_key)
);

CREATE TABLE contact_submission (
    id             BIGSERIAL PRIMARY KEY,
    org_id         BIGINT      NOT NULL REFERENCES organization (id),
    name           TEXT        NOT NULL,
    email          TEXT        NOT NULL,
    organization   TEXT,
    subject        TEXT,
    message        TEXT        NOT NULL,
    client_ip      TEXT        NOT NULL,
    email_message  UUID        REFERENCES email_message (id),
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX contact_submission_ip ON contact_submission (client_ip, created_at);

-- Running Postroom instances. A claim (outbox delivery, sent copy) held by an instance whose heartbeat has stopped
-- is taken over at once instead of waiting for its lease to run out: a killed instance's mail goes out on restart.
CREATE TABLE postroom_instance (
    id            TEXT        PRIMARY KEY,
    started_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    heartbeat_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
