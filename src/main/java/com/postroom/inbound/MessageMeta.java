package com.postroom.inbound;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.postroom.mime.ParsedMail;
import com.postroom.policy.Decision;
import com.postroom.store.ReceivedMail;

/**
 * A received message's {@code meta}: where it came from, the original API's ingest decision (stored, stored as spam,
 * quarantined with the reason), the sender's display name and what the parse noted (a truncated body, warnings).
 */
final class MessageMeta {

    private MessageMeta() {
    }

    static Map<String, Object> of(Ingest.Prepared p) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("source", p.in().source());
        if (p.syntheticId()) {
            meta.put("synthetic_message_id", true);
        }
        if (p.mail() == null) {
            meta.put("decision", decision(Ingest.INGEST_ALLOW, "Stored raw and quarantined: " + p.quarantine(), "warning"));
            return meta;
        }
        ParsedMail m = p.mail();
        m.fromName().filter(n -> !n.isBlank()).ifPresent(n -> meta.put("from_name", com.postroom.mime.DisplayNames.safe(n)));
        Classifier.Meaning meaning = p.meaning();
        meta.put("decision", meaning.spam()
                ? decision(Ingest.SPAM_BLOCK, "Spam: " + meaning.spamReason().orElse("") + "; stored, kept out of the inbox",
                "warning")
                : decision(Ingest.INGEST_ALLOW, "Inbound message stored", "info"));
        if (meaning.bulk()) {
            meta.put("bulk", true);
        }
        putParseNotes(m, meta);
        return meta;
    }

    /** What the parse itself says about a message ({@code body_truncated}, {@code parse_warnings}), into its meta. */
    static void putParseNotes(ParsedMail m, Map<String, Object> meta) {
        if (m.bodyTruncated()) {
            meta.put("body_truncated", true);
        }
        if (!m.warnings().isEmpty()) {
            meta.put("parse_warnings", m.warnings());
        }
    }

    private static Decision decision(String rule, String message, String severity) {
        return new Decision(rule.equals(Ingest.SPAM_BLOCK) ? "BLOCK" : "ALLOW", List.of(rule),
                List.of(new Decision.Reason(rule, message, severity)));
    }
}
