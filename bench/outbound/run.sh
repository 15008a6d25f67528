#!/usr/bin/env bash
# Outbound throughput: Postroom vs. a plain smtplib loop vs. Postfix's smtp-source, in one run, against the private
# Postfix started by scripts/mailserver/start.sh (submission with STARTTLS + AUTH; smtp-source on the plain port).
# Usage: bench/outbound/run.sh [count=2000] [workers=8]
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT="${1:-2000}"
WORKERS="${2:-8}"
ENV_FILE="${POSTROOM_REAL_MAIL_ENV:-/tmp/postroom-mailserver/env}"
[ -f "$ENV_FILE" ] || { echo "start the mail server first: sudo scripts/mailserver/start.sh" >&2; exit 1; }
# shellcheck disable=SC1090
source "$ENV_FILE"
[ -f target/postroom.jar ] || ./mvnw -q -DskipTests package
OUT="$(mktemp -d /tmp/postroom-bench.XXXX)"

# Between phases: let Postfix deliver everything, then empty the bench mailbox, so that no phase pays for the
# previous one's deliveries or for a mailbox that grew by thousands of messages (Dovecot's cost per delivery grows).
settle() {
  for _ in $(seq 1 600); do
    [ -z "$(find "$REAL_MAIL_BASE/postfix-queue/active" "$REAL_MAIL_BASE/postfix-queue/incoming" \
      "$REAL_MAIL_BASE/postfix-queue/maildrop" -type f 2>/dev/null)" ] && break
    sleep 0.2
  done
  doveadm -c "$REAL_MAIL_BASE/dovecot/dovecot.conf" expunge -u bench@postroom.test mailbox INBOX all
  doveadm -c "$REAL_MAIL_BASE/dovecot/dovecot.conf" purge -u bench@postroom.test
  sleep 2
}
settle

echo "== (a) smtplib loop, one connection, STARTTLS + AUTH"
python3 bench/outbound/smtplib_loop.py "$REAL_MAIL_HOST" "$REAL_SMTP_SUBMISSION_PORT" bench@postroom.test \
  "$REAL_MAIL_PASSWORD" "$REAL_MAIL_CA_FILE" "$COUNT" | tee "$OUT/smtplib.txt"
settle

echo "== (b) smtp-source -d -s 8 -l 2048 -m $COUNT (plain port, no TLS)"
START=$(date +%s.%N)
/usr/sbin/smtp-source -d -s 8 -l 2048 -m "$COUNT" -f bench@postroom.test -t bench@postroom.test \
  127.0.0.1:"$REAL_SMTP_PLAIN_PORT"
END=$(date +%s.%N)
python3 -c "import sys; s=float(sys.argv[1]); e=float(sys.argv[2]); n=int(sys.argv[3]); print(f'smtp-source: {n} messages in {e-s:.2f} s = {n/(e-s):.1f} msg/s')" "$START" "$END" "$COUNT" | tee "$OUT/smtp-source.txt"
settle

echo "== (c) Postroom: $COUNT API sends, $WORKERS delivery workers, STARTTLS + AUTH"
PORT=18555
DATA="$OUT/data"
POSTROOM_DATA_DIR="$DATA" SERVER_PORT=$PORT SMTP_HOST="$REAL_MAIL_HOST" SMTP_PORT="$REAL_SMTP_SUBMISSION_PORT" \
  SMTP_USERNAME=founder@postroom.test SMTP_PASSWORD="$REAL_MAIL_PASSWORD" MAIL_TLS_CA_FILE="$REAL_MAIL_CA_FILE" \
  FOUNDER_EMAIL=founder@postroom.test POSTROOM_ADMIN_PASSWORD=bench-admin OUTBOX_WORKERS="$WORKERS" \
  OUTBOX_POLL_INTERVAL=200ms \
  java -Xmx512m -jar target/postroom.jar > "$OUT/postroom.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null' EXIT
for _ in $(seq 1 120); do curl -sf localhost:$PORT/actuator/health/readiness >/dev/null && break; sleep 0.5; done
sleep 2
java bench/outbound/OutboundBench.java "http://127.0.0.1:$PORT" founder@postroom.test bench-admin "$COUNT" 16 100 30 \
  | tee "$OUT/postroom.txt"
echo "results in $OUT"
