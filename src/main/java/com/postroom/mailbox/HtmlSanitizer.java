package com.postroom.mailbox;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.owasp.html.CssSchema;
import org.owasp.html.HtmlPolicyBuilder;
import org.owasp.html.PolicyFactory;

/**
 * Makes a message's HTML safe to show: an allowlist of formatting elements and attributes (OWASP Java HTML
 * Sanitizer), style sheets inlined first ({@link CssInliner}), CSS filtered to harmless properties (no {@code url()}),
 * links only to http, https and mailto, opening in a new tab without referrer. Remote images are dropped unless the caller asks for them; {@code cid:} images
 * point at the message's own parts. The allowlist runs last, over the final string, so nothing added by the rewrite
 * step escapes it.
 */
public final class HtmlSanitizer {

    private static final String[] FORMATTING = {"a", "abbr", "address", "b", "big", "blockquote", "br", "caption",
            "center", "code", "col", "colgroup", "dd", "del", "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4",
            "h5", "h6", "hr", "i", "img", "ins", "li", "ol", "p", "pre", "s", "small", "span", "strike", "strong",
            "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul"};

    /**
     * Beyond OWASP's default CSS: what mail layouts rely on. Without {@code display:none} (and its companions) every
     * newsletter's hidden preview text showed at the top; {@code float} lays out columns. Positioning stays out, so
     * a message cannot lay itself over the page that shows it.
     */
    private static final List<String> MAIL_LAYOUT = List.of("display", "visibility", "overflow", "opacity", "float",
            "word-break");

    private static final PolicyFactory POLICY = new HtmlPolicyBuilder()
            .allowElements(FORMATTING)
            // "data" is allowed as a protocol only so that embedded raster images pass; the attribute policies below
            // keep it off links and off anything but a base64 PNG, JPEG, GIF or WebP.
            .allowUrlProtocols("http", "https", "mailto", "data")
            .allowAttributes("href").matching(HtmlSanitizer::notData).onElements("a")
            .allowAttributes("target").matching(true, "_blank").onElements("a")
            .requireRelsOnLinks("noopener", "noreferrer", "nofollow")
            .allowAttributes("src").matching(HtmlSanitizer::imageSource).onElements("img")
            .allowAttributes("alt", "width", "height").onElements("img")
            .allowAttributes("align", "valign", "width", "height", "bgcolor", "colspan", "rowspan", "cellpadding",
                    "cellspacing", "border").onElements("table", "tr", "td", "th", "col", "colgroup", "tbody",
                    "thead", "tfoot", "div", "p", "img", "hr")
            .allowAttributes("color", "face", "size").onElements("font")
            .allowAttributes("title", "dir", "lang").globally()
            .allowStyling(CssSchema.union(CssSchema.DEFAULT, CssSchema.withProperties(MAIL_LAYOUT)))
            .toFactory();

    /** Parsed as raw text (RCDATA, RAWTEXT, PLAINTEXT), never shown by a reader without scripts and plugins. */
    private static final String RAW_TEXT = "noembed, noframes, xmp, iframe, textarea, title, template, plaintext, "
            + "style, script, object, embed, noscript";

    private static final Pattern DATA_IMAGE =
            Pattern.compile("data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+={0,2}");

    private HtmlSanitizer() {
    }

    private static String notData(String element, String attribute, String value) {
        return value.strip().regionMatches(true, 0, "data:", 0, 5) ? null : value;
    }

    private static String imageSource(String element, String attribute, String value) {
        String v = value.strip();
        if (!v.regionMatches(true, 0, "data:", 0, 5)) {
            return value;
        }
        return DATA_IMAGE.matcher(v).matches() ? v : null;
    }

    /** A URL that loads from elsewhere: any scheme but data:, or protocol-relative; a path on this site is not. */
    static boolean isRemote(String url) {
        String u = url.strip().toLowerCase(Locale.ROOT);
        if (u.isEmpty() || u.startsWith("data:")) {
            return false;
        }
        int colon = u.indexOf(':');
        int slash = u.indexOf('/');
        return u.startsWith("//") || colon > 0 && (slash < 0 || colon < slash);
    }

    /** What came out: the safe HTML and whether remote content was removed from it. */
    public record Result(String html, boolean remoteContentBlocked) {
    }

    /**
     * @param cidUrl maps a {@code Content-ID} (without angle brackets) to the URL of that inline part, or null
     * @param remoteImages whether images from the network may load (the reader asked to show them)
     */
    public static Result sanitize(String html, Function<String, String> cidUrl, boolean remoteImages) {
        if (html == null || html.isBlank()) {
            return new Result("", false);
        }
        Document doc = Jsoup.parse(html);
        CssInliner.inline(doc);
        // Elements whose content jsoup keeps as raw text: the policy would parse that text again and keep what it
        // finds (an <img> inside <noembed> came out as a live remote image). Their content is never shown by a mail
        // reader, so it goes with them.
        doc.select(RAW_TEXT).remove();
        boolean blocked = false;
        // The only paths on this site an image may have are the inline parts' own (cid: made into their URLs): the
        // frame is same-origin (for the page to size it), so any other path would load with the reader's session.
        java.util.Set<String> inlineUrls = new java.util.HashSet<>();
        for (Element img : doc.select("img")) {
            String src = img.attr("src").strip();
            String lower = src.toLowerCase(Locale.ROOT);
            if (lower.startsWith("cid:")) {
                String url = cidUrl.apply(src.substring(4).replaceAll("^<|>$", ""));
                if (url == null) {
                    img.remove();
                } else {
                    img.attr("src", url);
                    inlineUrls.add(url);
                }
            } else if ((lower.startsWith("http:") || lower.startsWith("https:") || lower.startsWith("//"))
                    && remoteImages) {
                img.attr("src", lower.startsWith("//") ? "https:" + src : src);
            } else {
                blocked |= !src.isEmpty();
                img.removeAttr("src");
                img.attr("alt", img.attr("alt").isEmpty() ? "[image blocked]" : img.attr("alt"));
            }
        }
        // Remote loads that are not <img>: backgrounds (attribute and CSS), which the allowlist drops anyway; counted
        // so the reader knows something was withheld.
        blocked |= !doc.select("[background], [style*=url]").isEmpty();
        for (Element a : doc.select("a[href]")) {
            a.attr("target", "_blank");
        }
        Element bodyElement = doc.body();
        String bodyStyle = bodyElement == null ? "" : CssInliner.bodyStyle(bodyElement);
        if (!bodyStyle.isEmpty()) {
            Element wrapper = doc.createElement("div").attr("style", bodyStyle);
            wrapper.insertChildren(0, bodyElement.childNodes());
            bodyElement.appendChild(wrapper);
        }
        String body = bodyElement == null ? doc.html() : bodyElement.html();
        String out = POLICY.sanitize(body);
        // To a fixed point: whatever the policy wrote is read again as a browser would and must come out the same,
        // with no remote load unless asked for.
        for (int pass = 0; pass < 3; pass++) {
            Document again = Jsoup.parseBodyFragment(out);
            again.select(RAW_TEXT).remove();
            for (Element img : again.select("img[src], img[srcset], source[srcset]")) {
                String src = img.attr("src").strip();
                boolean remote = isRemote(src);
                boolean ownPath = !remote && !src.regionMatches(true, 0, "data:", 0, 5) && !inlineUrls.contains(src);
                if (!remoteImages && (remote || img.hasAttr("srcset")) || ownPath) {
                    blocked = true;
                    img.removeAttr("src").removeAttr("srcset");
                }
            }
            String next = POLICY.sanitize(again.body().html());
            if (next.equals(out)) {
                break;
            }
            out = next;
        }
        return new Result(out, blocked);
    }
}
