#!/usr/bin/env python3
"""Fills a mailbox over IMAPS with N messages of about 4 KB and M with a 1 MB attachment (IMAP APPEND)."""
import base64, imaplib, os, ssl, sys, time

host, port, user, password, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
small, large = int(sys.argv[6]), int(sys.argv[7])
# A subject prefix keeps a warm-up mailbox's messages out of the measured mailbox's threads.
prefix = sys.argv[8] + " " if len(sys.argv) > 8 else ""
ctx = ssl.create_default_context(cafile=cafile)
imap = imaplib.IMAP4_SSL(host, port, ssl_context=ctx)
imap.login(user, password)
words = ("ambulance transport invoice claim patient billing statement dispatch crew shift run sheet mileage "
         "oxygen stretcher payer medicare remittance denial appeal schedule station unit response").split()

def small_message(i):
    body = []
    n = 0
    while n < 3600:
        line = " ".join(words[(i * 7 + j * 13) % len(words)] for j in range(12))
        body.append(line)
        n += len(line) + 2
    return ("From: Sender %d <sender%d@example.org>\r\nTo: bench@postroom.test\r\nSubject: %sRun %d: %s %s\r\n"
            "Message-ID: <bench.%d.%d@example.org>\r\nDate: Mon, 2 Nov 2026 10:%02d:00 +0000\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n" % (i % 50, i % 50, prefix, i, words[i % len(words)],
            words[(i * 3) % len(words)], i, os.getpid(), i % 60, "\r\n".join(body))).encode()

def large_message(i):
    blob = base64.encodebytes(os.urandom(1024 * 1024)).decode().replace("\n", "\r\n")
    return ("From: scanner@example.org\r\nTo: bench@postroom.test\r\nSubject: %sScan %d\r\n"
            "Message-ID: <bench.large.%d.%d@example.org>\r\nDate: Mon, 2 Nov 2026 11:00:00 +0000\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nScan attached.\r\n"
            "--b\r\nContent-Type: application/pdf; name=scan%d.pdf\r\nContent-Disposition: attachment; filename=scan%d.pdf\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b--\r\n" % (prefix, i, i, os.getpid(), i, i, blob)).encode()

start = time.time()
for i in range(small):
    imap.append("INBOX", None, None, small_message(i))
    if i % 250 == 125 and large:
        k = i // 250
        if k < large:
            imap.append("INBOX", None, None, large_message(k))
for k in range(small // 250 + (1 if small % 250 > 125 else 0), large):
    imap.append("INBOX", None, None, large_message(k))
imap.logout()
print("populated %d small + %d large messages in %.1f s" % (small, large, time.time() - start))
