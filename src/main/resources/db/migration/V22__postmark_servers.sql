-- Postmark's API on Postroom: a "server" is a sending token of one organization (X-Postmark-Server-Token), limited
-- to the sender addresses or domains it lists (none: any address the organization may send from). The token is shown
-- once; only its SHA-256 is kept.
CREATE TABLE postmark_server (
    id            BIGSERIAL   PRIMARY KEY,
    org_id        BIGINT      NOT NULL REFERENCES organization (id),
    name          TEXT        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    token_hash    BYTEA       NOT NULL UNIQUE,
    token_hint    TEXT        NOT NULL,
    senders       TEXT[]      NOT NULL DEFAULT '{}',
    created_by    BIGINT      REFERENCES app_user (id),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at  TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ
);
CREATE INDEX postmark_server_org ON postmark_server (org_id);
