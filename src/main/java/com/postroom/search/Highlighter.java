package com.postroom.search;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Marks the words a search matched, in text that is escaped here: the result is safe to insert as HTML. Matching is
 * by the query's lexemes (PostgreSQL's stems, such as "invoic" for "invoices") as word prefixes, which is what the
 * snowball stemmers produce for nearly every word. Done in Java because PostgreSQL's ts_headline over a page of
 * message bodies cost 30 ms of a 40 ms search at 100,000 messages; this costs microseconds.
 */
final class Highlighter {

    private final Pattern words;

    Highlighter(List<String> lexemes) {
        this.words = lexemes.isEmpty() ? null : Pattern.compile("(?<![\\p{L}\\p{N}])(?:"
                + lexemes.stream().filter(l -> !l.isBlank()).map(Pattern::quote).collect(Collectors.joining("|"))
                + ")[\\p{L}\\p{N}]*", Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }

    /** The whole text (a subject), escaped, matches marked. */
    String all(String text) {
        return mark(text == null ? "" : text);
    }

    /**
     * About {@code length} characters of the text around its first match (or its start when nothing matches),
     * whitespace collapsed, escaped, matches marked.
     */
    String around(String text, int length) {
        String flat = text == null ? "" : text.replaceAll("\\s+", " ").strip();
        int start = 0;
        if (words != null) {
            Matcher m = words.matcher(flat);
            if (m.find() && m.start() > length / 3) {
                start = flat.lastIndexOf(' ', m.start() - length / 3);
                start = start < 0 ? 0 : start + 1;
            }
        }
        int end = Math.min(flat.length(), start + length);
        if (end < flat.length()) {
            int space = flat.lastIndexOf(' ', end);
            end = space > start ? space : end;
        }
        String window = flat.substring(start, end);
        return (start > 0 ? "… " : "") + mark(window) + (end < flat.length() ? " …" : "");
    }

    private String mark(String text) {
        if (words == null) {
            return MailSearch.escape(text);
        }
        StringBuilder out = new StringBuilder();
        Matcher m = words.matcher(text);
        int last = 0;
        while (m.find()) {
            out.append(MailSearch.escape(text.substring(last, m.start()))).append("<mark>")
                    .append(MailSearch.escape(m.group())).append("</mark>");
            last = m.end();
        }
        return out.append(MailSearch.escape(text.substring(last))).toString();
    }
}
