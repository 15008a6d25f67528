-- Postmark's outbound webhooks: where a server's events go (per stream), and each event's delivery, durable and
-- retried, with a stable id so a handler can drop repeats.
CREATE TABLE postmark_webhook (
    id               BIGSERIAL   PRIMARY KEY,
    org_id           BIGINT      NOT NULL REFERENCES organization (id),
    server_id        BIGINT      NOT NULL REFERENCES postmark_server (id),
    stream           TEXT        NOT NULL DEFAULT 'outbound',
    url              TEXT        NOT NULL,
    username         TEXT,
    password_sealed  BYTEA,
    headers          JSONB       NOT NULL DEFAULT '[]',
    delivery         BOOLEAN     NOT NULL DEFAULT false,
    bounce           BOOLEAN     NOT NULL DEFAULT false,
    spam_complaint   BOOLEAN     NOT NULL DEFAULT false,
    subscription     BOOLEAN     NOT NULL DEFAULT false,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX postmark_webhook_server ON postmark_webhook (server_id);

CREATE TABLE webhook_delivery (
    id               BIGSERIAL   PRIMARY KEY,
    event_id         UUID        NOT NULL DEFAULT gen_random_uuid(),
    webhook_id       BIGINT      NOT NULL REFERENCES postmark_webhook (id) ON DELETE CASCADE,
    org_id           BIGINT      NOT NULL REFERENCES organization (id),
    record_type      TEXT        NOT NULL,
    source_key       TEXT        NOT NULL,
    payload          JSONB       NOT NULL,
    status           TEXT        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INT         NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_status      INT,
    last_error       TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    delivered_at     TIMESTAMPTZ,
    -- One event per fact and webhook, however often the collector looks.
    UNIQUE (webhook_id, source_key)
);
CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_delivery_org ON webhook_delivery (org_id, created_at DESC);

-- Where the collector has read up to in each source of events.
CREATE TABLE webhook_cursor (
    source   TEXT   PRIMARY KEY,
    last_id  BIGINT NOT NULL
);

-- Suppressions get an order, so the collector can find new ones (SubscriptionChange, SpamComplaint events).
ALTER TABLE suppression ADD COLUMN seq BIGSERIAL;
CREATE INDEX suppression_seq ON suppression (seq);

-- The collector starts where the records are now; a webhook gets the facts that come after it was made.
INSERT INTO webhook_cursor (source, last_id) SELECT 'delivery', coalesce(max(id), 0) FROM delivery_attempt;
INSERT INTO webhook_cursor (source, last_id) SELECT 'bounce', coalesce(max(id), 0) FROM bounce;
INSERT INTO webhook_cursor (source, last_id) SELECT 'suppression', coalesce(max(seq), 0) FROM suppression;

-- Mail an application sends through the Postmark API is not copied to the IMAP Sent folder ('skip'): it is not a
-- person's mail, and at an application's volume the copies would double the IMAP server's work.
ALTER TABLE outbox DROP CONSTRAINT outbox_sent_copy_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_sent_copy_check
    CHECK (sent_copy IN ('none', 'pending', 'done', 'failed', 'skip'));
