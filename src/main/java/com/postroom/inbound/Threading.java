package com.postroom.inbound;

import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import com.postroom.mailbox.Subjects;
import com.postroom.outbound.MessageIds;

/**
 * Puts received messages into threads (conversations), a whole batch at a time: In-Reply-To and References against
 * every stored Message-ID first, then the normalized subject within the organization, else a new thread. A reference
 * to an outbound message counts only when the id carries Postroom's keyed tag, so a forged reference cannot pull
 * mail into a thread. Subject matching looks at threads active in the last {@value #SUBJECT_WINDOW_DAYS} days, so a
 * common subject ("Invoice") a year later starts a new conversation, as in Gmail.
 */
@Component
class Threading {

    static final int SUBJECT_WINDOW_DAYS = 60;

    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final MessageIds messageIds;

    Threading(JdbcClient jdbc, JdbcTemplate template, MessageIds messageIds) {
        this.jdbc = jdbc;
        this.template = template;
        this.messageIds = messageIds;
    }

    /** Which thread each new message (by content key) goes to, and the threads to create. */
    static final class Assignment {
        private final Map<String, UUID> byKey = new HashMap<>();
        private final Map<UUID, String[]> created = new java.util.LinkedHashMap<>();
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
        Set<String> subjects = new LinkedHashSet<>();
        for (Ingest.Prepared p : fresh) {
            if (p.mail() != null) {
                p.mail().inReplyTo().ifPresent(referenced::add);
                referenced.addAll(p.mail().references());
                subjects.add(Subjects.normalize(p.mail().subject()));
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
        subjects.remove("");
        Map<String, UUID> bySubject = new HashMap<>();
        if (!subjects.isEmpty()) {
            jdbc.sql("SELECT DISTINCT ON (normalized_subject) normalized_subject, id FROM email_thread "
                            + "WHERE org_id = ? AND normalized_subject = ANY(?) AND last_message_at > now() - "
                            + "make_interval(days => ?) ORDER BY normalized_subject, last_message_at DESC")
                    .params(orgId, subjects.toArray(String[]::new), SUBJECT_WINDOW_DAYS)
                    .query(rs -> {
                        bySubject.put(rs.getString(1), rs.getObject(2, UUID.class));
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
            if (thread == null && !normalized.isEmpty()) {
                thread = bySubject.get(normalized);
            }
            if (thread == null) {
                thread = UUID.randomUUID();
                out.created.put(thread, new String[] {subject, normalized});
                if (!normalized.isEmpty()) {
                    bySubject.put(normalized, thread);
                }
            }
            byMessageId.put(p.messageIdHeader(), thread); // a later message of this batch may reply to this one
            out.byKey.put(p.contentKey(), thread);
            OffsetDateTime when = p.in().receivedAt()
                    .or(() -> p.mail() == null ? java.util.Optional.empty() : p.mail().date())
                    .orElse(OffsetDateTime.now());
            out.latest.merge(thread, when, (a, b) -> a.isAfter(b) ? a : b);
        }
        List<Object[]> rows = new ArrayList<>();
        out.created.forEach((id, s) -> rows.add(new Object[] {id, orgId, s[0].replace("\0", ""), s[1].replace("\0", ""),
                Timestamp.from(out.latest.get(id).toInstant())}));
        template.batchUpdate("INSERT INTO email_thread (id, org_id, subject, normalized_subject, last_message_at) "
                + "VALUES (?, ?, ?, ?, ?)", rows);
        return out;
    }

    /** Existing threads that gained a message move up to its time. */
    void touch(Assignment assignment) {
        List<Object[]> rows = new ArrayList<>();
        assignment.latest.forEach((id, when) -> {
            if (!assignment.created.containsKey(id)) {
                rows.add(new Object[] {Timestamp.from(when.toInstant()), id});
            }
        });
        template.batchUpdate("UPDATE email_thread SET last_message_at = GREATEST(last_message_at, ?) WHERE id = ?",
                rows);
    }
}
