-- The doctor (docs/deliverability.md): every run with its report, the last known status of each check (alerts fire
-- when it gets worse), when each organization's next scheduled run is due (claimed by one instance), and the tokens
-- of round-trip probes in flight (inbound sync skips a probe whose token is here, so probes are never stored).

CREATE TABLE deliverability_run (
    id          BIGSERIAL   PRIMARY KEY,
    org_id      BIGINT      NOT NULL REFERENCES organization (id),
    domain      TEXT        NOT NULL,
    status      TEXT        NOT NULL,
    trigger     TEXT        NOT NULL CHECK (trigger IN ('api', 'schedule')),
    checked_at  TIMESTAMPTZ NOT NULL,
    report      JSONB       NOT NULL
);
CREATE INDEX deliverability_run_latest ON deliverability_run (org_id, domain, checked_at DESC);

CREATE TABLE deliverability_state (
    org_id      BIGINT      NOT NULL REFERENCES organization (id),
    domain      TEXT        NOT NULL,
    check_id    TEXT        NOT NULL,
    status      TEXT        NOT NULL,
    message     TEXT        NOT NULL,
    since       TIMESTAMPTZ NOT NULL,
    alerted_at  TIMESTAMPTZ,
    PRIMARY KEY (org_id, domain, check_id)
);

CREATE TABLE deliverability_schedule (
    org_id      BIGINT      PRIMARY KEY REFERENCES organization (id),
    next_run_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE doctor_probe (
    token       TEXT        PRIMARY KEY,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
