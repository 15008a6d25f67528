package com.postroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InlineImagesTest {

    @Test
    void aCidUrlFindsItsContentIdWhateverTheBracketsCaseAndEscapes() {
        java.util.Map<String, String> data = java.util.Map.of(InlineImages.key("<Image001.PNG@01DA3C.5B2E>"), "a",
                InlineImages.key("<foo4%bar@example>"), "b", InlineImages.key("<part1.06090408@example.com>"), "c",
                InlineImages.key("<a+b@x>"), "d", InlineImages.key("<100%@x>"), "e");
        assertThat(InlineImages.lookup(data, "image001.png@01DA3C.5B2E")).isEqualTo("a");
        // RFC 2392: the URL is %-encoded, the header is not.
        assertThat(InlineImages.lookup(data, "foo4%25bar@example")).isEqualTo("b");
        assertThat(InlineImages.lookup(data, "part1%2E06090408@example.com")).isEqualTo("c");
        assertThat(InlineImages.lookup(data, "a+b@x")).isEqualTo("d");
        assertThat(InlineImages.lookup(data, "100%@x")).as("a bare % as written").isEqualTo("e");
        assertThat(InlineImages.lookup(data, "other@x")).isNull();
    }

    @Test
    void onlyTheFourRasterFormatsAreRecognisedByTheirFirstBytes() {
        assertThat(InlineImages.sniff(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10})).isEqualTo("image/png");
        assertThat(InlineImages.sniff(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0}))
                .isEqualTo("image/jpeg");
        assertThat(InlineImages.sniff("GIF89a".getBytes())).isEqualTo("image/gif");
        assertThat(InlineImages.sniff("RIFF\0\0\0\0WEBPVP8 ".getBytes())).isEqualTo("image/webp");
        assertThat(InlineImages.sniff("<svg onload=alert(1)>".getBytes())).isNull();
        assertThat(InlineImages.sniff("<html><script>".getBytes())).isNull();
        assertThat(InlineImages.sniff(new byte[0])).isNull();
    }
}
