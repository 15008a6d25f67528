package com.postroom.mailbox;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plain-text mail for the page: split into text and web links, so the template escapes every piece and makes links
 * of the URLs only (http and https; never javascript: or data:). Nothing here produces HTML.
 */
public final class Linkify {

    /** A run of text, or a link when {@code url} is set. */
    public record Segment(String text, String url) {
    }

    private static final Pattern URL = Pattern.compile("https?://[^\\s<>\"'()\\[\\]]+[^\\s<>\"'()\\[\\].,;:!?]",
            Pattern.CASE_INSENSITIVE);

    private Linkify() {
    }

    public static List<Segment> segments(String text) {
        List<Segment> out = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return out;
        }
        Matcher m = URL.matcher(text);
        int at = 0;
        while (m.find()) {
            if (m.start() > at) {
                out.add(new Segment(text.substring(at, m.start()), null));
            }
            out.add(new Segment(m.group(), m.group()));
            at = m.end();
        }
        if (at < text.length()) {
            out.add(new Segment(text.substring(at), null));
        }
        return out;
    }
}
