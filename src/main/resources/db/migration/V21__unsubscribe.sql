-- Unsubscribing from one stream of bulk mail (RFC 8058 one-click): a suppression may now be for one stream only.
-- '' is every stream, as bounces and complaints always were.
ALTER TABLE suppression ADD COLUMN stream TEXT NOT NULL DEFAULT '';
ALTER TABLE suppression DROP CONSTRAINT suppression_pkey;
ALTER TABLE suppression ADD PRIMARY KEY (org_id, address, stream);

-- The opaque token in an unsubscribe link: the address is never in the URL (proxies and logs keep URLs). One token
-- per organization, address and stream, so every statement to a patient carries the same working link.
CREATE TABLE unsubscribe_link (
    token       TEXT        PRIMARY KEY,
    org_id      BIGINT      NOT NULL REFERENCES organization (id),
    address     TEXT        NOT NULL CHECK (address = lower(address)),
    stream      TEXT        NOT NULL CHECK (stream <> ''),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    used_at     TIMESTAMPTZ,
    UNIQUE (org_id, address, stream)
);

-- The doctor's bulk check reads the latest statement sent; statements are few among all mail.
CREATE INDEX email_message_statements ON email_message (org_id, created_at DESC)
    WHERE (meta ->> 'statement_number') IS NOT NULL;
