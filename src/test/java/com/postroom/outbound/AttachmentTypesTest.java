package com.postroom.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.postroom.mail.EmailAddress;

/**
 * An attachment's content type: what Jakarta Mail can write is a MIME type, and anything else made composing the
 * message fail (an error 500 for the caller). A file from a browser, a forwarded message or a draft is sent as
 * application/octet-stream instead; the API's own attachments are refused with the reason (SendingCore).
 */
class AttachmentTypesTest {

    @ParameterizedTest
    @ValueSource(strings = {"application/pdf", "text/plain; charset=utf-8", "text/plain; charset=\"utf-8\"",
            "image/svg+xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "message/rfc822", "TEXT/CSV"})
    void mimeTypesAreKeptAndComposed(String type) {
        assertThat(Attachment.isMimeType(type)).isTrue();
        Attachment a = Attachment.file("report.bin", type, "hello".getBytes());
        assertThat(a.contentType()).isEqualTo(type);
        assertThatCode(() -> compose(a)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"pdf", "not a type", "application/pdf; name=", "text/html; charset=\"utf-8", "/plain",
            "text/", "", "text/plain\r\nBcc: x@example.com"})
    void otherTypesAreNotMimeTypesAndAFileWithOneGoesAsOctetStream(String type) {
        assertThat(Attachment.isMimeType(type)).isFalse();
        Attachment a = Attachment.file("report.pdf", type, "hello".getBytes());
        assertThat(a.contentType()).isEqualTo("application/octet-stream");
        assertThat(new String(compose(a))).contains("Content-Type: application/octet-stream; name=report.pdf");
    }

    private static byte[] compose(Attachment a) {
        return MimeComposer.compose(new MimeComposer.Composition(EmailAddress.parse("billing@postroom.test"), List.of(),
                List.of(EmailAddress.parse("patient@example.com")), List.of(), "Statement", "Attached.", "",
                List.of(a), "<id-1@postroom.test>", null, List.of(), Map.of()));
    }
}
