package com.postroom.store;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Subject normalisation for threading: reply and forward prefixes in the languages mail clients use. */
public final class Subjects {

    // Re, Fwd, Fw (English); AW, WG (German); SV, VS (Nordic); Antw (Dutch); RE[2], Re: with brackets.
    private static final Pattern REPLY_PREFIX = Pattern.compile(
            "^\\s*(?:re|fwd?|aw|wg|sv|vs|antw|r|tr|rif|enc|odp|ynt)(?:\\[\\d+\\]|\\(\\d+\\))?\\s*[:：]\\s*",
            Pattern.CASE_INSENSITIVE);
    // The tags mail gateways put in front of a subject ("[EXTERNAL] RE: ...", "RE: [External Sender] ..."), which many
    // hospitals and billing offices add to every message from outside and which would otherwise start a new thread.
    private static final Pattern GATEWAY_TAG = Pattern.compile(
            "^\\s*\\[(?:ext|external|external (?:sender|email|message|mail)|caution[^]]*)\\]\\s*:?\\s*",
            Pattern.CASE_INSENSITIVE);
    /** An old forwarding style wraps the whole subject: "[Fwd: Invoice 4411]". */
    private static final Pattern FORWARD_BRACKETS = Pattern.compile("^\\[fwd?:\\s*(.*)\\]$", Pattern.CASE_INSENSITIVE);

    private Subjects() {
    }

    /**
     * The subject without reply and forward prefixes and gateway tags, case and spacing folded; its first
     * {@value #MAX_NORMALIZED} characters, so that a subject of thousands (hostile or broken mail) still fits the
     * threads' index, whose entries PostgreSQL limits to about 2,700 bytes (it refused such a message's thread).
     */
    public static String normalize(String subject) {
        String normalized = strip(subject).subject;
        if (normalized.length() <= MAX_NORMALIZED) {
            return normalized;
        }
        int end = Character.isHighSurrogate(normalized.charAt(MAX_NORMALIZED - 1)) ? MAX_NORMALIZED - 1 : MAX_NORMALIZED;
        return normalized.substring(0, end);
    }

    /** At most 4 bytes each in UTF-8: 2,000 bytes, with room for the index's other columns. */
    static final int MAX_NORMALIZED = 500;

    /**
     * Whether the subject says it answers or forwards something ("Re:", "AW:", "Fwd:", "[Fwd: ...]"). Only such a
     * message may join a conversation by its subject alone: two patients who both write "Question about my bill"
     * are two conversations, and a reply in one must never go to the other.
     */
    public static boolean isReplyOrForward(String subject) {
        return strip(subject).replyOrForward;
    }

    private record Stripped(String subject, boolean replyOrForward) {
    }

    private static Stripped strip(String subject) {
        if (subject == null) {
            return new Stripped("", false);
        }
        String s = subject.strip();
        boolean reply = false;
        String before;
        do {
            before = s;
            Matcher prefix = REPLY_PREFIX.matcher(s);
            if (prefix.find()) {
                reply = true;
                s = s.substring(prefix.end()).strip();
            }
            s = GATEWAY_TAG.matcher(s).replaceFirst("").strip();
            Matcher forward = FORWARD_BRACKETS.matcher(s);
            if (forward.matches()) {
                reply = true;
                s = forward.group(1).strip();
            }
        } while (!s.equals(before));
        return new Stripped(s.replaceAll("\\s+", " ").toLowerCase(Locale.ROOT), reply);
    }
}
