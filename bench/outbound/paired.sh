#!/usr/bin/env bash
# Two builds side by side, one call of 500 to Postmark's POST /email/batch at a time, alternating between them: on a
# shared machine the load moves by a factor of ten within minutes, so two runs one after the other compare the
# machine, not the builds. Here both builds meet the same moments. Each runs from its own jar with an embedded
# database of its own and no background work (no delivery: the calls alone), as it is deployed (bench/jvm.sh).
# Prints, per build, the wall time of the calls (p50, p90, max, how many over 250 ms) and the CPU of its JVM and of
# its PostgreSQL per call, from /proc, the first three calls of each left out (the path compiled).
# Usage: bench/outbound/paired.sh A.jar B.jar [calls=33]; A_JAVA_OPTS adds JVM options to A alone (a profile of one
# side, e.g. "-XX:StartFlightRecording=filename=/tmp/a.jfr,settings=profile,jdk.ExecutionSample#period=2ms").
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/jvm.sh
source bench/jvm.sh
A="$1"
B="$2"
CALLS="${3:-33}"
OUT="$(mktemp -d /tmp/postroom-paired.XXXX)"
PIDS=()
# The databases go with their servers; the logs and the summary stay.
trap 'kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$OUT"/data-*' EXIT

start() { # jar port name [JVM options]
  env POSTROOM_DATA_DIR="$OUT/data-$3" SERVER_PORT="$2" SMTP_HOST=127.0.0.1 SMTP_PORT=9 \
    FOUNDER_EMAIL=founder@postroom.test POSTROOM_ADMIN_PASSWORD=bench-admin POSTROOM_BACKGROUND_WORKERS=false \
    java -Xmx512m $DEPLOY_JVM_OPTIONS ${4:-} -jar "$1" > "$OUT/postroom-$3.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 240); do curl -sf "localhost:$2/actuator/health/readiness" >/dev/null && return; sleep 0.5; done
  echo "Postroom from $1 did not start: $OUT/postroom-$3.log" >&2
  exit 1
}
start "$A" 18601 a "${A_JAVA_OPTS:-}"
start "$B" 18602 b
python3 bench/outbound/paired.py "$CALLS" "A=$A" 18601 "${PIDS[0]}" "$OUT/data-a" "B=$B" 18602 "${PIDS[1]}" \
  "$OUT/data-b" | tee "$OUT/summary.txt"
echo "results in $OUT"
