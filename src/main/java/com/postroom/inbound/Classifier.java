package com.postroom.inbound;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The meaning ORIGINAL-API.md gives inbound mail: classification by keywords, the system labels, the spam rule; plus
 * auto-reply and bulk detection (RFC 3834 and the de-facto headers), which nothing may answer.
 */
final class Classifier {

    private static final Set<String> BILLING = Set.of("invoice", "invoices", "payment", "payments", "cms", "edi",
            "claim", "claims");
    private static final Set<String> LEGAL = Set.of("subpoena", "subpoenas", "legal", "court", "discovery", "hold");
    private static final Set<String> OCR = Set.of("scan", "scanned", "ocr");
    private static final Set<String> COMPLIANCE = Set.of("retention", "policy", "compliance");
    private static final Pattern SPAM_STATUS = Pattern.compile("^\\s*(yes|spam)\\b.*", Pattern.CASE_INSENSITIVE);

    record Meaning(String classification, Set<String> labels, boolean spam, Optional<String> spamReason,
                   boolean autoReply, boolean bulk) {
    }

    private Classifier() {
    }

    static Meaning of(ParsedMail mail, boolean junkFolder) {
        Set<String> words = words(mail.subject() + "\n" + mail.text());
        String classification = any(words, BILLING) ? "billing" : any(words, LEGAL) ? "legal" : "ops";
        Set<String> labels = new LinkedHashSet<>();
        if (!classification.equals("ops")) {
            labels.add(classification);
        }
        if (any(words, OCR)) {
            labels.add("ocr");
        }
        if (any(words, COMPLIANCE)) {
            labels.add("compliance");
        }
        if (mail.hasAttachments()) {
            labels.add("attachments");
        }
        Optional<String> spamReason = spamReason(mail.headers(), junkFolder);
        if (spamReason.isPresent()) {
            labels.add("spam");
        }
        HeaderBlock h = mail.headers();
        String autoSubmitted = h.lowerRaw("Auto-Submitted");
        String precedence = h.lowerRaw("Precedence");
        boolean autoReply = (!autoSubmitted.isEmpty() && !autoSubmitted.startsWith("no"))
                || h.has("X-Autoreply") || h.has("X-Autorespond") || precedence.contains("auto_reply")
                || mail.deliveryStatus().isPresent();
        boolean bulk = precedence.contains("bulk") || precedence.contains("list") || precedence.contains("junk")
                || h.has("List-Id") || h.has("List-Unsubscribe");
        if (autoReply) {
            labels.add("auto-reply");
        }
        return new Meaning(classification, labels, spamReason.isPresent(), spamReason, autoReply, bulk);
    }

    /** The distinct lower-case words (letters and digits) of the first 200,000 characters: one pass, then lookups. */
    static Set<String> words(String text) {
        Set<String> words = new java.util.HashSet<>();
        int end = Math.min(text.length(), 200_000);
        int start = -1;
        for (int i = 0; i <= end; i++) {
            boolean letter = i < end && Character.isLetterOrDigit(text.charAt(i));
            if (letter && start < 0) {
                start = i;
            } else if (!letter && start >= 0) {
                if (i - start <= 12) { // no keyword is longer; skips the cost of long tokens
                    words.add(text.substring(start, i).toLowerCase(Locale.ROOT));
                }
                start = -1;
            }
        }
        return words;
    }

    private static boolean any(Set<String> words, Set<String> keywords) {
        for (String k : keywords) {
            if (words.contains(k)) {
                return true;
            }
        }
        return false;
    }

    private static Optional<String> spamReason(HeaderBlock h, boolean junkFolder) {
        if (junkFolder) {
            return Optional.of("delivered to the Junk folder");
        }
        Optional<String> status = h.raw("X-Spam-Status");
        if (status.isPresent() && SPAM_STATUS.matcher(status.get()).matches()) {
            return Optional.of("X-Spam-Status: " + status.get());
        }
        if (h.lowerRaw("X-Spam").startsWith("yes") || h.lowerRaw("X-Spam-Flag").startsWith("yes")) {
            return Optional.of("X-Spam: yes");
        }
        Optional<String> score = h.raw("X-Spam-Score");
        if (score.isPresent()) {
            try {
                if (Double.parseDouble(score.get().strip().split("[\\s/]")[0]) > 5) {
                    return Optional.of("X-Spam-Score " + score.get().strip() + " is above 5");
                }
            } catch (NumberFormatException ignored) {
                // An unreadable score is no evidence either way.
            }
        }
        return Optional.empty();
    }
}
