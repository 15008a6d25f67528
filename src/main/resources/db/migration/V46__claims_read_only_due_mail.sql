-- The outbox's claim index keyed by status first, so that a claim reads only the mail it may take.
--
-- Why: the claim wants queued mail whose time has come and mail left in 'sending' by a dead instance or an expired
-- lease, in the order of next_attempt_at. With the index on next_attempt_at alone, PostgreSQL read the two kinds
-- together in time order and filtered them, which stops early only when enough due rows come first: with mail waiting
-- for later (a statement run scheduled for tomorrow, or thousands of messages deferred while the mail server is down)
-- every claim of every worker read every waiting row. 12,001 deferred messages: 38 ms and 12,000 rows read per claim,
-- eight workers polling. Keyed by (status, next_attempt_at) the claim (Outbox.claim, now one arm per status) reads
-- the queued rows up to now() and the few in 'sending': 0.3 ms. docs/benchmarks.md, Outbound, session 30.
CREATE INDEX outbox_claimable ON outbox (status, next_attempt_at) WHERE status IN ('queued', 'sending');
DROP INDEX outbox_due;
ALTER INDEX outbox_claimable RENAME TO outbox_due;
