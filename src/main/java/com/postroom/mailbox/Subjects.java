package com.postroom.mailbox;

import java.util.Locale;
import java.util.regex.Pattern;

/** Subject normalisation for threading: reply and forward prefixes in the languages mail clients use. */
public final class Subjects {

    // Re, Fwd, Fw (English); AW, WG (German); SV, VS (Nordic); Antw (Dutch); RE[2], Re: with brackets.
    private static final Pattern PREFIX = Pattern.compile(
            "^\\s*(?:(?:re|fwd?|aw|wg|sv|vs|antw|r|tr|rif|enc|odp|ynt)(?:\\[\\d+\\]|\\(\\d+\\))?\\s*[:：]\\s*|\\[fwd?:[^]]*\\]\\s*)",
            Pattern.CASE_INSENSITIVE);

    private Subjects() {
    }

    public static String normalize(String subject) {
        if (subject == null) {
            return "";
        }
        String s = subject.strip();
        String before;
        do {
            before = s;
            s = PREFIX.matcher(s).replaceFirst("").strip();
        } while (!s.equals(before));
        return s.replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }
}
