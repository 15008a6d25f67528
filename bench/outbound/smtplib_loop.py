"""Baseline (a): a plain smtplib loop, one reused connection, STARTTLS + AUTH, the same ~2 KB messages."""
import smtplib, ssl, sys, time
from email.message import EmailMessage

host, port, user, password, ca, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])
body = ("Statement reminder for a patient account. " * 60)[:2000]
ctx = ssl.create_default_context(cafile=ca)
start = time.monotonic()
with smtplib.SMTP(host, port, timeout=30) as s:
    s.starttls(context=ctx)
    s.login(user, password)
    for i in range(count):
        m = EmailMessage()
        m["From"] = user
        m["To"] = "bench@postroom.test"
        m["Subject"] = f"smtplib bench {i}"
        m.set_content(body)
        s.send_message(m)
elapsed = time.monotonic() - start
print(f"smtplib: {count} messages in {elapsed:.2f} s = {count / elapsed:.1f} msg/s")
