-- One-time background jobs that have finished, so that they do not scan the mail again at every start.
CREATE TABLE maintenance_done (
    task     TEXT        PRIMARY KEY,
    done_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
