#!/usr/bin/env bash
# Search: Postroom (-Xmx512m, embedded PostgreSQL) over N generated messages synced from the private Dovecot, 20 query
# shapes and the folder listing, compared in the same run with Dovecot's own SEARCH TEXT and with `mu find` (when mu is
# installed) over the same messages.
# Usage: bench/search/run.sh [count=100000]
# Postroom runs with the JVM's default tiered JIT, not the deployed C1 only (bench/jvm.sh): syncing the mailbox is a
# large first import, for which docs/deploy.md ("The JVM's compiler") says to restore it.
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT="${1:-100000}"
ENV_FILE="${POSTROOM_REAL_MAIL_ENV:-/tmp/postroom-mailserver/env}"
[ -f "$ENV_FILE" ] || { echo "start the mail server first: sudo scripts/mailserver/start.sh" >&2; exit 1; }
# shellcheck disable=SC1090
source "$ENV_FILE"
[ -f target/postroom.jar ] || ./mvnw -q -DskipTests package
OUT="$(mktemp -d /tmp/postroom-search-bench.XXXX)"
DOVEADM="doveadm -c $REAL_MAIL_BASE/dovecot/dovecot.conf"
USER_=bench@postroom.test

# A mailbox that already holds exactly COUNT messages is reused; REPOPULATE=1 forces a fresh one (populate.py is
# seeded, so it rebuilds the same mail).
if [ -z "${REPOPULATE:-}" ] && [ "$($DOVEADM -f flow mailbox status -u $USER_ messages INBOX | awk -F= '{print $NF}')" = "$COUNT" ]; then
  echo "== reusing $USER_ with $COUNT messages"
else
  $DOVEADM expunge -u $USER_ mailbox INBOX all
  $DOVEADM purge -u $USER_
  echo "== populating $USER_ with $COUNT messages"
  REPOPULATED=1
  MAILDIR="$REAL_MAIL_BASE/mail/${USER_#*@}/${USER_%@*}/Maildir"
  if [ -w "$MAILDIR/new" ] && [ -z "${POPULATE_OVER_IMAP:-}" ]; then
    # Straight into the Maildir, then Dovecot indexes it: minutes, not the hour of APPENDs (POPULATE_OVER_IMAP=1).
    python3 bench/search/populate.py --maildir "$MAILDIR" "$COUNT" | tee "$OUT/populate.txt"
    chown -R "$(stat -c %u:%g "$MAILDIR")" "$MAILDIR"
    $DOVEADM force-resync -u $USER_ INBOX
  else
    python3 bench/search/populate.py "$REAL_MAIL_HOST" "$REAL_IMAPS_PORT" $USER_ "$REAL_MAIL_PASSWORD" \
      "$REAL_MAIL_CA_FILE" "$COUNT" | tee "$OUT/populate.txt"
  fi
fi

echo "== Postroom syncs the mailbox"
PORT=18557
# BENCH_DATA=<dir> keeps Postroom's data there; a second run with the same dir reuses the synced database (to try a
# change to the search code without syncing 100,000 messages again).
DATA="${BENCH_DATA:-$OUT/data}"
REUSE=""; [ -d "$DATA/postgres" ] && REUSE=1
if [ -n "$REUSE" ] && [ -n "${REPOPULATED:-}" ]; then
  # A rebuilt mailbox (new UIDVALIDITY) would be synced again in the background while the queries run.
  echo "the mailbox was rebuilt, so $DATA is not reused: syncing into $OUT/data"
  DATA="$OUT/data"; REUSE=""
fi
POSTROOM_DATA_DIR="$DATA" SERVER_PORT=$PORT FOUNDER_EMAIL=founder@postroom.test POSTROOM_ADMIN_PASSWORD=bench-admin \
  MAIL_TLS_CA_FILE="$REAL_MAIL_CA_FILE" SMTP_HOST="$REAL_MAIL_HOST" SMTP_PORT="$REAL_SMTP_SUBMISSION_PORT" \
  SMTP_USERNAME=founder@postroom.test SMTP_PASSWORD="$REAL_MAIL_PASSWORD" \
  java -Xmx512m -jar target/postroom.jar > "$OUT/postroom.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf localhost:$PORT/actuator/health/readiness >/dev/null && break; sleep 0.5; done
TOKEN=$(curl -sf localhost:$PORT/api/auth/login -H 'Content-Type: application/json' \
  -d '{"email":"founder@postroom.test","password":"bench-admin"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
if [ -n "$REUSE" ]; then
  echo "reusing the database in $DATA"
else
  curl -sf localhost:$PORT/api/email/mailboxes -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"host\":\"$REAL_MAIL_HOST\",\"port\":$REAL_IMAPS_PORT,\"tls\":\"implicit\",\"username\":\"$USER_\",\"password\":\"$REAL_MAIL_PASSWORD\"}" >/dev/null
  for _ in $(seq 1 7200); do grep -q "Synced INBOX of bench" "$OUT/postroom.log" && break; sleep 1; done
  grep -o "Synced INBOX of bench.*" "$OUT/postroom.log" | tee "$OUT/sync.txt"
fi
# A real mailbox is queried long after it was filled: wait until the machine is quiet (autovacuum has vacuumed and
# analysed the fresh tables, which takes seconds after a sync of 100,000 and ran into the first shapes otherwise).
python3 bench/quiet.py
echo "== queries"
[ "$COUNT" -gt 200000 ] && export DOVECOT_RUNS="${DOVECOT_RUNS:-1}"
python3 bench/search/query.py "http://127.0.0.1:$PORT" "$TOKEN" "$REAL_MAIL_HOST" "$REAL_IMAPS_PORT" $USER_ \
  "$REAL_MAIL_PASSWORD" "$REAL_MAIL_CA_FILE" | tee "$OUT/queries.txt"
# Memory (issue 23: the server at -Xmx512m through ingest and search): the heap after a full collection, the process's
# peak resident size, and whether it ever ran out.
{
  jcmd $PID GC.run >/dev/null 2>&1 || true
  echo "memory: -Xmx512m; heap in use after a full GC: $(jcmd $PID GC.heap_info 2>/dev/null | grep -o 'used [0-9]*K' | head -1);" \
    "peak resident set $(awk '/VmHWM/ {print $2, $3}' /proc/$PID/status);" \
    "OutOfMemoryError in the log: $(grep -c OutOfMemoryError "$OUT/postroom.log" || true)"
} | tee "$OUT/memory.txt"
# The anchor for each shape: mu (maildir-utils) indexes the same Maildir, then `mu find` runs each shape
# (bench/search/mu_find.py). Skipped when mu is not installed (apt-get install maildir-utils) or with MU=0.
MAILDIR="$REAL_MAIL_BASE/mail/${USER_#*@}/${USER_%@*}/Maildir"
if command -v mu >/dev/null && [ "${MU:-1}" != 0 ]; then
  echo "== mu index and mu find over the same Maildir"
  mu init --muhome="$OUT/mu" --maildir="$MAILDIR" >/dev/null
  python3 - "$OUT/mu" "$COUNT" <<'PY' | tee "$OUT/mu-index.txt"
import resource, subprocess, sys, time
t = time.time()
subprocess.run(["mu", "index", "--muhome=" + sys.argv[1]], check=True, stdout=subprocess.DEVNULL)
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
n = int(sys.argv[2])
print("mu index: %d messages in %.1f s (%.0f msg/s, %.2f CPU-ms per message)" % (
    n, time.time() - t, n / (time.time() - t), (ru.ru_utime + ru.ru_stime) * 1000 / n))
PY
  python3 bench/search/mu_find.py "$OUT/mu" | tee "$OUT/mu-find.txt"
  rm -rf "$OUT/mu"
fi

# Disk: PostgreSQL's relation files (tables, TOAST, indexes; base/ leaves out the write-ahead log, which is bounded
# by max_wal_size whatever the mailbox) against the Maildir Dovecot keeps for the same messages (issue 23: <= 1.5x).
# Postroom's database is the largest directory under base/; the others are the template databases every PostgreSQL
# has (about 26 MB in all, whatever the mailbox's size), counted in the second figure.
python3 - "$(du -sb "$DATA"/postgres/base/[0-9]* | sort -n | tail -1 | cut -f1)" "$(du -sb "$DATA/postgres/base" | cut -f1)" \
  "$(du -sb --exclude='dovecot*' "$MAILDIR" | cut -f1)" "$COUNT" <<'PY' | tee "$OUT/disk.txt"
import sys
db, base, maildir, n = (int(a) for a in sys.argv[1:5])
print("disk: Postroom's database %.0f bytes per message (all of base/, template databases included, %.0f), the Maildir"
      " %.0f; database / Maildir = %.3f (target <= 1.5), base / Maildir = %.3f" % (
    db / n, base / n, maildir / n, db / maildir, base / maildir))
PY
echo "results in $OUT"
