package com.postroom.inbound;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import com.postroom.mime.ParsedMail;
import com.postroom.store.Subjects;
import com.postroom.store.Threads;
import com.postroom.outbound.MessageIds;

/**
 * Puts received messages into threads (conversations), a whole batch at a time: In-Reply-To and References against
 * every stored Message-ID first, then, for a reply or forward only, the normalized subject among the threads its
 * sender took part in, else a new thread. A reference to an outbound message counts only when the id carries
 * Postroom's keyed tag, so a forged reference cannot pull mail into a thread. Subject matching looks at threads active
 * in the last {@value #SUBJECT_WINDOW_DAYS} days, so a common subject ("Invoice") a year later starts a new
 * conversation, as in Gmail.
 */
@Component
class Threading {

    static final int SUBJECT_WINDOW_DAYS = 60;

    private final JdbcClient jdbc;
    private final Threads threads;
    private final MessageIds messageIds;

    Threading(JdbcClient jdbc, Threads threads, MessageIds messageIds) {
        this.jdbc = jdbc;
        this.threads = threads;
        this.messageIds = messageIds;
    }

    /** Which thread each new message (by content key) goes to, and the threads to create. */
    static final class Assignment {
        private final Map<String, UUID> byKey = new HashMap<>();
        private final Map<UUID, String> created = new java.util.LinkedHashMap<>();
        private final Map<UUID, OffsetDateTime> latest = new HashMap<>();

        UUID threadOf(String contentKey) {
            return byKey.get(contentKey);
        }
    }

    Assignment assign(long orgId, List<Ingest.Prepared> fresh) {
        Assignment out = new Assignment();
        if (fresh.isEmpty()) {
            return out;
        }
        Set<String> referenced = new LinkedHashSet<>();
        Map<Ingest.Prepared, String> subjectKeys = new IdentityHashMap<>(); // normalized subject + "\n" + sender
        for (Ingest.Prepared p : fresh) {
            if (p.mail() != null) {
                p.mail().inReplyTo().ifPresent(referenced::add);
                referenced.addAll(p.mail().references());
                subjectKey(p.mail()).ifPresent(k -> subjectKeys.put(p, k));
            }
        }
        Map<String, UUID> byMessageId = new HashMap<>();
        if (!referenced.isEmpty()) {
            jdbc.sql("SELECT message_id, thread_id, direction FROM email_message WHERE org_id = ? "
                            + "AND message_id = ANY(?)")
                    .params(orgId, referenced.toArray(String[]::new))
                    .query(rs -> {
                        String id = rs.getString(1);
                        if (!"outbound".equals(rs.getString(3)) || messageIds.isOurs(id)) {
                            byMessageId.putIfAbsent(id, rs.getObject(2, UUID.class));
                        }
                    });
        }
        // By subject: the newest recent thread with that subject in which the sender already took part (wrote, or
        // was written to). Without that condition, "Re: Question about my bill" from one patient whose references
        // were lost joined another patient's conversation of the same subject.
        Map<String, UUID> bySubject = new HashMap<>();
        if (!subjectKeys.isEmpty()) {
            Set<String> keys = new LinkedHashSet<>(subjectKeys.values());
            String[] subjects = keys.stream().map(k -> k.substring(0, k.indexOf('\n'))).toArray(String[]::new);
            String[] senders = keys.stream().map(k -> k.substring(k.indexOf('\n') + 1)).toArray(String[]::new);
            jdbc.sql("SELECT DISTINCT ON (q.subject, q.sender) q.subject, q.sender, t.id "
                            + "FROM unnest(?::text[], ?::text[]) AS q(subject, sender) "
                            + "JOIN email_thread t ON t.org_id = ? AND t.normalized_subject = q.subject "
                            + "AND t.last_message_at > now() - make_interval(days => ?) "
                            + "WHERE EXISTS (SELECT 1 FROM email_message m WHERE m.thread_id = t.id AND m.org_id = t.org_id "
                            + "AND (lower(m.sender) = q.sender OR EXISTS (SELECT 1 FROM unnest(m.recipients || m.cc) r "
                            + "WHERE lower(r) = q.sender))) "
                            + "ORDER BY q.subject, q.sender, t.last_message_at DESC")
                    .params(subjects, senders, orgId, SUBJECT_WINDOW_DAYS)
                    .query(rs -> {
                        bySubject.put(rs.getString(1) + "\n" + rs.getString(2), rs.getObject(3, UUID.class));
                    });
        }
        for (Ingest.Prepared p : fresh) {
            UUID thread = null;
            String subject = p.mail() == null ? "" : p.mail().subject();
            if (p.mail() != null) {
                List<String> refs = new ArrayList<>();
                p.mail().inReplyTo().ifPresent(refs::add);
                List<String> references = p.mail().references();
                for (int i = references.size() - 1; i >= 0; i--) {
                    refs.add(references.get(i)); // the nearest ancestor first
                }
                for (String ref : refs) {
                    thread = byMessageId.get(ref);
                    if (thread != null) {
                        break;
                    }
                }
            }
            String normalized = Subjects.normalize(subject);
            String key = subjectKeys.get(p);
            if (thread == null && key != null) {
                thread = bySubject.get(key);
            }
            if (thread == null) {
                thread = UUID.randomUUID();
                out.created.put(thread, subject);
            }
            if (p.mail() != null && !normalized.isEmpty()) {
                // A later reply in this batch from any participant of this message finds its thread.
                for (String participant : participants(p.mail())) {
                    bySubject.putIfAbsent(normalized + "\n" + participant, thread);
                }
            }
            byMessageId.put(p.messageIdHeader(), thread); // a later message of this batch may reply to this one
            out.byKey.put(p.contentKey(), thread);
            OffsetDateTime when = p.in().receivedAt()
                    .or(() -> p.mail() == null ? Optional.empty() : p.mail().date())
                    .orElse(OffsetDateTime.now());
            out.latest.merge(thread, when, (a, b) -> a.isAfter(b) ? a : b);
        }
        List<Threads.NewThread> started = new ArrayList<>();
        out.created.forEach((id, subject) -> started.add(new Threads.NewThread(id, orgId, subject,
                out.latest.get(id))));
        threads.insertAll(started);
        return out;
    }

    /** Existing threads that gained a message move up to its time. */
    void touch(Assignment assignment) {
        Map<UUID, OffsetDateTime> gained = new java.util.HashMap<>(assignment.latest);
        gained.keySet().removeAll(assignment.created.keySet());
        threads.touchAll(gained);
    }

    /** Subject and sender for a match by subject: only a reply or forward with a subject and a sender has one. */
    private static Optional<String> subjectKey(ParsedMail mail) {
        String normalized = Subjects.normalize(mail.subject());
        if (normalized.isEmpty() || mail.from().isEmpty() || !Subjects.isReplyOrForward(mail.subject())) {
            return Optional.empty();
        }
        return Optional.of(normalized + "\n" + mail.from().get());
    }

    private static List<String> participants(ParsedMail mail) {
        List<String> all = new ArrayList<>();
        mail.from().ifPresent(all::add);
        all.addAll(mail.to());
        all.addAll(mail.cc());
        return all;
    }
}
