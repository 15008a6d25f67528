package com.postroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class HtmlSanitizerTest {

    private static final String PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8"
            + "z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

    private static String clean(String html) {
        return HtmlSanitizer.sanitize(html, Map.of("logo@x", PNG)::get, false).html();
    }

    private static String src(String html) {
        return org.jsoup.Jsoup.parse(html).selectFirst("img").attr("src");
    }

    /**
     * jsoup reads the content of raw-text elements (noembed, noframes, xmp, ...) as text; the policy parsed it again
     * and kept the img inside, so a remote image survived in the API's html although images were not asked for.
     */
    /**
     * The mail's frame is same-origin (the page sizes it), so an image at a path of this site would load with the
     * reader's session (opening a conversation marks it read): only the inline parts' own URLs may be such paths.
     */
    @Test
    void imagesAtPathsOfThisSiteAreRemovedButTheInlinePartsOwnAreKept() {
        for (boolean images : new boolean[] {false, true}) {
            String out = HtmlSanitizer.sanitize("<img src=\"/mail/inbox/0f8e3a52-0000-0000-0000-000000000000\">"
                    + "<img src=\"../api/mail/messages\"><img src=\"cid:logo@x\">",
                    Map.of("logo@x", "/api/mail/attachments/abc?inline=true")::get, images).html();
            assertThat(out).as("images=" + images).doesNotContain("/mail/inbox").doesNotContain("messages")
                    .contains("src=\"/api/mail/attachments/abc?inline&#61;true\"");
        }
    }

    @Test
    void noRemoteLoadSurvivesInsideRawTextElementsOrASecondParse() {
        String remote = "https://tracker.example/p.gif";
        for (String wrapper : java.util.List.of("noembed", "noframes", "xmp", "iframe", "textarea", "title",
                "template", "noscript", "plaintext", "style", "script")) {
            String html = "<p>Hi</p><" + wrapper + "><img src=\"" + remote + "\" srcset=\"" + remote + " 2x\">"
                    + "<div style=\"background:url(" + remote + ")\">x</div></" + wrapper + "><p>end</p>";
            String out = clean(html);
            assertThat(out).as(wrapper).doesNotContain("tracker.example");
            assertThat(clean(out)).as(wrapper + ", sanitised twice").isEqualTo(out);
        }
        assertThat(clean("<noembed>&lt;img src=\"" + remote + "\"&gt;</noembed>")).doesNotContain("<img");
    }

    @Test
    void cidImagesBecomeTheEmbeddedDataThatWasResolvedForThem() {
        assertThat(src(clean("<p>Hi</p><img src=\"cid:logo@x\" alt=\"logo\">"))).isEqualTo(PNG);
        assertThat(src(clean("<img src=\"CID:&lt;logo@x&gt;\">"))).as("brackets and case").isEqualTo(PNG);
        assertThat(clean("<img src=\"cid:unknown@x\">")).doesNotContain("<img");
    }

    @Test
    void dataUrlsFromTheMailItselfNeverPass() {
        assertThat(clean("<img src=\"" + PNG + "\">")).doesNotContain("data:");
        assertThat(clean("<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">"))
                .doesNotContain("data:");
        assertThat(clean("<a href=\"data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;\">x</a>"))
                .doesNotContain("data:").doesNotContain("href");
        assertThat(clean("<a href=\" DATA:image/png;base64,AAAA\">x</a>")).doesNotContain("href");
    }

    @Test
    void aResolvedUrlThatIsNotARasterImageIsDropped() {
        String html = HtmlSanitizer.sanitize("<img src=\"cid:a\">",
                cid -> "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=", false).html();
        assertThat(html).doesNotContain("data:");
        String quoted = HtmlSanitizer.sanitize("<img src=\"cid:a\">",
                cid -> "data:image/png;base64,AAAA\" onerror=\"alert(1)", false).html();
        assertThat(quoted).doesNotContain("onerror").doesNotContain("data:");
    }

    @Test
    void linksOpenInANewTabWithoutReferrerAndScriptsAreGone() {
        String html = clean("<a href=\"https://example.org\">ok</a><a href=\"javascript:alert(1)\">no</a>"
                + "<script>alert(1)</script><img src=x onerror=alert(1)>");
        assertThat(html).contains("href=\"https://example.org\"").contains("target=\"_blank\"")
                .contains("noopener").contains("noreferrer")
                .doesNotContain("javascript").doesNotContain("<script").doesNotContain("onerror");
    }

    @Test
    void remoteImagesWaitForTheReader() {
        HtmlSanitizer.Result blocked = HtmlSanitizer.sanitize("<img src=\"https://t.example/p.gif\">", c -> null, false);
        assertThat(blocked.remoteContentBlocked()).isTrue();
        assertThat(blocked.html()).doesNotContain("t.example");
        HtmlSanitizer.Result shown = HtmlSanitizer.sanitize("<img src=\"https://t.example/p.gif\">", c -> null, true);
        assertThat(shown.html()).contains("https://t.example/p.gif");
    }

    /** Outlook sets every line's margin to 0 in its style sheet; without it its mail came out double-spaced. */
    @Test
    void outlooksStyleSheetIsAppliedToItsParagraphsAndLinks() throws Exception {
        String outlook = new String(getClass().getResourceAsStream("/html/outlook.html").readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
        org.jsoup.nodes.Document out = org.jsoup.Jsoup.parse(clean(outlook));
        assertThat(out.select("p")).hasSize(3).allSatisfy(p -> assertThat(p.attr("style")).contains("margin:0in")
                .contains("font-size:11pt"));
        assertThat(out.selectFirst("a").attr("style")).contains("color:#0563c1");
        assertThat(out.html()).doesNotContain("style>").doesNotContain("panose").doesNotContain("WordSection")
                .doesNotContain("class=");
    }

    @Test
    void hiddenPreviewTextStaysHidden() {
        assertThat(clean("<div style=\"display:none;max-height:0;overflow:hidden\">Preview</div><p>Body</p>"))
                .contains("display:none").contains("overflow:hidden");
        assertThat(clean("<style>.preheader { display: none !important; }</style>"
                + "<span class=\"preheader\" style=\"display:block\">Preview</span>"))
                .contains("display:block;display:none !important");
    }

    @Test
    void theCascadeIsSpecificityThenOrderThenTheElementsOwnStyle() {
        String html = clean("<style>p { color: red } #x { color: green } p.a { color: blue } p { color: black }"
                + "@media (max-width: 600px) { p { color: purple } } p:hover { color: orange }</style>"
                + "<p id=\"x\" class=\"a\" style=\"font-weight:bold\">t</p>");
        assertThat(org.jsoup.Jsoup.parse(html).selectFirst("p").attr("style"))
                .isEqualTo("color:red;color:black;color:blue;color:green;font-weight:bold");
    }

    @Test
    void aStyleSheetCannotLoadAnythingOrPositionAnything() {
        HtmlSanitizer.Result r = HtmlSanitizer.sanitize("<style>@import url(https://t.example/a.css);"
                + "div { background: url(https://t.example/p.gif); position: fixed; top: 0 }"
                + "@font-face { font-family: x; src: url(https://t.example/f.woff) }</style><div>x</div>", c -> null,
                true);
        assertThat(r.html()).doesNotContain("t.example").doesNotContain("position").doesNotContain("@");
        assertThat(r.remoteContentBlocked()).isTrue();
    }

    /** jsoup reads [attr~=x] as a regular expression and :matches() as one too: such selectors are never run. */
    @Test
    void selectorsThatJsoupWouldRunAsRegularExpressionsAreSkipped() {
        String evil = "<style>div[title~=(a+)+$] { color: red } div:matches((a+)+$) { color: red }</style>"
                + "<div title=\"" + "a".repeat(40) + "!\">" + "a".repeat(40) + "!</div>";
        assertThat(clean(evil)).doesNotContain("color");
        assertThat(CssInliner.isPlain("p.MsoNormal")).isTrue();
        assertThat(CssInliner.isPlain("a[href~=x]")).isFalse();
        assertThat(CssInliner.isPlain("p".repeat(201))).isFalse();
    }

    @Test
    void theBodysBackgroundIsKept() {
        assertThat(clean("<html><body bgcolor=\"#eeeeee\"><p>x</p></body></html>"))
                .contains("<div style=\"background-color:#eeeeee\">");
        assertThat(clean("<style>body { background-color: #f4f4f4 }</style><p>x</p>"))
                .contains("background-color:#f4f4f4");
    }

    @Test
    void aHugeStyleSheetIsBounded() {
        StringBuilder sheet = new StringBuilder("<style>");
        for (int i = 0; i < 5_000; i++) {
            sheet.append("div div div.c").append(i).append(", td { color: red }\n");
        }
        StringBuilder body = new StringBuilder("</style><table>");
        for (int i = 0; i < 2_000; i++) {
            body.append("<tr><td>").append(i).append("</td></tr>");
        }
        assertThat(CssInliner.rules(sheet.substring(7))).hasSize(CssInliner.MAX_RULES);
        String html = clean(sheet + body.toString() + "</table>");
        assertThat(org.jsoup.Jsoup.parse(html).select("td[style]")).hasSize(2_000);
    }
}
