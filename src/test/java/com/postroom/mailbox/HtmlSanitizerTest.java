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
}
