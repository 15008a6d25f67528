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

    private static final Pattern BILLING = Pattern.compile("\\b(invoices?|payments?|cms|edi|claims?)\\b");
    private static final Pattern LEGAL = Pattern.compile("\\b(subpoenas?|legal|court|discovery|hold)\\b");
    private static final Pattern OCR = Pattern.compile("\\b(scan|scanned|ocr)\\b");
    private static final Pattern COMPLIANCE = Pattern.compile("\\b(retention|policy|compliance)\\b");
    private static final Pattern SPAM_STATUS = Pattern.compile("^\\s*(yes|spam)\\b.*", Pattern.CASE_INSENSITIVE);

    record Meaning(String classification, Set<String> labels, boolean spam, Optional<String> spamReason,
                   boolean autoReply, boolean bulk) {
    }

    private Classifier() {
    }

    static Meaning of(ParsedMail mail, boolean junkFolder) {
        String haystack = (mail.subject() + "\n" + mail.text()).toLowerCase(Locale.ROOT);
        if (haystack.length() > 200_000) {
            haystack = haystack.substring(0, 200_000);
        }
        String classification = BILLING.matcher(haystack).find() ? "billing"
                : LEGAL.matcher(haystack).find() ? "legal" : "ops";
        Set<String> labels = new LinkedHashSet<>();
        if (!classification.equals("ops")) {
            labels.add(classification);
        }
        if (OCR.matcher(haystack).find()) {
            labels.add("ocr");
        }
        if (COMPLIANCE.matcher(haystack).find()) {
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
