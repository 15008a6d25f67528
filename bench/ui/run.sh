#!/usr/bin/env bash
# The web UI on a big mailbox: a fresh Postroom (embedded PostgreSQL, sandbox mail server) gets 100,000 messages in
# 50,000 conversations written straight into its database (the render path is what is measured, not the sync), then
# bench/ui/UiBench.java measures the inbox page, opening conversations, first contentful paint, page weight, the
# list's actions in place at 300 loaded rows, and new mail handed to the sandbox's SMTP port until it shows in the list.
# Needs Debian's chromium and chromium-driver. Usage: bench/ui/run.sh [messages=100000] [runs=200]
set -euo pipefail
cd "$(dirname "$0")/../.."
MESSAGES="${1:-100000}"
RUNS="${2:-200}"
./mvnw -q -DskipTests package test-compile
CP="target/test-classes:$(./mvnw -q dependency:build-classpath -Dmdep.outputFile=/dev/stdout)"
OUT="$(mktemp -d /tmp/postroom-ui-bench.XXXX)"
PORT=18557
SMTP_PORT=18558
POSTROOM_DATA_DIR="$OUT/data" SERVER_PORT=$PORT POSTROOM_ADMIN_PASSWORD=bench-admin-password \
  SANDBOX_SMTP_PORT=$SMTP_PORT SANDBOX_IMAP_PORT=0 java -Xmx512m -jar target/postroom.jar > "$OUT/postroom.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf localhost:$PORT/actuator/health/readiness >/dev/null && break; sleep 0.5; done
PGPORT=$(sed -n 4p "$OUT/data/postgres/postmaster.pid")
export PGPASSWORD; PGPASSWORD=$(cat "$OUT/data/postgres.password")
PSQL="psql -q -h 127.0.0.1 -p $PGPORT -U postgres -d postroom -v ON_ERROR_STOP=1"
echo "== writing $MESSAGES messages"
START=$(date +%s)
$PSQL <<SQL
\set n $MESSAGES
WITH org AS (SELECT id FROM organization ORDER BY id LIMIT 1)
INSERT INTO email_thread (id, org_id, subject, normalized_subject, last_message_at, created_at)
SELECT md5('t' || g)::uuid, org.id, 'Run sheet ' || g || ' for crew ' || (g % 40), 'run sheet ' || g,
       now() - g * interval '1 minute', now() - g * interval '1 minute'
FROM org, generate_series(1, :n / 2) g;
WITH org AS (SELECT id FROM organization ORDER BY id LIMIT 1)
INSERT INTO email_message (org_id, thread_id, direction, status, sender, recipients, subject, body_plain,
                           message_id, content_key, created_at, updated_at, folder, seen, has_attachments)
SELECT org.id, md5('t' || (1 + g % (:n / 2)))::uuid, 'inbound', 'received',
       'Dispatcher ' || (g % 300) || ' <dispatch' || (g % 300) || '@county' || (g % 7) || '.example>',
       '{founder@postroom.test}', 'Run sheet ' || (1 + g % (:n / 2)) || ' for crew ' || ((1 + g % (:n / 2)) % 40),
       'Crew ' || (g % 40) || ' logged ' || (g % 9) || ' runs. Patient transport billed under claim ' || g
         || '. ' || repeat(md5(g::text) || ' mileage odometer signature attached ', 12),
       '<bench-' || g || '@county.example>', 'bench-' || g, now() - (g / 2) * interval '1 minute' - interval '5 seconds',
       now(), 'inbox', g % 3 <> 0, g % 10 = 0
FROM org, generate_series(1, :n) g;
-- Vacuumed as autovacuum leaves a real mailbox: index-only scans (the sidebar's counts) need the visibility map.
VACUUM ANALYZE email_message; VACUUM ANALYZE email_thread;
SQL
echo "written in $(( $(date +%s) - START )) s"
# A real mailbox is read long after it was filled: wait until the machine is quiet (autovacuum vacuums and analyses
# the fresh tables for a while after 100,000 rows; measured at once, the inbox took twice as long).
python3 bench/quiet.py
javac -d "$OUT" -cp "$CP" bench/ui/UiBench.java
java -cp "$OUT:$CP" UiBench "http://localhost:$PORT" founder@postroom.test bench-admin-password "$RUNS" "$SMTP_PORT"
