package com.postroom.founder;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The dashboard's urgent words and previews, written as loops for speed, answer what the regular expressions they
 * replaced answered: over awkward cases and many random texts of words, case, punctuation and white space.
 */
class UrgentWordsTest {

    private static final Pattern URGENT = Pattern.compile(
            "\\b(urgent|asap|emergency|immediately|subpoena|court|lawsuit|deadline|final notice)\\b",
            Pattern.CASE_INSENSITIVE);

    private static String previewAsItWas(String body, int length) {
        String text = body == null ? "" : body.replaceAll("\\s+", " ").strip();
        return text.length() <= length ? text : text.substring(0, length);
    }

    @Test
    void urgentWordsAreWholeWordsInAnyCase() {
        for (String text : new String[] {"URGENT: call me", "asap", "see you in Court.", "final notice", "Final Notice!",
                "final  notice", "finalnotice", "urgently", "nonurgent", "urgent_", "_urgent", "2urgent", "urgent2",
                "éurgent", "urgenté", "courtesy", "the courts", "dead line", "Deadline-tomorrow", "", "u", "a",
                "emergencies", "IMMEDIATELY.", "sub poena", "lawsuits", "lawsuit\n", "\tasap\t", "a\u017Fap", "\u212Aourt",
                "urgent\u0301", " \u0301urgent", "x\u0301urgent", "\u0301\u0301urgent", "_\u0301urgent",
                "URGENT\u0301 now", "ASAP", "Final NOTICE",
                "\uD835\uDC00urgent", "urgent\uD835\uDC00", "\uD834\uDD67urgent", "a\uD834\uDD67urgent"}) {
            assertThat(FounderMail.urgentWords(text)).as(text).isEqualTo(URGENT.matcher(text).find());
        }
    }

    @Test
    void randomTextsAgreeWithTheExpressions() {
        Random random = new Random(26);
        String[] pieces = {"urgent", "URGENT", "Asap", "court", "final", "notice", "deadline", "lawsuit", "emergency",
                "immediately", "subpoena", "the", "courteous", "a", "_", "-", ".", "é", "1", " ", "  ", "\t", "\n",
                "\r\n", "\u000B", "\f", "\u2003", "\u00A0", "\u3000", "x", "\u0301", "\u017F", "S", "A",
                "\uD835\uDC00"};
        for (int t = 0; t < 20_000; t++) {
            StringBuilder text = new StringBuilder();
            int parts = random.nextInt(40);
            for (int p = 0; p < parts; p++) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            String s = text.toString();
            assertThat(FounderMail.urgentWords(s)).as(s).isEqualTo(URGENT.matcher(s).find());
            int length = 1 + random.nextInt(60);
            assertThat(FounderMail.preview(s, length)).as("%s cut to %d", s, length)
                    .isEqualTo(previewAsItWas(s, length));
        }
        assertThat(FounderMail.preview(null, 10)).isEqualTo(previewAsItWas(null, 10));
    }
}
