package com.postroom.mailbox;

import java.util.Locale;
import java.util.regex.Pattern;

/** Subject normalisation for threading: reply and forward prefixes in the languages mail clients use. */
public final class Subjects {

    // Re, Fwd, Fw (English); AW, WG (German); SV, VS (Nordic); Antw (Dutch); RE[2], Re: with brackets; and the tags
    // mail gateways put in front of a subject ("[EXTERNAL] RE: ...", "RE: [External Sender] ..."), which many
    // hospitals and billing offices add to every message from outside and which would otherwise start a new thread.
    private static final Pattern PREFIX = Pattern.compile(
            "^\\s*(?:(?:re|fwd?|aw|wg|sv|vs|antw|r|tr|rif|enc|odp|ynt)(?:\\[\\d+\\]|\\(\\d+\\))?\\s*[:：]\\s*"
                    + "|\\[(?:ext|external|external (?:sender|email|message|mail)|caution[^]]*)\\]\\s*:?\\s*)",
            Pattern.CASE_INSENSITIVE);
    /** An old forwarding style wraps the whole subject: "[Fwd: Invoice 4411]". */
    private static final Pattern FORWARD_BRACKETS = Pattern.compile("^\\[fwd?:\\s*(.*)\\]$", Pattern.CASE_INSENSITIVE);

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
            s = FORWARD_BRACKETS.matcher(s).replaceFirst("$1").strip();
        } while (!s.equals(before));
        return s.replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }
}
