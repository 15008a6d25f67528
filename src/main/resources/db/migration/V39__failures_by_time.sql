-- The founder's dashboard counts the deliveries that failed in the last 24 hours and lists the latest failures. Both
-- read the messages' table by status and updated_at, which no index leads to: at a million messages the count read the
-- whole table (1.8 s on every view of the dashboard), and the list walked every outbound message.
--
-- An index on the messages' status or updated_at would make every delivery outcome an update not in place (a sent
-- message's status changes; migration 25), which costs far more on every message than the dashboard saves. A failure
-- is also written elsewhere, in rows that are only ever inserted: the attempt that failed for good (the only way a
-- message becomes 'failed', outbound.DeliveryWorker) and the bounce that came back (each 'bounced' message has one,
-- inbound.Bounces and postmark.PostmarkEvents). Both are indexed by time here, and the dashboard starts from them.
CREATE INDEX delivery_attempt_failed ON delivery_attempt (finished_at DESC) WHERE outcome = 'failed';
CREATE INDEX bounce_recent ON bounce (org_id, created_at DESC) WHERE outbound_message IS NOT NULL;
