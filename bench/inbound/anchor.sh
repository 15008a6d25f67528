#!/usr/bin/env bash
# Ingest cost against the best open-source mail indexers, on the same files in one run (issue 23): `mu index`
# (maildir-utils, Xapian) and `notmuch new` index a Maildir of generated billing-office mail; Postroom syncs the same
# messages over IMAPS from the private Dovecot (fetch, parse, store the raw copy, thread, classify, index).
# Each gets a warm-up set first (other messages of the same kind), then the measured set; CPU per program from /proc.
# Usage: bench/inbound/anchor.sh [count=5000]   (WARMUP=3000; needs `apt-get install maildir-utils notmuch`)
# Postroom runs with the JVM options it is deployed with (bench/jvm.sh); POSTROOM_JIT=default for the default JIT.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/jvm.sh
source bench/jvm.sh
COUNT="${1:-5000}"
WARMUP="${WARMUP:-3000}"
ENV_FILE="${POSTROOM_REAL_MAIL_ENV:-/tmp/postroom-mailserver/env}"
[ -f "$ENV_FILE" ] || { echo "start the mail server first: sudo scripts/mailserver/start.sh" >&2; exit 1; }
# shellcheck disable=SC1090
source "$ENV_FILE"
command -v mu >/dev/null || { echo "mu is missing: apt-get install maildir-utils" >&2; exit 1; }
[ -f target/postroom.jar ] || ./mvnw -q -DskipTests package
OUT="$(mktemp -d /tmp/postroom-anchor-bench.XXXX)"
DOVEADM="doveadm -c $REAL_MAIL_BASE/dovecot/dovecot.conf"
WARM_USER=alice@example.test
USER_=bob@example.test

echo "== generating $WARMUP warm-up and $COUNT measured messages (bench/search/populate.py --maildir)"
python3 bench/search/populate.py --maildir "$OUT/warmup" "$WARMUP" 1000000 >/dev/null
python3 bench/search/populate.py --maildir "$OUT/measured" "$COUNT" 0 >/dev/null
echo "   $(du -sh "$OUT/measured" | cut -f1) for the measured set ($(du -sb "$OUT/measured" | cut -f1) bytes)"

# Seconds of CPU (user + system) of the children this shell waited for, and wall seconds, around one command.
timed() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.time()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f %.3f" % (ru.ru_utime + ru.ru_stime, time.time() - t))
PY
}
report() { # name cpu_seconds wall_seconds
  python3 -c "import sys; n, c, w = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]); \
print('%-10s %6.0f msg/s   %5.2f CPU-ms per message' % (n, $COUNT / w, c * 1000 / $COUNT))" "$@"
}
# The files in the page cache, as Dovecot has them when Postroom fetches: each indexer reads warm files.
warm_files() { cat "$1"/new/* > /dev/null; }

echo "== (a) mu index"
MU="$OUT/mu"; mkdir -p "$MU/root"
mv "$OUT/warmup" "$MU/root/warmup"
mu init --muhome="$MU/home" --maildir="$MU/root" >/dev/null
mu index --muhome="$MU/home" >/dev/null
cp -r "$OUT/measured" "$MU/root/measured"
warm_files "$MU/root/measured"
read -r MU_CPU MU_WALL < <(timed mu index --muhome="$MU/home")
report "mu" "$MU_CPU" "$MU_WALL" | tee "$OUT/mu.txt"

if command -v notmuch >/dev/null; then
  echo "== (b) notmuch new"
  NM="$OUT/notmuch"; mkdir -p "$NM"
  mv "$MU/root/warmup" "$NM/warmup"
  printf '[database]\npath=%s\n[new]\ntags=unread;inbox\n[maildir]\nsynchronize_flags=true\n' "$NM" > "$OUT/notmuch.cfg"
  NOTMUCH_CONFIG="$OUT/notmuch.cfg" notmuch new >/dev/null
  mv "$MU/root/measured" "$NM/measured"
  warm_files "$NM/measured"
  read -r NM_CPU NM_WALL < <(NOTMUCH_CONFIG="$OUT/notmuch.cfg" timed notmuch new)
  report "notmuch" "$NM_CPU" "$NM_WALL" | tee "$OUT/notmuch.txt"
  rm -rf "$MU/root/warmup" "$NM"
fi

echo "== (c) Postroom: a running Postroom (-Xmx512m ${DEPLOY_JVM_OPTIONS:-default JIT}, embedded PostgreSQL) syncs the same messages over IMAPS"
for u in $WARM_USER $USER_; do
  $DOVEADM expunge -u "$u" mailbox INBOX all
  $DOVEADM purge -u "$u"
done
WARM_DIR="$REAL_MAIL_BASE/mail/${WARM_USER#*@}/${WARM_USER%@*}/Maildir"
DIR="$REAL_MAIL_BASE/mail/${USER_#*@}/${USER_%@*}/Maildir"
python3 bench/search/populate.py --maildir "$WARM_DIR" "$WARMUP" 1000000 >/dev/null
mkdir -p "$DIR/new" "$DIR/cur" "$DIR/tmp"
cp "$OUT"/measured/new/* "$DIR/new/"
for d in "$WARM_DIR" "$DIR"; do chown -R "$(stat -c %u:%g "$REAL_MAIL_BASE/mail")" "$d"; done
$DOVEADM force-resync -u $WARM_USER INBOX
$DOVEADM force-resync -u $USER_ INBOX
rm -rf "$OUT/measured" "$MU"

PORT=18558
POSTROOM_DATA_DIR="$OUT/data" SERVER_PORT=$PORT SMTP_HOST="$REAL_MAIL_HOST" SMTP_PORT="$REAL_SMTP_SUBMISSION_PORT" \
  SMTP_USERNAME=founder@postroom.test SMTP_PASSWORD="$REAL_MAIL_PASSWORD" MAIL_TLS_CA_FILE="$REAL_MAIL_CA_FILE" \
  FOUNDER_EMAIL=founder@postroom.test POSTROOM_ADMIN_PASSWORD=bench-admin \
  java -Xmx512m $DEPLOY_JVM_OPTIONS ${JAVA_OPTS:-} -jar target/postroom.jar > "$OUT/postroom.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf localhost:$PORT/actuator/health/readiness >/dev/null && break; sleep 0.5; done
sleep 10
TOKEN=$(curl -sf localhost:$PORT/api/auth/login -H 'Content-Type: application/json' \
  -d '{"email":"founder@postroom.test","password":"bench-admin"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
add_mailbox() {
  curl -sf localhost:$PORT/api/email/mailboxes -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"host\":\"$REAL_MAIL_HOST\",\"port\":$REAL_IMAPS_PORT,\"tls\":\"implicit\",\"username\":\"$1\",\"password\":\"$REAL_MAIL_PASSWORD\"}" >/dev/null
  for _ in $(seq 1 6000); do grep -q "Synced INBOX of $1" "$OUT/postroom.log" && break; sleep 0.1; done
}
add_mailbox $WARM_USER
echo "warm-up: $(grep -o "Synced INBOX of $WARM_USER.*" "$OUT/postroom.log")"
python3 bench/quiet.py
python3 bench/cpu.py snap "$OUT/cpu-before.json" "$PID"
# PERF=1: a system-wide profile of the measured sync (perf report -i $OUT/perf.data --comm postgres --sort sym).
[ -n "${PERF:-}" ] && { perf record -a -g -F 499 -o "$OUT/perf.data" >/dev/null 2>&1 & PERF_PID=$!; }
add_mailbox $USER_
[ -n "${PERF:-}" ] && { kill -INT $PERF_PID; wait $PERF_PID || true; }
python3 bench/cpu.py snap "$OUT/cpu-after.json" "$PID"
SYNCED=$(grep -o "Synced INBOX of $USER_.*" "$OUT/postroom.log")
echo "$SYNCED"
python3 bench/cpu.py permsg "$OUT/cpu-before.json" "$OUT/cpu-after.json" "$COUNT" | tee "$OUT/postroom-cpu.txt"
python3 bench/cpu.py report "$OUT/cpu-before.json" "$OUT/cpu-after.json" 6
python3 - "$OUT/mu.txt" "$OUT/postroom-cpu.txt" "$SYNCED" <<'PY'
import re, sys
mu_rate, mu_cpu = map(float, re.search(r"(\d+) msg/s\s+([\d.]+) CPU-ms", open(sys.argv[1]).read()).groups())
pr_cpu = float(re.search(r"Postroom ([\d.]+) CPU-ms", open(sys.argv[2]).read()).group(1))
pr_rate = float(re.search(r"\((\d+) msg/s\)", sys.argv[3]).group(1))
print("Postroom / mu: CPU per message %.2f (target <= 1), wall rate %.2f (target >= 1.5)" % (
    pr_cpu / mu_cpu, pr_rate / mu_rate))
PY
du -sb "$OUT/data/postgres" | awk '{printf "PostgreSQL data directory after both syncs: %.1f MB\n", $1 / 1e6}'
echo "results in $OUT"
