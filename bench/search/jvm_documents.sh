#!/usr/bin/env bash
# What a message's search document would cost built in the JVM (bench/search/JvmDocuments.java) against PostgreSQL's
# to_tsvector and search_pairs, on the same 5,000 generated bodies (bench/search/populate.py's words, 80-1,200 per
# body): an experiment for the search design, not a test of Postroom's code. Needs a PostgreSQL with Postroom's schema
# (for search_pairs): PSQL="psql -h HOST -p PORT -U USER -d postroom" (PGPASSWORD in the environment).
# Usage: PSQL=... bench/search/jvm_documents.sh [count=5000]
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT="${1:-5000}"
: "${PSQL:?set PSQL to a psql command for a database with the schema of Postroom}"
OUT="$(mktemp -d /tmp/postroom-jvm-documents.XXXX)"
chmod 755 "$OUT"
python3 - "$OUT/bodies.txt" "$COUNT" <<'PY'
import random, sys
sys.path.insert(0, "bench/search")
import populate as p
r = random.Random(7)
with open(sys.argv[1], "w") as out:
    for _ in range(int(sys.argv[2])):
        w = p.words(r, r.randint(80, 1200))
        out.write("\n".join(" ".join(w[k:k + 14]) for k in range(0, len(w), 14)) + "\x00")
PY
./mvnw -B -q -ntp dependency:get -Dartifact=org.apache.lucene:lucene-analysis-common:9.12.3 >/dev/null
L=~/.m2/repository/org/apache/lucene
CP=$L/lucene-analysis-common/9.12.3/lucene-analysis-common-9.12.3.jar:$L/lucene-core/9.12.3/lucene-core-9.12.3.jar
STOP="$(ls /tmp/embedded-pg/*/share/postgresql/tsearch_data/english.stop | head -1)"
echo "== the JVM, C1 only (as deployed), then the default JIT"
java -XX:TieredStopAtLevel=1 -cp "$CP" bench/search/JvmDocuments.java "$OUT/bodies.txt" "$STOP" 3 "$OUT/docs.txt"
java -cp "$CP" bench/search/JvmDocuments.java "$OUT/bodies.txt" "$STOP" 5
python3 - "$OUT" <<'PY'
import csv, sys
d = sys.argv[1]
b = open(d + "/bodies.txt", encoding="utf-8").read().split("\x00")[:-1]
t = open(d + "/docs.txt", encoding="utf-8").read().split("\x00")[:-1]
csv.writer(open(d + "/rows.csv", "w", newline="")).writerows(zip(b, t))
PY
chmod 644 "$OUT"/*
echo "== PostgreSQL, one backend (subtract the first statement, which only reads the bodies)"
$PSQL <<SQL
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE b (body text, doc text);
\copy b FROM '$OUT/rows.csv' CSV
\timing on
SELECT sum(length(body)) AS read_only FROM b;
SELECT sum(length(to_tsvector('english', body))) AS to_tsvector FROM b;
SELECT sum(cardinality(search_pairs(to_tsvector('english', body)))) AS with_pairs FROM b;
SELECT sum(length(doc)) AS read_text FROM b;
SELECT sum(length(doc::tsvector)) AS jvm_text_read_as_tsvector FROM b;
\timing off
SELECT count(*) FILTER (WHERE tsvector_to_array(doc::tsvector) = tsvector_to_array(to_tsvector('english', body)))
       AS same_words, count(*) AS documents FROM b;
SQL
rm -rf "$OUT"
