-- An organization's own wording of a statement kind (Settings › Statement templates), in Mustachio like Postmark's
-- templates. Without a row the kind's built-in template (or TEMPLATES_DIR's file) is used; deleting the row goes
-- back to it.
CREATE TABLE statement_template (
    org_id     BIGINT      NOT NULL REFERENCES organization (id),
    kind       TEXT        NOT NULL,
    subject    TEXT        NOT NULL,
    html_body  TEXT        NOT NULL,
    text_body  TEXT        NOT NULL,
    updated_by BIGINT      REFERENCES app_user (id),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, kind)
);
