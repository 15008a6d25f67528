#!/usr/bin/env bash
# A full doctor run, timed: every check in parallel against a fake DNS server and TLS ports on loopback (the test
# suite's own fakes), healthy and with DNS that never answers for some names; the suite's real test zone (Knot) per
# domain, and a resolver that never answers, bounded by DOCTOR_TIMEOUT. Also the CLI end to end, JVM included.
# Usage: bench/doctor/run.sh [runs=50]
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${1:-50}"
./mvnw -q -DskipTests package test-compile
CP="target/classes:target/test-classes:$(./mvnw -q dependency:build-classpath -Dmdep.outputFile=/dev/stdout)"
OUT="$(mktemp -d /tmp/postroom-doctor-bench.XXXX)"
javac -d "$OUT" -cp "$CP" bench/doctor/DoctorBench.java bench/doctor/ZoneBench.java
java -cp "$OUT:$CP" DoctorBench "$RUNS"

echo "== the test zone on a real DNS server (Knot), and a resolver that never answers"
if command -v /usr/sbin/knotd >/dev/null; then
  java -cp "$OUT:$CP" com.postroom.deliverability.ZoneBench "$(( RUNS / 5 > 2 ? RUNS / 5 : 2 ))"
else
  echo "skipped: knotd is not installed (apt-get install knot)"
fi

echo "== the CLI, JVM start included (no DNS server answers: every check UNKNOWN after DNS_TIMEOUT=1s)"
START=$(date +%s.%N)
DNS_RESOLVER=127.0.0.1:9 DNS_TIMEOUT=1s java -jar target/postroom.jar doctor --domain bench.test > "$OUT/cli.txt" || true
END=$(date +%s.%N)
head -1 "$OUT/cli.txt"
python3 -c "import sys; print(f'CLI wall time: {float(sys.argv[2])-float(sys.argv[1]):.2f} s')" "$START" "$END"
