#!/usr/bin/env python3
"""Time to visible: send N messages through Postfix (plain port) to a mailbox Postroom watches in IDLE, and time each
from the end of the SMTP transaction until Postroom's API lists it. Prints p50, p90, p99, max."""
import json, smtplib, sys, time, urllib.request, uuid
from email.message import EmailMessage

base, token, smtp_host, smtp_port, to, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], int(sys.argv[6])

def visible(subject):
    req = urllib.request.Request(base + "/api/email/messages?limit=20", headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req) as r:
        return any(m["subject"] == subject for m in json.load(r))

latencies = []
smtp = smtplib.SMTP(smtp_host, smtp_port)
for i in range(count):
    subject = "idle latency %d %s" % (i, uuid.uuid4())
    msg = EmailMessage()
    msg["From"] = "outside@example.test"
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content("Delivered by Postfix to Dovecot over LMTP; Postroom is in IDLE.")
    smtp.send_message(msg)
    start = time.time()
    while not visible(subject):
        if time.time() - start > 30:
            print("message %d not visible after 30 s" % i)
            sys.exit(1)
        time.sleep(0.005)
    latencies.append(time.time() - start)
    time.sleep(0.05)
smtp.quit()
latencies.sort()
pct = lambda p: latencies[min(len(latencies) - 1, int(round(p / 100.0 * len(latencies) + 0.5)) - 1)]
print("time to visible over %d deliveries: p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms"
      % (count, pct(50) * 1000, pct(90) * 1000, pct(99) * 1000, latencies[-1] * 1000))
