#!/usr/bin/env python3
"""SQL that stores generated messages the way Postroom does, for bench/db/store_cost.sh to count PostgreSQL's work.

The shapes, with the bodies, senders and file names of bench/search/populate.py (a billing office's mail). Mail accepted
for sending is stored without its search document, which the search indexer's UPDATE (INDEX below, copied from
MessageStates.indexPending) writes a moment later; each outgoing shape runs that UPDATE as Postroom would.
  inbound N   N received messages in INSERTs of 200 rows, as the IMAP sync writes them (ReceivedMail)
  outbound N  N sent messages of about 2 KB, one prepared INSERT each, as a send that is alone in its group
              (SendingCore's group of one: a thread, then the message), each then indexed alone
  send N      the whole of N such sends, each alone: the group's transaction (organization, suppressions, thread,
              message, outbox, audit), the indexer's UPDATE, then the worker's claim and the delivery outcome, each
              committed, as Outbox.claim and Outbox.finishAll write them (the SQL is copied from there)
  batch N     N sends accepted in one transaction, as a call to /email/batch stores them (multi-row INSERTs), then
              the indexer's UPDATE, then the workers' claims and outcomes in groups of 8
  grouped N   N concurrent single sends as GroupedSends commits them, in groups of 8, indexed every INDEXED_EVERY
              messages (default 24: the indexer looks four times a second, at the API's 100 sends a second), claimed
              and finished in groups of 8
Every statement is on a line of its own followed by an empty line: `postgres --single -j` ends a statement at a
semicolon followed by an empty line. inbound and outbound run in one transaction that is rolled back; send commits
as Postroom does (a delivery outcome updates its message in place only once the page's older versions are gone).
usage: store_sql.py inbound|outbound|send|batch|grouped count
"""
import json, os, random, sys, uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "search"))
import populate as p  # noqa: E402

BATCH = 200
# INDEX_LAST=1: a batch's documents written after its delivery outcomes instead of before them.
INDEX_LAST = os.environ.get("INDEX_LAST") == "1"
# NO_INDEX=1: a batch's documents never written (what sent mail without full-text search would cost).
NO_INDEX = os.environ.get("NO_INDEX") == "1"
# TEXT=unsearched: batches and grouped sends from a Postmark server whose mail's text is not indexed (migration 42).
META = ("'{\"postmark\": {\"search_body\": false}}'::jsonb" if os.environ.get("TEXT") == "unsearched"
        else "'{}'::jsonb")
# A sent message and its new thread, as SendingCore's group writes them (Messages.insertOutboundAll).
PREPARE_THREAD = ("PREPARE th(uuid, text) AS INSERT INTO email_thread (id, org_id, subject, normalized_subject) "
                  "VALUES ($1, 1, $2, lower($2));")
PREPARE_MESSAGE = ("PREPARE ms(uuid, uuid, text[], text, text, text) AS INSERT INTO email_message (id, org_id, "
                   "thread_id, direction, status, classification, sender, recipients, cc, bcc, reply_to, subject, "
                   "body_plain, body_html, message_id, in_reply_to, references_ids, meta, created_by, folder, seen, "
                   "has_attachments, attachment_names, created_at) VALUES ($1, 1, $2, 'outbound', 'queued', 'billing', "
                   "'billing@postroom.test', $3, '{}', '{}', NULL, $4, $5, '', $6, NULL, '{}', '{}'::jsonb, NULL, "
                   "'sent', true, false, '', now());")

# SearchIndexer's statement (MessageStates.indexPending): the documents of rows stored without them.
INDEX = ("UPDATE email_message SET search_doc = NULL WHERE id IN (SELECT id FROM email_message WHERE search_words "
         "IS NULL ORDER BY id LIMIT 500 FOR UPDATE SKIP LOCKED);")


def q(s):
    return "NULL" if s is None else "'" + s.replace("'", "''") + "'"


def arr(items):
    return "ARRAY[" + ",".join(q(i) for i in items) + "]::text[]" if items else "'{}'::text[]"


def statements(shape, count):
    r = random.Random(23)
    if shape == "send":
        yield from sends(r, count)
        return
    if shape == "batch":
        yield from batch(r, count)
        return
    if shape == "grouped":
        yield from grouped(r, count)
        return
    yield "BEGIN;"
    if shape == "outbound":
        yield PREPARE_THREAD
        yield PREPARE_MESSAGE
        for _ in range(count):
            yield from store_sent(*sent_message(r))
            yield INDEX
    else:
        yield from received(r, count)
    yield "ROLLBACK;"


def sent_message(r):
    """A sent message of about 2 kB and its new thread: (thread, message, subject, body, recipient)."""
    thread, message = str(uuid.UUID(int=r.getrandbits(128))), str(uuid.UUID(int=r.getrandbits(128)))
    subject = " ".join(p.words(r, r.randint(3, 7))).capitalize()
    body = " ".join(p.words(r, 330))[:2000]
    if os.environ.get("BODY") == "sentence":  # bench/outbound's body: one sentence repeated
        body = ("Statement reminder for a patient account. " * 60)[:2000]
    rcpt = "%s.%s@%s" % (r.choice(p.FIRST), r.choice(p.LAST), r.choice(p.DOMAINS))
    return thread, message, subject, body, rcpt


def store_sent(thread, message, subject, body, rcpt):
    """SendingCore's group of one (PREPARE_THREAD and PREPARE_MESSAGE prepared): the thread, then the message."""
    yield "EXECUTE th(%s, %s);" % (q(thread), q(subject))
    yield "EXECUTE ms(%s, %s, %s, %s, %s, %s);" % (q(message), q(thread), arr([rcpt]), q(subject), q(body),
                                                q("<%s@postroom.test>" % message))


def received(r, count):
    """Received messages in INSERTs of BATCH rows, as the IMAP sync writes them."""
    rows = []
    for i in range(count):
        thread, message = str(uuid.UUID(int=r.getrandbits(128))), str(uuid.UUID(int=r.getrandbits(128)))
        subject = " ".join(p.words(r, r.randint(3, 7))).capitalize()
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


CLAIM = ("UPDATE outbox o SET status = 'sending', attempts = o.attempts + 1, claimed_by = $1, lease_until = now() + "
         "$2::interval FROM (SELECT message_id FROM (SELECT message_id FROM outbox WHERE status = 'sending' AND "
         "(lease_until < now() OR claimed_by IS NULL OR claimed_by NOT IN (SELECT id FROM postroom_instance WHERE "
         "heartbeat_at > now() - interval '60 seconds')) ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) "
         "orphaned UNION ALL SELECT message_id FROM (SELECT message_id FROM outbox WHERE status = 'queued' AND "
         "next_attempt_at <= now() ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) queued LIMIT $3) due "
         "WHERE o.message_id = due.message_id AND set_config('synchronous_commit', 'off', true) IS NOT NULL "
         "RETURNING o.message_id, o.org_id, o.envelope_from, o.pending_rcpts, "
         "o.attempts, o.give_up_at, o.created_at, CASE WHEN octet_length(o.mime) <= 262144 THEN o.mime END")
FINISH = ("WITH v AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS v(id uuid, attempt_no int, started_at timestamptz, "
          "outcome text, smtp_code int, smtp_reply text, recipients jsonb, worker text, status text, accepted text[], "
          "failed text[], last_error text, sent_copy boolean)), attempt AS (INSERT INTO delivery_attempt (message_id, "
          "attempt_no, started_at, finished_at, outcome, smtp_code, smtp_reply, recipients, worker) SELECT id, "
          "attempt_no, started_at, now(), outcome, smtp_code, smtp_reply, recipients, worker FROM v), message AS "
          "(UPDATE email_message m SET status = v.status, folder = CASE WHEN m.folder = 'scheduled' THEN 'sent' ELSE "
          "m.folder END, updated_at = CASE WHEN v.status = 'sent' THEN m.updated_at ELSE now() END FROM v WHERE m.id = "
          "v.id AND m.id = ANY(ARRAY(SELECT id FROM v))) UPDATE outbox o SET status = v.status, pending_rcpts = '{}', "
          "accepted_rcpts = o.accepted_rcpts || v.accepted, failed_rcpts = o.failed_rcpts || v.failed, last_error = "
          "v.last_error, lease_until = NULL, claimed_by = NULL, sent_at = CASE WHEN v.status = 'sent' THEN now() ELSE "
          "o.sent_at END, sent_copy = CASE WHEN o.sent_copy = 'skip' THEN 'skip' WHEN v.sent_copy THEN 'pending' ELSE "
          "'none' END FROM v WHERE o.message_id = v.id AND o.message_id = ANY(ARRAY(SELECT id FROM v))")


def delivered(message, rcpt, reply):
    """One row of Outbox.finishAll's JSON: the message went, its recipient accepted with this reply."""
    return {"id": message, "attempt_no": 1, "started_at": "2026-12-05T00:00:00Z", "outcome": "sent", "smtp_code": 250,
            "smtp_reply": reply, "recipients": [{"address": rcpt, "code": 250, "reply": reply, "accepted": True}],
            "worker": "bench-instance", "status": "sent", "accepted": [rcpt], "failed": [], "last_error": None,
            "sent_copy": False}


def sends(r, count):
    """Each send alone, as under a steady trickle of API calls: the accept, the claim, the outcome."""
    yield "PREPARE org(bigint) AS SELECT id, name, email_domain, phone FROM organization WHERE id = $1;"
    yield ("PREPARE sup(bigint, text[]) AS SELECT address, reason, source, stream, created_at FROM suppression "
           "WHERE org_id = $1 AND address = ANY($2) ORDER BY address, stream;")
    yield PREPARE_THREAD
    yield PREPARE_MESSAGE
    yield ("PREPARE ob(uuid, text[], bytea) AS INSERT INTO outbox (message_id, org_id, envelope_from, pending_rcpts, "
           "mime, status, next_attempt_at, give_up_at, sent_copy) VALUES ($1, 1, 'billing@postroom.test', $2, $3, "
           "'queued', GREATEST(now(), NULL), GREATEST(now(), NULL) + '259200 seconds'::interval, 'none');")
    yield ("PREPARE au(uuid, text) AS INSERT INTO audit_event (org_id, actor_id, actor_email, action, target_type, "
           "target_id, details) VALUES (1, 1, (SELECT email FROM app_user WHERE id = 1), 'email.sent', "
           "'email_message', $1, $2::jsonb);")
    yield "PREPARE claim(text, text, int) AS " + CLAIM + ";"
    yield "PREPARE fin(text) AS " + FINISH + ";"
    for i in range(count):
        thread, message, subject, body, rcpt = sent_message(r)
        mime = ("From: billing@postroom.test\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@postroom.test>\r\n"
                "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n%s\r\n"
                % (rcpt, subject, message, body))
        yield "BEGIN;"
        yield "EXECUTE org(1);"
        yield "EXECUTE sup(1, %s);" % arr([rcpt])
        yield from store_sent(thread, message, subject, body, rcpt)
        yield "EXECUTE ob(%s, %s, convert_to(%s, 'UTF8'));" % (q(message), arr([rcpt]), q(mime))
        yield "EXECUTE au(%s, %s);" % (q(message), q('{"from": "billing@postroom.test", "recipients": 1, '
                                                  '"classification": "billing", "flow": "generic"}'))
        yield "COMMIT;"
        yield INDEX
        yield "EXECUTE claim('bench-instance', '300 seconds', 1);"
        reply = "250 2.0.0 Ok: queued as 4F%08X" % i
        yield "EXECUTE fin(%s);" % q(json.dumps([delivered(message, rcpt, reply)]))


def accepted(group):
    """The multi-row INSERTs of a group of sends accepted together (threads, messages, outbox), as SendingCore writes
    them."""
    yield ("INSERT INTO email_thread (id, org_id, subject, normalized_subject) VALUES "
           + ",".join("(%s, 1, %s, lower(%s))" % (q(t), q(s), q(s)) for t, _, s, _, _ in group) + ";")
    yield ("INSERT INTO email_message (id, org_id, thread_id, direction, status, classification, sender, recipients, "
           "cc, bcc, reply_to, subject, body_plain, body_html, message_id, in_reply_to, references_ids, meta, "
           "created_by, folder, seen, has_attachments, attachment_names, created_at) VALUES "
           + ",".join(("(%s, 1, %s, 'outbound', 'queued', 'billing', 'billing@postroom.test', %s, '{}', '{}', NULL, "
                       "%s, %s, '', %s, NULL, '{}', " + META + ", NULL, 'sent', true, false, '', now())")
                      % (q(m), q(t), arr([rc]), q(s), q(b), q("<%s@postroom.test>" % m)) for t, m, s, b, rc in group)
           + ";")
    yield ("INSERT INTO outbox (message_id, org_id, envelope_from, pending_rcpts, mime, status, next_attempt_at, "
           "give_up_at, sent_copy) VALUES "
           + ",".join("(%s, 1, 'billing@postroom.test', %s, convert_to(%s, 'UTF8'), 'queued', now(), now() + "
                      "interval '3 days', 'none')" % (q(m), arr([rc]), q("Subject: %s\r\n\r\n%s" % (s, b)))
                      for t, m, s, b, rc in group) + ";")


def batch(r, count):
    """A group of sends accepted at once (Messages.insertOutboundAll), indexed by SearchIndexer's statement, then
    claimed and finished by the workers in groups of 8."""
    sent = [sent_message(r) for _ in range(count)]
    yield "BEGIN;"
    yield from accepted(sent)
    yield "COMMIT;"
    if not INDEX_LAST and not NO_INDEX:
        yield INDEX
    yield "PREPARE claim(text, text, int) AS " + CLAIM + ";"
    yield "PREPARE fin(text) AS " + FINISH + ";"
    for k in range(0, count, 8):
        group = sent[k:k + 8]
        yield "EXECUTE claim('bench-instance', '300 seconds', %d);" % len(group)
        reply = "250 2.0.0 Ok: queued as 4F%08X" % k
        yield "EXECUTE fin(%s);" % q(json.dumps([delivered(m, rc, reply) for _, m, _, _, rc in group]))
    if INDEX_LAST and not NO_INDEX:
        yield INDEX


def grouped(r, count, size=8, indexed_every=int(os.environ.get("INDEXED_EVERY", "24"))):
    """Concurrent single sends as GroupedSends commits them: groups of `size` in one transaction (multi-row INSERTs),
    indexed by SearchIndexer's UPDATE every `indexed_every` messages, claimed and finished in groups of 8."""
    sent = [sent_message(r) for _ in range(count)]
    yield "PREPARE claim(text, text, int) AS " + CLAIM + ";"
    yield "PREPARE fin(text) AS " + FINISH + ";"
    for k in range(0, count, size):
        group = sent[k:k + size]
        yield "BEGIN;"
        yield from accepted(group)
        yield "COMMIT;"
        if (k + size) % indexed_every == 0:
            yield INDEX
        yield "EXECUTE claim('bench-instance', '300 seconds', %d);" % len(group)
        reply = "250 2.0.0 Ok: queued as 4F%08X" % k
        yield "EXECUTE fin(%s);" % q(json.dumps([delivered(m, rc, reply) for _, m, _, _, rc in group]))
    yield INDEX


if __name__ == "__main__":
    for statement in statements(sys.argv[1], int(sys.argv[2])):
        sys.stdout.write(statement + "\n\n")
