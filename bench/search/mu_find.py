#!/usr/bin/env python3
"""The anchor for the search shapes: `mu find` (maildir-utils, Xapian) over the same generated Maildir, each of
query.py's 20 shapes written in mu's query language, 20 queries each with different words, first 50 results newest
first. Latency is the wall time of the `mu find` process, as a user of mu meets it (its start-up included), so each
shape also prints mu's floor: the same command for a word no message has.

Shapes mu cannot say the same way are marked: labels (the Maildir has none); dates (mu reads the Date header, which
the generator writes the same on every message, where Postroom uses the server's arrival time, spread over two years);
part of a file name (mu matches the start of a word only).

usage: mu_find.py MUHOME
"""
import statistics, subprocess, sys, time
sys.path.insert(0, __import__("os").path.dirname(__file__))
from words import common, middling, rare, senders, last_names, pick, pct

muhome = sys.argv[1]

SHAPES = [
    ("one common word", lambda: pick(common)),
    ("one middling word", lambda: pick(middling)),
    ("one rare word", lambda: pick(rare)),
    ("two words", lambda: pick(middling) + " " + pick(common)),
    ("three words", lambda: " ".join([pick(middling), pick(common), pick(middling)])),
    ("exact phrase", lambda: 'body:"%s %s"' % (pick(middling), pick(common))),
    ("from: address", lambda: "from:" + pick(senders)),
    ("from: name + word", lambda: "from:" + pick(last_names) + " " + pick(middling)),
    ("to: address", lambda: "to:bench@postroom.test " + pick(rare)),
    ("subject: word", lambda: "subject:" + pick(middling)),
    ("has:attachment + word", lambda: "flag:attach " + pick(middling)),
    ("filename:", lambda: "file:" + pick(["invoice*", "scan*", "statement*", "report*", "remittance*"])),
    ("date range (a month)*", lambda: "date:2026-11..2026-12"),
    ("date range + word*", lambda: "date:2026-11..2026-12 " + pick(middling)),
    ("label: + is:unread*", lambda: "flag:unread"),
    ("is:unread + word", lambda: "flag:unread " + pick(middling)),
    ("is:starred", lambda: "flag:flagged"),
    ("word -word", lambda: pick(middling) + " NOT " + pick(common)),
    ("word OR word", lambda: pick(middling) + " OR " + pick(rare)),
    ("newer_than:30d + word*", lambda: "date:30d.. " + pick(common)),
]


def find(query):
    t = time.perf_counter()
    subprocess.run(["mu", "find", "--muhome=" + muhome, "--maxnum=50", "--sortfield=date", "--reverse",
                    "--fields=d f s", query], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - t) * 1000


floor = statistics.median(find("zzqqnothinghere") for _ in range(10))
print("mu find, same Maildir (* = not the same question: see mu_find.py); mu's start-up floor p50 %.1f ms" % floor)
print("%-24s %8s %8s" % ("shape", "p50 ms", "p95 ms"))
worst = 0
for name, make in SHAPES:
    find(make())  # warm-up
    times = [find(make()) for _ in range(20)]
    worst = max(worst, pct(times, 0.95))
    print("%-24s %8.1f %8.1f" % (name, pct(times, 0.5), pct(times, 0.95)))
print("mu find worst shape p95 %.1f ms" % worst)
