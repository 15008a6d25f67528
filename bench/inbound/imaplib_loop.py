#!/usr/bin/env python3
"""Download-only baseline: UID FETCH BODY.PEEK[] of every message in batches, over IMAPS. No parsing, no storing."""
import imaplib, ssl, sys, time

host, port, user, password, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
batch = int(sys.argv[6]) if len(sys.argv) > 6 else 200
ctx = ssl.create_default_context(cafile=cafile)
imap = imaplib.IMAP4_SSL(host, port, ssl_context=ctx)
imap.login(user, password)
imap.select("INBOX", readonly=True)
start = time.time()
typ, data = imap.uid("SEARCH", None, "ALL")
uids = data[0].split()
total_bytes = 0
count = 0
for i in range(0, len(uids), batch):
    chunk = b",".join(uids[i:i + batch]).decode()
    typ, data = imap.uid("FETCH", chunk, "(BODY.PEEK[])")
    for item in data:
        if isinstance(item, tuple):
            count += 1
            total_bytes += len(item[1])
elapsed = time.time() - start
imap.logout()
print("imaplib: %d messages (%.1f MB) in %.2f s = %.0f msg/s" % (count, total_bytes / 1e6, elapsed, count / elapsed))
