#!/usr/bin/env python3
"""Fills a mailbox over IMAPS with N generated messages that look like a billing office's mail.

Words follow a Zipf distribution over a vocabulary of about 1,500 words (so some are in most messages and some in
few), 400 senders, 40% of messages are replies in an existing thread, 10% carry an attachment of 20-150 KB, bodies
are 80-1,200 words, 30% of messages are unread and 5% starred, and INTERNALDATEs spread over the last two years.
Four IMAP connections APPEND in parallel. Seeded, so every run builds the same mailbox.

usage: populate.py host port user password cafile count
       populate.py --maildir DIR count [start]
                   (the same messages written straight into a Maildir, for Dovecot to index with `doveadm
                   force-resync`: minutes instead of the hour APPEND takes; or for mu and notmuch to index. `start`
                   numbers them from there: another set of the same kind, with Message-IDs of its own)
"""
import base64, imaplib, multiprocessing, os, random, ssl, sys, time

BASE = ("the of and to a in is it you that he was for on are with as his they be at one have this from or had by "
        "not word but what some we can out other were all there when up use your how said an each she which do their "
        "time if will way about many then them write would like so these her long make thing see him two has look "
        "more day could go come did number sound no most people my over know water than call first who may down side "
        "been now find any new work part take get place made live where after back little only round man year came "
        "show every good me give our under name very through just form sentence great think say help low line differ "
        "turn cause much mean before move right boy old too same tell does set three want air well also play small "
        "end put home read hand port large spell add even land here must big high such follow act why ask men change "
        "went light kind off need house picture try us again animal point mother world near build self earth father").split()
DOMAIN = ("ambulance transport invoice claim patient billing statement dispatch crew shift run sheet mileage oxygen "
          "stretcher payer medicare medicaid remittance denial appeal schedule station unit response balance payment "
          "insurance deductible copay authorization coding modifier documentation signature transfer facility "
          "hospital emergency nonemergency wheelchair bariatric ventilator cardiac monitor paramedic emt supervisor "
          "compliance audit retention subpoena legal court discovery hold policy hipaa privacy breach contract rate "
          "agreement renewal quarterly monthly annual report summary overdue reminder final notice collection "
          "refund adjustment writeoff charity hardship plan installment portal login password reset").split()
rng = random.Random(20261124)
SYLLABLES = "ka lo mi ne ru sa te vo zu bi da fe gi ho ju ly pa qu ri so tu va we xi yo ze".split()
RARE = sorted({"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(1200)})
VOCAB = BASE + DOMAIN + RARE
WEIGHTS = [1.0 / (rank + 1) for rank in range(len(VOCAB))]
FIRST = "alice bob carol dana erin frank grace henry irene jack karen leo maria nick olga paul quinn rosa sam tina".split()
LAST = "archer baker carter diaz evans fisher garcia hughes ito jones khan lopez miller nguyen owens patel reyes smith".split()
DOMAINS = "clinic.example hospital.example payer.example county.example vendor.example mail.example".split()
SENDERS = ["%s %s <%s.%s@%s>" % (f.title(), l.title(), f, l, rng.choice(DOMAINS)) for f in FIRST for l in LAST][:400]
FILES = ["invoice-%d.pdf", "statement-%d.pdf", "scan-%d.pdf", "run-sheet-%d.pdf", "remittance-%d.xlsx", "report-%d.docx"]


def words(r, n):
    return r.choices(VOCAB, weights=WEIGHTS, k=n)


def message(i, r, threads):
    sender = r.choice(SENDERS)
    reply = threads and r.random() < 0.4
    if reply:
        subject, parent = r.choice(threads)
        subject = "Re: " + subject
    else:
        subject, parent = " ".join(words(r, r.randint(3, 7))).capitalize(), None
    mid = "<gen.%d@bench.example>" % i
    body_words = words(r, r.randint(80, 1200))
    lines = [" ".join(body_words[k:k + 14]) for k in range(0, len(body_words), 14)]
    head = ("From: %s\r\nTo: bench@postroom.test\r\nSubject: %s\r\nMessage-ID: %s\r\n" % (sender, subject, mid)
            + ("In-Reply-To: %s\r\nReferences: %s\r\n" % (parent, parent) if parent else "")
            + "Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n")
    text = "\r\n".join(lines)
    if r.random() < 0.10:
        name = r.choice(FILES) % r.randint(100, 99999)
        blob = base64.encodebytes(r.randbytes(r.randint(20, 150) * 1024)).decode().replace("\n", "\r\n")
        raw = head + ("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8"
                      "\r\n\r\n%s\r\n--b\r\nContent-Type: application/octet-stream; name=\"%s\"\r\nContent-Disposition: "
                      "attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n--b--\r\n"
                      % (text, name, name, blob))
    else:
        raw = head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text + "\r\n"
    if not reply:
        threads.append((subject, mid))
        if len(threads) > 3000:
            threads.pop(0)
    return raw.encode()


def generate(start, end):
    """(index, flags, arrival time, raw message) for a range; the same for both ways of filling the mailbox."""
    r = random.Random(start)
    threads = []
    now = time.time()
    for i in range(start, end):
        flags = ["\\Seen"] if r.random() < 0.7 else []
        if r.random() < 0.05:
            flags = ["\\Seen", "\\Flagged"]
        yield i, flags, now - (end - i) * (2 * 365 * 86400 / (end - start)), message(i, r, threads)


def worker(args):
    host, port, user, password, cafile, start, end = args
    imap = imaplib.IMAP4_SSL(host, port, ssl_context=ssl.create_default_context(cafile=cafile))
    imap.login(user, password)
    for i, flags, when, raw in generate(start, end):
        imap.append("INBOX", "(%s)" % " ".join(flags) if flags else None, imaplib.Time2Internaldate(when), raw)
    imap.logout()
    return end - start


def maildir_worker(args):
    """Writes each message as a Maildir file in new/: flags in the name, arrival time as the file's mtime (which is
    what Dovecot reports as INTERNALDATE), the index as the name's leading number, by which Dovecot orders new files
    when it gives them UIDs; the run's own token, because Dovecot remembers the names of expunged files."""
    directory, start, end, token = args
    for i, flags, when, raw in generate(start, end):
        letters = "".join(sorted("S" if f == "\\Seen" else "F" for f in flags))
        path = os.path.join(directory, "new", "%010d.R%s.bench:2,%s" % (i, token, letters))
        with open(path, "wb") as f:
            f.write(raw)
        os.utime(path, (when, when))
    return end - start


if __name__ == "__main__":
    parts = 4
    t = time.time()
    if sys.argv[1] == "--maildir":
        directory, count = sys.argv[2], int(sys.argv[3])
        first = int(sys.argv[4]) if len(sys.argv) > 4 else 0
        for sub in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(directory, sub), exist_ok=True)
        step = (count + parts - 1) // parts
        token = "%dP%d" % (time.time(), os.getpid())
        jobs = [(directory, first + k * step, first + min(count, (k + 1) * step), token) for k in range(parts)]
        run = maildir_worker
    else:
        host, port, user, password, cafile, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])
        step = (count + parts - 1) // parts
        jobs = [(host, port, user, password, cafile, k * step, min(count, (k + 1) * step)) for k in range(parts)]
        run = worker
    with multiprocessing.Pool(parts) as pool:
        total = sum(pool.map(run, jobs))
    print("populated %d messages in %.1f s" % (total, time.time() - t))
    print("rare words: " + " ".join(RARE[:5]))
