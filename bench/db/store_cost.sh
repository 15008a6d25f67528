#!/usr/bin/env bash
# What storing a message costs PostgreSQL, in instructions: the same count on every run, whatever else the machine is
# doing (CPU time on this shared machine moves by 30% from run to run, so a change of a few percent cannot be seen in
# it). Postroom's jar creates the schema in a fresh embedded database; a copy of it then runs the SQL of
# bench/db/store_sql.py in a single-user PostgreSQL backend under valgrind's callgrind, and the instructions of an
# empty run are taken off.
# Usage: bench/db/store_cost.sh [inbound=600] [outbound=300] [send=300] [batch=500]   (needs valgrind; as root it runs
# PostgreSQL as the user postroom-bench, which it creates). KEEP=1 keeps the callgrind files (callgrind_annotate
# --inclusive=yes FILE). PRELUDE=file.sql runs that SQL first (within the rolled-back transaction for received and sent
# mail; committed on its own copy for whole sends and batches), to try another version of a function: statements end
# with a semicolon and an empty line, and a function's body has no empty line. SHAPES="grouped" counts
# only those shapes (default: all five; GROUPED=384 messages for the grouped one). For batch and grouped:
# TEXT=unsearched stores them as a Postmark server whose mail's text is not indexed sends them (migration 42),
# BODY=sentence with bench/outbound's body (one sentence repeated), NO_INDEX=1 never writes their documents.
set -euo pipefail
cd "$(dirname "$0")/../.."
INBOUND="${1:-600}"
OUTBOUND="${2:-300}"
SENDS="${3:-300}"
BATCH="${4:-500}"
command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install valgrind" >&2; exit 1; }
[ -f target/postroom.jar ] || ./mvnw -q -DskipTests package
OUT="$(mktemp -d /tmp/postroom-store-cost.XXXX)"
chmod 755 "$OUT"
mkdir -m 777 "$OUT/cg" # written by the user that runs PostgreSQL

echo "== the schema: Postroom from the jar on a fresh data folder, then stopped"
POSTROOM_DATA_DIR="$OUT/data" SERVER_PORT=18590 FOUNDER_EMAIL=founder@postroom.test POSTROOM_ADMIN_PASSWORD=bench-admin \
  java -Xmx512m -jar target/postroom.jar > "$OUT/postroom.log" 2>&1 &
PID=$!
for _ in $(seq 1 180); do curl -sf localhost:18590/actuator/health/readiness >/dev/null && break; sleep 1; done
kill "$PID"; wait "$PID" 2>/dev/null || true
BIN="$(dirname "$(sed -n 1p "$OUT/data/postgres/postmaster.opts" 2>/dev/null | awk '{print $1}')")"
[ -x "$BIN/postgres" ] || BIN="$(dirname "$(ls /tmp/embedded-pg/*/bin/postgres | head -1)")"

RUN_AS=()
if [ "$(id -u)" = 0 ]; then
  id postroom-bench >/dev/null 2>&1 || useradd --system --no-create-home postroom-bench
  RUN_AS=(runuser -u postroom-bench --)
fi

# Instructions of one single-user backend that runs a file of SQL, on a fresh copy of the database.
count() { # name sqlfile
  rm -rf "$OUT/pg"
  cp -a "$OUT/data/postgres" "$OUT/pg"
  [ ${#RUN_AS[@]} -gt 0 ] && chown -R postroom-bench "$OUT/pg" "$2"
  "${RUN_AS[@]}" valgrind --tool=callgrind --callgrind-out-file="$OUT/cg/callgrind.$1" "$BIN/postgres" --single -j \
    -D "$OUT/pg" -c shared_buffers=128MB postroom < "$2" > "$OUT/$1.log" 2>&1
  if grep -q "ERROR" "$OUT/$1.log"; then grep -m3 "ERROR" "$OUT/$1.log" >&2; exit 1; fi
  grep -E '^(summary|totals):' "$OUT/cg/callgrind.$1" | head -1 | awk '{print $2}'
}

printf 'SELECT 1;\n\n' > "$OUT/empty.sql"
SHAPES="${SHAPES:-inbound outbound send batch grouped}"
size() { case $1 in inbound) echo "$INBOUND";; outbound) echo "$OUTBOUND";; send) echo "$SENDS";; batch) echo "$BATCH";;
  *) echo "${GROUPED:-384}";; esac; }
for shape in $SHAPES; do
  python3 bench/db/store_sql.py "$shape" "$(size "$shape")" \
    | { read -r begin; echo "$begin"; [ -n "${PRELUDE:-}" ] && cat "$PRELUDE"; cat; } > "$OUT/$shape.sql"
done
chmod 644 "$OUT"/*.sql
EMPTY=$(count empty "$OUT/empty.sql")
echo "PostgreSQL instructions per stored message (callgrind, an empty run taken off):"
for shape in $SHAPES; do
  n=$(size "$shape")
  total=$(count "$shape" "$OUT/$shape.sql")
  case $shape in
    inbound) what="received, INSERTs of 200 rows";;
    outbound) what="sent, one prepared INSERT each, indexed";;
    send) what="a whole send alone: accept, index, claim, outcome";;
    batch) what="a batch accepted at once, indexed, sent";;
    grouped) what="concurrent sends in groups of 8, indexed, sent";;
  esac
  python3 -c "import sys; print('  %-55s %6.2f M' % ('%s (%s):' % (sys.argv[1], sys.argv[2]), (int(sys.argv[3]) - int(sys.argv[4])) / int(sys.argv[2]) / 1e6))" \
    "$what" "$n" "$total" "$EMPTY"
done
[ -n "${KEEP:-}" ] && echo "callgrind files in $OUT/cg" || rm -rf "$OUT"
