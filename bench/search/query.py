#!/usr/bin/env python3
"""Search latency of a running Postroom over the generated mailbox, and Dovecot's own SEARCH TEXT over the same mail.

For each of 20 query shapes, 20 queries with different words (a warm-up round first, not counted); latency is the
client's, from request to the last byte of the first page (50 results), over one kept-alive HTTP connection. Then the
folder listing's first page (GET /api/mail/conversations?view=inbox) 200 times. Then IMAP `UID SEARCH TEXT` on
Dovecot for a common, a middling and a rare word, 3 times each.

usage: [SLOW_MS=50] [DOVECOT_RUNS=0] query.py base_url token imap_host imaps_port user password cafile
"""
import http.client, imaplib, json, os, ssl, statistics, sys, time, urllib.parse
sys.path.insert(0, __import__("os").path.dirname(__file__))
from words import r, common, middling, rare, senders, last_names, pick, pct

base, token, host, port, user, password, cafile = sys.argv[1:8]
url = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
headers = {"Authorization": "Bearer " + token}
# SLOW_MS=50 prints each query slower than that (to stderr), to find which words make a shape's p95.
SLOW_MS = float(os.environ.get("SLOW_MS", "0"))

def month():
    y = r.choice([2025, 2026])
    m = r.randint(1, 10)
    return "after:%d/%02d/01 before:%d/%02d/01" % (y, m, y, m + 1)


SHAPES = [
    ("one common word", lambda: pick(common)),
    ("one middling word", lambda: pick(middling)),
    ("one rare word", lambda: pick(rare)),
    ("two words", lambda: pick(middling) + " " + pick(common)),
    ("three words", lambda: " ".join([pick(middling), pick(common), pick(middling)])),
    ("exact phrase", lambda: '"%s %s"' % (pick(middling), pick(common))),
    ("from: address", lambda: "from:" + pick(senders)),
    ("from: name + word", lambda: "from:" + pick(last_names) + " " + pick(middling)),
    ("to: address", lambda: "to:bench@postroom.test " + pick(rare)),
    ("subject: word", lambda: "subject:" + pick(middling)),
    ("has:attachment + word", lambda: "has:attachment " + pick(middling)),
    ("filename:", lambda: "filename:" + pick(["pdf", "invoice", "scan", "xlsx", "statement"])),
    ("date range (a month)", month),
    ("date range + word", lambda: month() + " " + pick(middling)),
    ("label: + is:unread", lambda: "label:" + pick(["billing", "legal", "attachments", "compliance"]) + " is:unread"),
    ("is:unread + word", lambda: "is:unread " + pick(middling)),
    ("is:starred", lambda: "is:starred"),
    ("word -word", lambda: pick(middling) + " -" + pick(common)),
    ("word OR word", lambda: pick(middling) + " OR " + pick(rare)),
    ("newer_than:30d + word", lambda: "newer_than:30d " + pick(common)),
]


def get(path):
    global conn
    t = time.perf_counter()
    try:
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
    except (http.client.RemoteDisconnected, ConnectionError):
        # The server closed the kept-alive connection while Dovecot was searching (a minute at 1,000,000 messages).
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        t = time.perf_counter()
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
    body = resp.read()
    ms = (time.perf_counter() - t) * 1000
    if SLOW_MS and ms > SLOW_MS:
        print("  slow: %.1f ms %s" % (ms, urllib.parse.unquote(path)), file=sys.stderr)
    if resp.status != 200:
        raise SystemExit("%s -> %d %s" % (path, resp.status, body[:300]))
    return ms, body


ROUNDS = 20
for _, make in SHAPES:  # warm-up
    get("/api/mail/search?limit=50&q=" + urllib.parse.quote(make()))
all_ms = []
EXTRA = [("phrase of 2 common words", lambda: '"%s %s"' % (pick(common), pick(common))),
         # Part of a name or file name (issue 23): through the trigram index of names when PostgreSQL has pg_trgm.
         ("from: part of a name", lambda: "from:" + pick(last_names)[1:5]),
         ("from: part + word", lambda: "from:" + pick(last_names)[:4] + " " + pick(middling)),
         ("filename: part", lambda: "filename:" + pick(["voic", "emitt", "un-she", "tatem"])),
         # A word in no message (a typo, a claim number not in the mail): the generated vocabulary has no word rarer
         # than one message in twenty, and PostgreSQL's statistics know none of these (MailSearch.sparse).
         ("a word in no message", lambda: "qz" + "".join(r.choice("bcdfghjklmnpstvw") for _ in range(5))),
         ("common word + no-message word", lambda: pick(common) + " qz" + "".join(r.choice("bcdfghjk")
                                                                                 for _ in range(5)))]
print("%-24s %8s %8s %8s  %s" % ("shape", "p50 ms", "p95 ms", "max ms", "results of the last query"))
worst_p95 = 0
for name, make in SHAPES:
    times = []
    for _ in range(ROUNDS):
        ms, body = get("/api/mail/search?limit=50&q=" + urllib.parse.quote(make()))
        times.append(ms)
    all_ms += times
    worst_p95 = max(worst_p95, pct(times, 0.95))
    print("%-24s %8.1f %8.1f %8.1f  %d" % (name, pct(times, 0.5), pct(times, 0.95), max(times),
                                         len(json.loads(body)["results"])))
for name, make in EXTRA:
    times = []
    for _ in range(ROUNDS):
        ms, body = get("/api/mail/search?limit=50&q=" + urllib.parse.quote(make()))
        times.append(ms)
    print("(not one of the 20) %-24s p50 %.1f ms, p95 %.1f ms, %d results of the last" % (
        name, pct(times, 0.5), pct(times, 0.95), len(json.loads(body)["results"])))
print("all %d queries: p50 %.1f ms, p95 %.1f ms; worst shape p95 %.1f ms (target < 50)" % (
    len(all_ms), pct(all_ms, 0.5), pct(all_ms, 0.95), worst_p95))

for _ in range(10):
    get("/api/mail/conversations?view=inbox&limit=50")
folder = [get("/api/mail/conversations?view=inbox&limit=50")[0] for _ in range(200)]
print("folder first page (inbox, 50 conversations): p50 %.1f ms, p95 %.1f ms (target < 30)" % (
    pct(folder, 0.5), pct(folder, 0.95)))
folders = [get("/api/mail/folders")[0] for _ in range(50)]
print("folder and label counts: p50 %.1f ms, p95 %.1f ms" % (pct(folders, 0.5), pct(folders, 0.95)))

if os.environ.get("DOVECOT_RUNS") == "0":
    sys.exit(0)
# A common word's SEARCH answer at 1,000,000 messages is one line of several megabytes; imaplib refuses lines over 1 MB.
imaplib._MAXLINE = 100 * 1024 * 1024
imap = imaplib.IMAP4_SSL(host, int(port), ssl_context=ssl.create_default_context(cafile=cafile))
imap.login(user, password)
imap.select("INBOX", readonly=True)
dovecot = []
postroom_same = []
# Each SEARCH TEXT reads every message: about 5 s at 100,000, so fewer repeats on a bigger mailbox (DOVECOT_RUNS).
for word in (common[0], middling[0], rare[0]):
    runs = []
    for _ in range(int(__import__("os").environ.get("DOVECOT_RUNS", "3"))):
        t = time.perf_counter()
        typ, data = imap.uid("SEARCH", "TEXT", word)
        runs.append((time.perf_counter() - t) * 1000)
    hits = len(data[0].split())
    d = statistics.median(runs)
    pr = statistics.median(get("/api/mail/search?limit=50&q=" + urllib.parse.quote(word))[0] for _ in range(5))
    dovecot.append(d)
    postroom_same.append(pr)
    print("SEARCH TEXT %-12s Dovecot %8.1f ms (%d hits)   Postroom %6.1f ms   %.0fx" % (word, d, hits, pr, d / pr))
print("Dovecot SEARCH TEXT median %.1f ms; Postroom median %.1f ms; Postroom is %.0fx faster (target >= 50x)" % (
    statistics.median(dovecot), statistics.median(postroom_same),
    statistics.median(dovecot) / statistics.median(postroom_same)))
imap.logout()
