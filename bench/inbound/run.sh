#!/usr/bin/env bash
# Inbound ingest: Postroom (fetch, parse, store, thread, classify) vs. a download-only Python imaplib loop, in one run,
# over IMAPS from the private Dovecot started by scripts/mailserver/start.sh.
# Usage: bench/inbound/run.sh [small=5000] [large=20]   (WARMUP=3000 messages synced first, from another mailbox)
# Postroom runs with the JVM options it is deployed with (bench/jvm.sh); POSTROOM_JIT=default for the default JIT.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/jvm.sh
source bench/jvm.sh
SMALL="${1:-5000}"
LARGE="${2:-20}"
WARMUP="${WARMUP:-3000}"
ENV_FILE="${POSTROOM_REAL_MAIL_ENV:-/tmp/postroom-mailserver/env}"
[ -f "$ENV_FILE" ] || { echo "start the mail server first: sudo scripts/mailserver/start.sh" >&2; exit 1; }
# shellcheck disable=SC1090
source "$ENV_FILE"
[ -f target/postroom.jar ] || ./mvnw -q -DskipTests package
OUT="$(mktemp -d /tmp/postroom-inbound-bench.XXXX)"
DOVEADM="doveadm -c $REAL_MAIL_BASE/dovecot/dovecot.conf"

for u in bench@postroom.test bench@example.test; do
  $DOVEADM expunge -u $u mailbox INBOX all
  $DOVEADM purge -u $u
done
# The warm-up mailbox: a server that has run for a while has compiled its ingest path; the first sync after a start
# spends most of its CPU in the JIT compiler (measured: 9 s of compilation in a 7.9 s sync).
python3 bench/inbound/populate.py "$REAL_MAIL_HOST" "$REAL_IMAPS_PORT" bench@example.test "$REAL_MAIL_PASSWORD" \
  "$REAL_MAIL_CA_FILE" "$WARMUP" 8 Warm-up > "$OUT/populate-warmup.txt"
echo "== populating bench@postroom.test"
python3 bench/inbound/populate.py "$REAL_MAIL_HOST" "$REAL_IMAPS_PORT" bench@postroom.test "$REAL_MAIL_PASSWORD" \
  "$REAL_MAIL_CA_FILE" "$SMALL" "$LARGE" | tee "$OUT/populate.txt"

echo "== (a) imaplib, download only, batches of 200"
python3 bench/inbound/imaplib_loop.py "$REAL_MAIL_HOST" "$REAL_IMAPS_PORT" bench@postroom.test "$REAL_MAIL_PASSWORD" \
  "$REAL_MAIL_CA_FILE" 200 | tee "$OUT/imaplib.txt"

echo "== (b) Postroom: a running Postroom is given the mailbox (IMAPS, embedded PostgreSQL) and syncs it"
PORT=18556
POSTROOM_DATA_DIR="$OUT/data" SERVER_PORT=$PORT SMTP_HOST="$REAL_MAIL_HOST" SMTP_PORT="$REAL_SMTP_SUBMISSION_PORT" \
  SMTP_USERNAME=founder@postroom.test SMTP_PASSWORD="$REAL_MAIL_PASSWORD" MAIL_TLS_CA_FILE="$REAL_MAIL_CA_FILE" \
  FOUNDER_EMAIL=founder@postroom.test POSTROOM_ADMIN_PASSWORD=bench-admin \
  java -Xmx512m $DEPLOY_JVM_OPTIONS ${JAVA_OPTS:-} -jar target/postroom.jar > "$OUT/postroom.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf localhost:$PORT/actuator/health/readiness >/dev/null && break; sleep 0.5; done
sleep 10 # start-up's JIT compilation settles; a mailbox is normally added to a running server
TOKEN=$(curl -sf localhost:$PORT/api/auth/login -H 'Content-Type: application/json' \
  -d '{"email":"founder@postroom.test","password":"bench-admin"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
add_mailbox() {
  curl -sf localhost:$PORT/api/email/mailboxes -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"host\":\"$REAL_MAIL_HOST\",\"port\":$REAL_IMAPS_PORT,\"tls\":\"implicit\",\"username\":\"$1\",\"password\":\"$REAL_MAIL_PASSWORD\"}" >/dev/null
  for _ in $(seq 1 1200); do grep -q "Synced INBOX of $1" "$OUT/postroom.log" && break; sleep 0.1; done
}
add_mailbox bench@example.test
echo "warm-up, the first sync after start (cold JIT): $(grep -o "Synced INBOX of bench@example.test.*" "$OUT/postroom.log")"
add_mailbox bench@postroom.test
grep -o "Synced INBOX of bench@postroom.test.*" "$OUT/postroom.log" | tee "$OUT/postroom.txt"
python3 - "$OUT/imaplib.txt" "$OUT/postroom.txt" <<'PY'
import re, sys
a = float(re.search(r"= (\d+) msg/s", open(sys.argv[1]).read()).group(1))
b = float(re.search(r"\((\d+) msg/s\)", open(sys.argv[2]).read()).group(1))
print("Postroom / imaplib = %.2f (target >= 0.30)" % (b / a))
PY

echo "== (c) time to visible with IDLE: 100 deliveries through Postfix to the mailbox Postroom now watches"
python3 bench/inbound/idle_latency.py "http://127.0.0.1:$PORT" "$TOKEN" "$REAL_MAIL_HOST" "$REAL_SMTP_PLAIN_PORT" \
  bench@postroom.test 100 | tee "$OUT/idle.txt"
echo "results in $OUT"
