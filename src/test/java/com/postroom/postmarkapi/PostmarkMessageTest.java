package com.postroom.postmarkapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.json.JsonMapper;

/**
 * A Postmark message's attachments: their base64 read strictly. The MIME decoders skip characters outside the
 * alphabet, so a damaged string used to go out as a damaged (or empty) file with the answer OK; now it is refused with
 * code 300 and where the damage is. Line breaks, as encoders that wrap lines write them, are still fine.
 */
class PostmarkMessageTest {

    private static PostmarkMessage withAttachment(String attachmentJson) {
        return PostmarkMessage.parse(JsonMapper.shared().readTree("{\"From\":\"billing@postroom.test\","
                + "\"To\":\"a@example.com\",\"Subject\":\"Statement\",\"TextBody\":\"Attached.\","
                + "\"Attachments\":[" + attachmentJson + "]}"));
    }

    @Test
    void base64IsReadWithItsLineBreaksAndWithoutPadding() {
        byte[] pdf = "%PDF-1.4 statement for account 1042, balance due 118.40".getBytes(StandardCharsets.UTF_8);
        String wrapped = Base64.getMimeEncoder(20, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pdf);
        assertThat(wrapped).contains("\r\n");
        PostmarkMessage m = withAttachment("{\"Name\":\"statement.pdf\",\"Content\":\""
                + wrapped.replace("\r\n", "\\r\\n") + "\",\"ContentType\":\"application/pdf\"}");
        assertThat(m.attachments()).singleElement().satisfies(a -> {
            assertThat(a.content()).isEqualTo(pdf);
            assertThat(a.contentType()).isEqualTo("application/pdf");
        });
        String unpadded = Base64.getEncoder().withoutPadding().encodeToString("ab".getBytes(StandardCharsets.UTF_8));
        assertThat(withAttachment("{\"Name\":\"a.txt\",\"Content\":\"" + unpadded + "\"}").attachments().get(0)
                .content()).isEqualTo("ab".getBytes(StandardCharsets.UTF_8));
        assertThat(withAttachment("{\"Name\":\"empty.txt\",\"Content\":\"\"}").attachments().get(0).content())
                .isEmpty();
    }

    @Test
    void contentThatIsNotBase64IsRefusedWithWhereItBreaks() {
        assertThatThrownBy(() -> withAttachment("{\"Name\":\"statement.pdf\",\"Content\":\"%%%\"}"))
                .isInstanceOfSatisfying(PostmarkError.class, e -> assertThat(e.code()).isEqualTo(300))
                .hasMessageContaining("statement.pdf").hasMessageContaining("'%' at character 1");
        // A data URL pasted whole, and the URL-safe alphabet: neither is what Postmark takes.
        assertThatThrownBy(() -> withAttachment("{\"Name\":\"a.pdf\",\"Content\":\"data:application/pdf;base64,"
                + "JVBERi0=\"}")).isInstanceOf(PostmarkError.class).hasMessageContaining("':' at character 5");
        assertThatThrownBy(() -> withAttachment("{\"Name\":\"a.bin\",\"Content\":\"-_-_\"}"))
                .isInstanceOf(PostmarkError.class).hasMessageContaining("'-' at character 1");
        assertThatThrownBy(() -> withAttachment("{\"Name\":\"a.bin\",\"Content\":\"QUJD=RA==\"}"))
                .isInstanceOf(PostmarkError.class).hasMessageContaining("padding");
        assertThatThrownBy(() -> withAttachment("{\"Name\":\"a.bin\",\"Content\":\"QUJDR\"}"))
                .isInstanceOf(PostmarkError.class).hasMessageContaining("length");
    }

    @Test
    void anAttachmentWithoutContentIsRefused() {
        assertThatThrownBy(() -> withAttachment("{\"Name\":\"statement.pdf\",\"ContentType\":\"application/pdf\"}"))
                .isInstanceOfSatisfying(PostmarkError.class, e -> assertThat(e.code()).isEqualTo(300))
                .hasMessageContaining("has no 'Content'");
        assertThatThrownBy(() -> withAttachment("{\"Name\":\"statement.pdf\",\"Content\":null}"))
                .isInstanceOf(PostmarkError.class).hasMessageContaining("has no 'Content'");
    }
}
