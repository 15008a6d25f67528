package com.postroom.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.postroom.mime.ParsedMail;

/** The meaning of inbound mail: spam and automatic replies recognised from real mail's headers and subjects. */
class ClassifierTest {

    private static ParsedMail parse(String fixture) throws Exception {
        return new com.postroom.mime.MailParser().parse(com.postroom.mime.MailParserTest.fixture(fixture));
    }

    @Test
    void spamAndAutoRepliesAreRecognised() throws Exception {
        Classifier.Meaning spam = Classifier.of(parse("spam.eml"), false);
        assertThat(spam.spam()).isTrue();
        assertThat(spam.labels()).contains("spam");
        Classifier.Meaning away = Classifier.of(parse("auto-reply.eml"), false);
        assertThat(away.autoReply()).isTrue();
        assertThat(away.classification()).isEqualTo("billing");
        assertThat(Classifier.of(parse("no-message-id.eml"), true).spam()).isTrue();
        // Exchange as many run it: no Auto-Submitted, only Outlook's subject prefix.
        assertThat(Classifier.of(parse("outlook-automatic-reply.eml"), false).autoReply()).isTrue();
        assertThat(Classifier.of(parse("8bit-headers.eml"), false).autoReply()).isFalse();
    }

    /**
     * The keyword scan finds what a set of every distinct lower-cased word found (the classifier until 2026-12-06),
     * over random texts of keywords in any case, near-keywords, letters that fold oddly (Turkish dotted and dotless I,
     * the Kelvin sign, final sigma), digits, punctuation, and subjects near the 200,000 characters read.
     */
    @Test
    void theKeywordScanFindsWhatEveryWordLowerCasedFound() {
        java.util.Random random = new java.util.Random(42);
        String[] pieces = {"claim", "CLAIMS", "Invoice", "invoices2", "payment", "cms", "EDI", "subpoena", "Legal",
                "court", "discovery", "hold", "holds", "scan", "Scanned", "OCR", "retention", "POLICY", "compliance",
                "clai", "claimx", "claİm", "clıam", "CLAIM", "\u212Aey", "Σcan", "ΣΣ", "x", "42", "édi", "lęgal",
                "compliances", "retentions1", "a".repeat(13), " ", " ", "\n", ", ", ".", "-", "'", "\u00a0", "_"};
        for (int n = 0; n < 20_000; n++) {
            StringBuilder subject = new StringBuilder();
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(6); i > 0; i--) {
                subject.append(pieces[random.nextInt(pieces.length)]);
            }
            for (int i = random.nextInt(40); i > 0; i--) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            check(subject.toString(), text.toString());
        }
        String filler = "x ".repeat(Classifier.READ / 2 + 8);
        for (int cut = -8; cut <= 8; cut++) {
            check(filler.substring(0, Classifier.READ - 10 + cut), "claims legal ocr");
            check("", filler.substring(0, Classifier.READ - 12 + cut) + "claimsx policy");
            check(filler.substring(0, Classifier.READ - 3 + cut) + "scan", "court");
        }
    }

    private static void check(String subject, String text) {
        java.util.Set<String> words = everyWord(subject + "\n" + text);
        int expected = (java.util.Set.of("invoice", "invoices", "payment", "payments", "cms", "edi", "claim", "claims")
                .stream().anyMatch(words::contains) ? 1 : 0)
                | (java.util.Set.of("subpoena", "subpoenas", "legal", "court", "discovery", "hold").stream()
                .anyMatch(words::contains) ? 2 : 0)
                | (java.util.Set.of("scan", "scanned", "ocr").stream().anyMatch(words::contains) ? 4 : 0)
                | (java.util.Set.of("retention", "policy", "compliance").stream().anyMatch(words::contains) ? 8 : 0);
        assertThat(Classifier.groups(subject, text)).as("%s | %s", subject, text).isEqualTo(expected);
    }

    /** The classifier's words as they were: every distinct lower-case run of letters and digits up to 12 long. */
    private static java.util.Set<String> everyWord(String text) {
        java.util.Set<String> words = new java.util.HashSet<>();
        int end = Math.min(text.length(), 200_000);
        int start = -1;
        for (int i = 0; i <= end; i++) {
            boolean letter = i < end && Character.isLetterOrDigit(text.charAt(i));
            if (letter && start < 0) {
                start = i;
            } else if (!letter && start >= 0) {
                if (i - start <= 12) {
                    words.add(text.substring(start, i).toLowerCase(java.util.Locale.ROOT));
                }
                start = -1;
            }
        }
        return words;
    }

}
