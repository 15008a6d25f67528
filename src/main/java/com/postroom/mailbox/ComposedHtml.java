package com.postroom.mailbox;

import java.util.regex.Pattern;

import org.owasp.html.HtmlPolicyBuilder;
import org.owasp.html.PolicyFactory;

/**
 * The HTML part of a message written in the web composer. The editor offers bold, italic, underline, strike-through,
 * lists, quotes and links, and nothing else passes: what the browser's editor produced is cleaned here before it is
 * stored or sent, since a request can carry any HTML. A body with no formatting at all is sent as plain text only.
 */
final class ComposedHtml {

    private static final PolicyFactory POLICY = new HtmlPolicyBuilder()
            .allowElements("p", "div", "br", "b", "strong", "i", "em", "u", "s", "strike", "ul", "ol", "li",
                    "blockquote", "a")
            .allowUrlProtocols("http", "https", "mailto")
            .allowAttributes("href").onElements("a")
            .requireRelsOnLinks("noopener", "noreferrer")
            .toFactory();

    private static final Pattern FORMATTING =
            Pattern.compile("<(b|strong|i|em|u|s|strike|ul|ol|blockquote|a)[\\s>]", Pattern.CASE_INSENSITIVE);

    private ComposedHtml() {
    }

    /** The cleaned HTML, or "" when the body has no formatting (then plain text says it all). */
    static String clean(String html) {
        if (html == null || html.isBlank()) {
            return "";
        }
        String clean = POLICY.sanitize(html);
        return FORMATTING.matcher(clean).find() ? clean : "";
    }
}
