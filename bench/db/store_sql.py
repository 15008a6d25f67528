#!/usr/bin/env python3
"""SQL that stores generated messages the way Postroom does, for bench/db/store_cost.sh to count PostgreSQL's work.

Two shapes, with the bodies, senders and file names of bench/search/populate.py (a billing office's mail):
  inbound N   N received messages in INSERTs of 200 rows, as the IMAP sync writes them (ReceivedMail)
  outbound N  N sent messages of about 2 KB, one prepared INSERT each, as a send that is alone in its group
              (SendingCore's group of one: a thread, then the message)
Every statement is on a line of its own followed by an empty line: `postgres --single -j` ends a statement at a
semicolon followed by an empty line. All of it runs in one transaction that is rolled back, so the database the
count starts from is the same for every run.
usage: store_sql.py inbound|outbound count
"""
import os, random, sys, uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "search"))
import populate as p  # noqa: E402

BATCH = 200


def q(s):
    return "NULL" if s is None else "'" + s.replace("'", "''") + "'"


def arr(items):
    return "ARRAY[" + ",".join(q(i) for i in items) + "]::text[]" if items else "'{}'::text[]"


def statements(shape, count):
    r = random.Random(23)
    rows = []
    yield "BEGIN;"
    if shape == "outbound":
        yield ("PREPARE th(uuid, text) AS INSERT INTO email_thread (id, org_id, subject, normalized_subject) "
               "VALUES ($1, 1, $2, lower($2));")
        yield ("PREPARE ms(uuid, uuid, text[], text, text, text) AS INSERT INTO email_message (id, org_id, thread_id, "
               "direction, status, classification, sender, recipients, cc, bcc, reply_to, subject, body_plain, "
               "body_html, message_id, in_reply_to, references_ids, meta, created_by, folder, seen, has_attachments, "
               "attachment_names, created_at) VALUES ($1, 1, $2, 'outbound', 'queued', 'billing', "
               "'billing@postroom.test', $3, '{}', '{}', NULL, $4, $5, '', $6, NULL, '{}', '{}'::jsonb, NULL, 'sent', "
               "true, false, '', now());")
    for i in range(count):
        thread, message = str(uuid.UUID(int=r.getrandbits(128))), str(uuid.UUID(int=r.getrandbits(128)))
        subject = " ".join(p.words(r, r.randint(3, 7))).capitalize()
        if shape == "outbound":
            body = " ".join(p.words(r, 330))[:2000]
            rcpt = "%s.%s@%s" % (r.choice(p.FIRST), r.choice(p.LAST), r.choice(p.DOMAINS))
            yield "EXECUTE th(%s, %s);" % (q(thread), q(subject))
            yield "EXECUTE ms(%s, %s, %s, %s, %s, %s);" % (q(message), q(thread), arr([rcpt]), q(subject), q(body),
                                                        q("<%s@postroom.test>" % message))
            continue
        name_addr = r.choice(p.SENDERS)
        name, address = name_addr.split(" <")[0], name_addr.split("<")[1].rstrip(">")
        body_words = p.words(r, r.randint(80, 1200))
        body = "\n".join(" ".join(body_words[k:k + 14]) for k in range(0, len(body_words), 14))
        files = r.choice(p.FILES) % r.randint(100, 99999) if r.random() < 0.10 else ""
        rows.append((thread, message, subject, address, name, body, files))
        if len(rows) == BATCH or i == count - 1:
            yield ("INSERT INTO email_thread (id, org_id, subject, normalized_subject) VALUES "
                   + ",".join("(%s, 1, %s, %s)" % (q(t), q(s), q(s.lower())) for t, _, s, *_ in rows) + ";")
            yield ("INSERT INTO email_message (id, org_id, thread_id, direction, status, classification, sender, "
                   "recipients, cc, subject, body_plain, body_html, message_id, meta, created_at, updated_at, "
                   "content_key, raw_size, has_attachments, seen, folder, attachment_names) VALUES "
                   + ",".join("(%s, 1, %s, 'inbound', 'received', 'ops', %s, %s, '{}', %s, %s, '', %s, %s, now(), "
                              "now(), %s, %d, %s, false, 'inbox', %s)"
                              % (q(m), q(t), q(address), arr(["bench@postroom.test"]), q(s), q(b), q("<%s@gen>" % m),
                                 q('{"from_name": "%s"}' % n), q(m), len(b) + 400, "true" if f else "false", q(f))
                              for t, m, s, address, n, b, f in rows) + ";")
            rows = []
    yield "ROLLBACK;"


if __name__ == "__main__":
    for statement in statements(sys.argv[1], int(sys.argv[2])):
        sys.stdout.write(statement + "\n\n")
