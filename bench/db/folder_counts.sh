#!/usr/bin/env bash
# A synced folder's stored count at a million places: GET /api/email/mailboxes with the kept counts (migration 43)
# against the count over the folder's places that it made before. Postroom's jar runs on a fresh data folder without
# background work; the places are written straight into its database with the triggers off (session_replication_role
# = replica, so no message rows are needed), then their kept counts as the sync leaves them: one row per batch of 200
# before the compactor folds them (the worst case), or one row per folder after. Each figure: 20 warm calls.
# Usage: bench/db/folder_counts.sh [places=1000000]
set -euo pipefail
cd "$(dirname "$0")/../.."
PLACES="${1:-1000000}"
PORT=18591
command -v psql >/dev/null || { echo "psql is missing: apt-get install postgresql-client" >&2; exit 1; }
[ -f target/postroom.jar ] || ./mvnw -q -DskipTests package
OUT="$(mktemp -d /tmp/postroom-folder-counts.XXXX)"
POSTROOM_DATA_DIR="$OUT/data" SERVER_PORT=$PORT FOUNDER_EMAIL=founder@postroom.test POSTROOM_ADMIN_PASSWORD=bench-admin \
  POSTROOM_BACKGROUND_WORKERS=false java -Xmx512m -XX:TieredStopAtLevel=1 -jar target/postroom.jar > "$OUT/postroom.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$OUT"' EXIT
for _ in $(seq 1 180); do curl -sf localhost:$PORT/actuator/health/readiness >/dev/null && break; sleep 1; done
sql() { PGPASSWORD="$(cat "$OUT/data/postgres.password")" psql -h 127.0.0.1 \
  -p "$(sed -n 4p "$OUT/data/postgres/postmaster.pid")" -U postgres -d postroom -v ON_ERROR_STOP=1 -Atq "$@"; }

MAILBOX=$(sql -c "INSERT INTO mailbox (org_id, source, host, port, tls, username, folders)
  SELECT id, 'api', 'imap.example.test', 993, 'implicit', 'bench@example.test', '{INBOX}' FROM organization
  ORDER BY id LIMIT 1 RETURNING id")
sql <<SQL
INSERT INTO mailbox_folder (mailbox_id, folder, uidvalidity, last_uid, last_sync_at, messages_total)
VALUES ($MAILBOX, 'INBOX', 1, $PLACES, now(), $PLACES);
SET session_replication_role = replica;
INSERT INTO message_location (mailbox_id, folder, uidvalidity, uid, message_id)
SELECT $MAILBOX, 'INBOX', 1, g, gen_random_uuid() FROM generate_series(1, $PLACES) g;
INSERT INTO place_count (mailbox_id, folder, n) SELECT $MAILBOX, 'INBOX', 200 FROM generate_series(1, $PLACES / 200);
SET session_replication_role = origin;
VACUUM ANALYZE message_location;
VACUUM ANALYZE place_count;
SQL

TOKEN=$(curl -sf -H 'Content-Type: application/json' -d '{"email":"founder@postroom.test","password":"bench-admin"}' \
  localhost:$PORT/api/auth/login | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
api() { # label
  local times=()
  for _ in $(seq 1 25); do
    times+=("$(curl -sf -o "$OUT/answer.json" -w '%{time_total}' -H "Authorization: Bearer $TOKEN" \
      localhost:$PORT/api/email/mailboxes)")
  done
  python3 - "$1" "$OUT/answer.json" "${times[@]:5}" <<'PY'
import json, statistics, sys
label, answer, times = sys.argv[1], sys.argv[2], sorted(float(t) * 1000 for t in sys.argv[3:])
stored = [f["messages_stored"] for m in json.load(open(answer)) for f in m["sync"]]
print("  %-58s p50 %6.1f ms, p95 %6.1f ms (messages_stored %s)" % (label, statistics.median(times),
      times[int(len(times) * 0.95) - 1], stored))
PY
}
query() { # label sql
  local times=()
  for _ in $(seq 1 25); do
    times+=("$(sql -c "EXPLAIN (ANALYZE, FORMAT JSON) $2" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Execution Time"])')")
  done
  python3 -c 'import statistics, sys; t = sorted(float(x) for x in sys.argv[2:]); print("  %-58s p50 %6.1f ms, p95 %6.1f ms" % (sys.argv[1], statistics.median(t), t[int(len(t) * 0.95) - 1]))' "$1" "${times[@]:5}"
}

echo "A folder of $PLACES places (20 warm calls each, after 5):"
query "the count over its places (before migration 43)" \
  "SELECT count(*) FROM message_location l WHERE l.mailbox_id = $MAILBOX AND l.folder = 'INBOX'"
query "its kept count, unfolded ($((PLACES / 200)) rows)" \
  "SELECT coalesce(sum(n), 0) FROM place_count WHERE mailbox_id = $MAILBOX AND folder = 'INBOX'"
api "GET /api/email/mailboxes, unfolded"
sql -c "WITH gone AS (DELETE FROM place_count WHERE mailbox_id = $MAILBOX RETURNING folder, n)
  INSERT INTO place_count (mailbox_id, folder, n) SELECT $MAILBOX, folder, sum(n) FROM gone GROUP BY folder" > /dev/null
sql -c "VACUUM ANALYZE place_count"
query "its kept count, folded (1 row)" \
  "SELECT coalesce(sum(n), 0) FROM place_count WHERE mailbox_id = $MAILBOX AND folder = 'INBOX'"
api "GET /api/email/mailboxes, folded"
