#!/usr/bin/env bash
# Outbound throughput: Postroom vs. a plain smtplib loop vs. Postfix's smtp-source, in one run, against the private
# Postfix started by scripts/mailserver/start.sh (submission with STARTTLS + AUTH; smtp-source on the plain port).
# Usage: bench/outbound/run.sh [count=2000] [workers=8]; PHASES="c e" runs only those phases (default: a b c e d);
# POSTROOM_JAVA_OPTS adds JVM options to Postroom (e.g. "-XX:StartFlightRecording=filename=/tmp/c.jfr,settings=profile").
# BENCH_BODY=varied sends bodies of varied words (a real statement's search document and row size) instead of one
# sentence repeated (the history's method). Postroom runs with the JVM options it is deployed with (bench/jvm.sh: C1
# only); POSTROOM_JIT=default runs the JVM's default tiered JIT. BENCH_SEARCH_BODIES=false makes phase (e)'s Postmark
# server one whose mail's text is not indexed for search (a server's choice since migration 42).
# DELIVERY_WORKERS=n runs Postroom with n delivery workers instead of one per client (OUTBOX_CLAIM_BATCH and other
# settings in the environment reach Postroom too).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/jvm.sh
source bench/jvm.sh
COUNT="${1:-2000}"
WORKERS="${2:-8}"
ENV_FILE="${POSTROOM_REAL_MAIL_ENV:-/tmp/postroom-mailserver/env}"
[ -f "$ENV_FILE" ] || { echo "start the mail server first: sudo scripts/mailserver/start.sh" >&2; exit 1; }
# shellcheck disable=SC1090
source "$ENV_FILE"
[ -f target/postroom.jar ] || ./mvnw -q -DskipTests package
OUT="$(mktemp -d /tmp/postroom-bench.XXXX)"
echo "Postroom's JVM: ${DEPLOY_JVM_OPTIONS:-the default tiered JIT} ${POSTROOM_JAVA_OPTS:-}" | tee "$OUT/summary.txt"

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
phase() { [[ " ${PHASES:-a b c e d} " == *" $1 "* ]]; }

# CPU per program over a phase: bench/cpu.py records cumulative CPU per program before and after.
cpu() { python3 bench/cpu.py snap "$OUT/cpu-$1.json" "${2:-0}"; }
cpu_report() { echo "CPU per program, $3:"; python3 bench/cpu.py report "$OUT/cpu-$1.json" "$OUT/cpu-$2.json"; }
queue_empty() {
  [ -z "$(find "$REAL_MAIL_BASE/postfix-queue/active" "$REAL_MAIL_BASE/postfix-queue/incoming" \
    "$REAL_MAIL_BASE/postfix-queue/maildrop" -type f 2>/dev/null)" ]
}

if phase a; then
echo "== (a) smtplib loop, one connection, STARTTLS + AUTH"
cpu a0
python3 bench/outbound/smtplib_loop.py "$REAL_MAIL_HOST" "$REAL_SMTP_SUBMISSION_PORT" bench@postroom.test \
  "$REAL_MAIL_PASSWORD" "$REAL_MAIL_CA_FILE" "$COUNT" | tee "$OUT/smtplib.txt"
cpu a1
cpu_report a0 a1 "until the last 250"
settle
fi

if phase b; then
echo "== (b) smtp-source -d -s 8 -l 2048 -m $COUNT (plain port, no TLS)"
cpu b0
START=$(date +%s.%N)
/usr/sbin/smtp-source -d -s 8 -l 2048 -m "$COUNT" -f bench@postroom.test -t bench@postroom.test \
  127.0.0.1:"$REAL_SMTP_PLAIN_PORT"
END=$(date +%s.%N)
cpu b1
until queue_empty; do sleep 0.1; done
DELIVERED=$(date +%s.%N)
cpu b2
python3 -c "import sys; s, e, d, n = map(float, sys.argv[1:]); print(f'smtp-source: {n:.0f} messages in {e-s:.2f} s = {n/(e-s):.1f} msg/s; Postfix had delivered them all into Dovecot after {d-s:.2f} s ({n/(d-s):.1f} msg/s)')" "$START" "$END" "$DELIVERED" "$COUNT" | tee "$OUT/smtp-source.txt"
cpu_report b0 b1 "until the last 250"
cpu_report b0 b2 "until Postfix had delivered every message into Dovecot (the mail server's full cost)"
settle
fi

# Postroom from the jar, on a fresh data folder, sending to the SMTP server given in the environment.
start_postroom() {
  local name=$1; shift
  env POSTROOM_DATA_DIR="$OUT/data-$name" SERVER_PORT=$PORT SMTP_HOST="$REAL_MAIL_HOST" \
    SMTP_PORT="$REAL_SMTP_SUBMISSION_PORT" SMTP_USERNAME=founder@postroom.test SMTP_PASSWORD="$REAL_MAIL_PASSWORD" \
    MAIL_TLS_CA_FILE="$REAL_MAIL_CA_FILE" FOUNDER_EMAIL=founder@postroom.test POSTROOM_ADMIN_PASSWORD=bench-admin \
    OUTBOX_WORKERS="${DELIVERY_WORKERS:-$WORKERS}" OUTBOX_POLL_INTERVAL=200ms "$@" \
    java -Xmx512m $DEPLOY_JVM_OPTIONS ${POSTROOM_JAVA_OPTS:-} -jar target/postroom.jar > "$OUT/postroom-$name.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 120); do curl -sf localhost:$PORT/actuator/health/readiness >/dev/null && break; sleep 0.5; done
  sleep 2
}
stop_postroom() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; PID=; }
run_postroom_bench() {
  mkdir -p "$OUT/cpu-$1"
  CPU_DIR="$OUT/cpu-$1" POSTROOM_PID=$PID MODE="${2:-api}" MAIL_QUEUE="$REAL_MAIL_BASE/postfix-queue" java bench/outbound/OutboundBench.java \
    "http://127.0.0.1:$PORT" founder@postroom.test bench-admin "$COUNT" 8 100 30 | tee "$OUT/postroom-$1.txt"
  cpu_report "$1/start" "$1/accepted" "while the burst was accepted"
  cpu_report "$1/start" "$1/sent" "from the first API call until the last message was sent"
  python3 bench/cpu.py permsg "$OUT/cpu-$1/start.json" "$OUT/cpu-$1/sent.json" "$COUNT" | tee -a "$OUT/summary.txt"
  # The same until Postfix had delivered every message into Dovecot: Postfix delivers what it accepted seconds after
  # its last 250, so the window above leaves part of its cost out, more of it the faster a client submits.
  if [ -f "$OUT/cpu-$1/delivered.json" ]; then
    echo "  until Postfix had delivered every message into Dovecot (the mail server's full cost):" | tee -a "$OUT/summary.txt"
    python3 bench/cpu.py permsg "$OUT/cpu-$1/start.json" "$OUT/cpu-$1/delivered.json" "$COUNT" | sed 's/^/  /' \
      | tee -a "$OUT/summary.txt"
  fi
  in_place_report "$1" | tee -a "$OUT/summary.txt"
  echo "  Postroom's peak resident memory: $(awk '/VmHWM/ {print $2, $3}' /proc/"$PID"/status)" | tee -a "$OUT/summary.txt"
}
# How many of the messages' updates (delivery outcomes, above all) PostgreSQL made in place: one that is not rewrites
# the message's index entries, its search keys and phrase pairs included (docs/benchmarks.md, sessions 14 and 21).
in_place_report() {
  command -v psql >/dev/null || return 0
  local d="$OUT/data-$1"
  sleep 1 # the statistics reach the view within 500 ms of a transaction's end
  PGPASSWORD="$(cat "$d/postgres.password")" psql -h 127.0.0.1 -p "$(sed -n 4p "$d/postgres/postmaster.pid")" \
    -U postgres -d postroom -Atc "SELECT '  updates of messages: ' || n_tup_upd || ', in place: ' || n_tup_hot_upd
      || ' (' || round(100.0 * n_tup_hot_upd / greatest(n_tup_upd, 1)) || '%)' FROM pg_stat_user_tables
      WHERE relname = 'email_message'" 2>/dev/null || true
}
PORT=18555
PID=
SINK_PID=
trap 'stop_postroom; [ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null; true' EXIT

if phase c; then
echo "== (c) Postroom: $COUNT sends through POST /api/email/send, $WORKERS delivery workers, STARTTLS + AUTH"
echo "(c) POST /api/email/send:" >> "$OUT/summary.txt"
start_postroom postfix
run_postroom_bench postfix
stop_postroom
settle
fi

if phase e; then
echo "== (e) Postroom: $COUNT messages through Postmark's POST /email/batch (calls of 500), STARTTLS + AUTH"
echo "(e) POST /email/batch:" >> "$OUT/summary.txt"
start_postroom batch
run_postroom_bench batch batch
stop_postroom
settle
fi

# (d) the same against Postfix's smtp-sink, which answers 250 and keeps nothing: what Postroom itself can do on this
# machine when the mail server costs next to nothing (plain SMTP on loopback, no AUTH).
if phase d; then
echo "(d) POST /api/email/send to smtp-sink:" >> "$OUT/summary.txt"
echo "== (d) Postroom against smtp-sink (Postroom's own cost; no mail server work)"
SINK_PORT=10099
/usr/sbin/smtp-sink -u postfix 127.0.0.1:$SINK_PORT 256 </dev/null >/dev/null 2>&1 &
SINK_PID=$!
start_postroom sink SMTP_PORT=$SINK_PORT SMTP_USE_TLS=false SMTP_USERNAME= SMTP_PASSWORD=
run_postroom_bench sink
stop_postroom
fi
echo "== CPU per delivered message (Postfix's own from the same phase)"
cat "$OUT/summary.txt"
echo "results in $OUT"
