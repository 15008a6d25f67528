package com.postroom.mime;

import java.util.regex.Pattern;

/**
 * Names a sender chose (subjects, display names, file names) made safe to show. Unicode's bidirectional override,
 * embedding and isolate controls (U+202A-U+202E, U+2066-U+2069) reorder the characters after them, so
 * {@code invoice\u202Efdp.exe} is shown as "invoiceexe.pdf": the classic way to disguise a program as a document.
 * They are removed wherever a name is stored or shown, and from download names; the raw message keeps them.
 */
public final class DisplayNames {

    private static final Pattern BIDI_CONTROLS = Pattern.compile("[\\u202A-\\u202E\\u2066-\\u2069]");

    private DisplayNames() {
    }

    public static String safe(String name) {
        if (name == null) {
            return null;
        }
        String noNul = name.indexOf('\0') < 0 ? name : name.replace("\0", "");
        return BIDI_CONTROLS.matcher(noNul).find() ? BIDI_CONTROLS.matcher(noNul).replaceAll("") : noNul;
    }
}
