package com.postroom.compat;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.postroom.policy.Decision;
import com.postroom.store.StoredMessage;
import com.postroom.store.StoredThread;

/**
 * The original API's JSON shapes (ORIGINAL-API.md), field for field; names become snake_case in JSON. The sending
 * core and the store return domain records; the original routes render them through these, so the store and the
 * native API can change without changing the contract. PlatformCallersTest reads them through HTTP, field by field.
 */
final class OriginalShapes {

    private OriginalShapes() {
    }

    /** A message: {@code GET /api/email/messages}, the send answer, a thread's messages. */
    record Message(UUID id, UUID threadId, String direction, String status, String classification, String sender,
                   List<String> recipients, List<String> cc, List<String> bcc, String subject, String bodyPlain,
                   String bodyHtml, String messageId, String inReplyTo, List<String> references,
                   Map<String, Object> meta, OffsetDateTime createdAt) {
    }

    /** A thread: {@code GET /api/email/threads}. */
    record Thread(UUID id, String subject, String normalizedSubject, String status, OffsetDateTime lastMessageAt,
                  OffsetDateTime createdAt) {
    }

    /** The policy decision returned with a send: ALLOW, WARN, REQUIRE_CONFIRMATION or BLOCK, with its reasons. */
    record PolicyDecision(String decision, List<String> ruleIds, List<Reason> reasons) {
    }

    record Reason(String ruleId, String message, String severity) {
    }

    static Message message(StoredMessage m) {
        return new Message(m.id(), m.threadId(), m.direction(), m.status(), m.classification(), m.sender(),
                m.recipients(), m.cc(), m.bcc(), m.subject(), m.bodyPlain(), m.bodyHtml(), m.messageId(),
                m.inReplyTo(), m.references(), m.meta(), m.createdAt());
    }

    static List<Message> messages(List<StoredMessage> list) {
        return list.stream().map(OriginalShapes::message).toList();
    }

    static Thread thread(StoredThread t) {
        return new Thread(t.id(), t.subject(), t.normalizedSubject(), t.status(), t.lastMessageAt(), t.createdAt());
    }

    static PolicyDecision decision(Decision d) {
        return new PolicyDecision(d.decision(), d.ruleIds(), d.reasons().stream()
                .map(r -> new Reason(r.ruleId(), r.message(), r.severity())).toList());
    }
}
