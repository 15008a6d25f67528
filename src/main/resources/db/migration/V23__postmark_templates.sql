-- Postmark templates (Mustachio), per Postmark server as at Postmark: found by id or by alias.
CREATE TABLE postmark_template (
    id               BIGSERIAL   PRIMARY KEY,
    org_id           BIGINT      NOT NULL REFERENCES organization (id),
    server_id        BIGINT      NOT NULL REFERENCES postmark_server (id),
    name             TEXT        NOT NULL,
    alias            TEXT,
    subject          TEXT        NOT NULL DEFAULT '',
    html_body        TEXT        NOT NULL DEFAULT '',
    text_body        TEXT        NOT NULL DEFAULT '',
    template_type    TEXT        NOT NULL DEFAULT 'Standard' CHECK (template_type IN ('Standard', 'Layout')),
    layout_template  TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (server_id, alias)
);
CREATE INDEX postmark_template_server ON postmark_template (server_id, id);
