package com.postroom.mime;

/**
 * Plain text sent as {@code format=flowed} (RFC 3676), as Thunderbird and many mobile clients send it, read back into
 * its paragraphs. Such text is wrapped at about 72 characters for old readers, with a space before each soft break;
 * shown as it came, a paragraph on a narrow screen breaks every few words, and a phrase search must cross the line
 * ends. A line that ends in a space continues on the next line of the same quote depth; a quote depth (">" marks) is
 * kept in front of each paragraph; the space that protects a line starting with "From ", ">" or a space is removed;
 * "-- " (the signature separator) is never joined.
 */
final class Flowed {

    private Flowed() {
    }

    /** {@code delSp}: the sender added the space before each soft break ({@code DelSp=yes}), so it is removed. */
    static String unwrap(String text, boolean delSp) {
        String newline = text.contains("\r\n") ? "\r\n" : "\n";
        String[] lines = text.split("\r?\n", -1);
        int count = lines.length;
        boolean endsWithNewline = count > 1 && lines[count - 1].isEmpty();
        if (endsWithNewline) {
            count--;
        }
        StringBuilder out = new StringBuilder(text.length());
        int open = -1; // the quote depth of the paragraph being joined, or -1 between paragraphs
        for (int i = 0; i < count; i++) {
            String line = lines[i];
            int depth = 0;
            while (depth < line.length() && line.charAt(depth) == '>') {
                depth++;
            }
            String content = line.substring(depth);
            if (content.startsWith(" ")) {
                content = content.substring(1); // space-stuffing (RFC 3676 4.4)
            }
            boolean soft = content.endsWith(" ") && !content.equals("-- ");
            if (open >= 0 && depth != open) {
                out.append(newline); // a flowed line followed by another depth: the paragraph ends (4.5)
                open = -1;
            }
            if (open < 0 && depth > 0) {
                out.append(">".repeat(depth)).append(' ');
            }
            out.append(soft && delSp ? content.substring(0, content.length() - 1) : content);
            if (soft) {
                open = depth;
            } else {
                open = -1;
                if (i < count - 1 || endsWithNewline) {
                    out.append(newline);
                }
            }
        }
        if (open >= 0 && endsWithNewline) {
            out.append(newline);
        }
        return out.toString();
    }
}
